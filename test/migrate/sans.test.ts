// SANS typing in the client's order: e-mail, IP, DNS name, URI; anything else is refused.
import assert from 'node:assert/strict';
import { typeSans } from '../../src/migrate/index.js';

describe('migrate/sans', () => {
  const table: [string, 'emailAddresses' | 'ipAddresses' | 'dnsNames' | 'uris' | 'invalid'][] = [
    ['onap@onap.org', 'emailAddresses'],
    ['first.last+tag@mail.onap.org', 'emailAddresses'],
    ['root@[10.0.0.1]', 'emailAddresses'],
    ['10.0.0.1', 'ipAddresses'],
    ['::1', 'ipAddresses'],
    ['fe80::1ff:fe23:4567:890a', 'ipAddresses'],
    ['sdnc.onap.svc.cluster.local', 'dnsNames'],
    ['localhost', 'dnsNames'],
    ['a-b.example', 'dnsNames'],
    ['http://uri-1.onap.org', 'uris'],
    ['spiffe://cluster.local/ns/onap/sa/app', 'uris'],
    ['urn:onap:cert', 'uris'],
    ['1.2.3', 'invalid'],
    ['*.onap.org', 'invalid'],
    ['has space', 'invalid'],
    ['-leading.dash.org', 'invalid'],
  ];
  for (const [san, kind] of table) {
    it(`${san} → ${kind}`, () => {
      const typed = typeSans(san);
      assert.deepEqual(typed[kind], [san]);
      const total = typed.dnsNames.length + typed.ipAddresses.length + typed.emailAddresses.length + typed.uris.length + typed.invalid.length;
      assert.equal(total, 1);
    });
  }

  it("splits on ',' (trimming, dropping empty entries) and keeps the order within each type", () => {
    assert.deepEqual(typeSans(' b.org, a.org ,,10.0.0.2,10.0.0.1,'), {
      dnsNames: ['b.org', 'a.org'],
      ipAddresses: ['10.0.0.2', '10.0.0.1'],
      emailAddresses: [],
      uris: [],
      invalid: [],
    });
  });
});
