import assert from 'node:assert/strict';
import { toDer } from '../../src/cmp/asn1/der.js';
import { certTemplateFromCsr, csrPublicKeyDer } from '../../src/cmp/csr.js';
import { CmpDecodeError, CmpProtocolError } from '../../src/cmp/errors.js';
import { formatDistinguishedName } from '../../src/cmp/names.js';
import { hex, makeCsr, makeKey } from './fixtures.js';

describe('csr', () => {
  it('builds a CertTemplate with subject, key and every requested extension', () => {
    const key = makeKey('ec');
    const csr = makeCsr({
      subject: 'CN=svc,O=onap',
      key,
      dns: ['a.example'],
      ips: ['10.1.2.3'],
      emails: ['x@y.z'],
      uris: ['spiffe://t/x'],
      keyUsage: true,
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
    });
    const t = certTemplateFromCsr(csr);
    assert.equal(formatDistinguishedName(t.subject!), 'CN=svc, O=onap');
    assert.equal(hex(toDer(t.publicKey!.toSchema())), hex(key.spki));
    assert.deepEqual(
      t.extensions!.map((e) => e.extnID),
      ['2.5.29.17', '2.5.29.15', '2.5.29.37'],
    );
    assert.equal(hex(csrPublicKeyDer(csr)), hex(key.spki));
  });
  it('refuses a CSR whose signature does not verify, and garbage', () => {
    const csr = makeCsr({ subject: 'CN=x', key: makeKey('ec') });
    const broken = new Uint8Array(csr);
    broken[broken.length - 5] ^= 0xff;
    assert.throws(() => certTemplateFromCsr(broken), CmpProtocolError);
    assert.throws(() => certTemplateFromCsr(Uint8Array.from([1, 2, 3])), CmpDecodeError);
  });
});

describe('csr building', function () {
  // RSA-2048 key generation takes seconds on a loaded 2-core machine.
  this.timeout(60_000);
  it('parses every SAN type as written', async () => {
    const { parseSubjectAltName } = await import('../../src/cmp/csr.js');
    assert.equal(parseSubjectAltName('a.example').type, 2);
    assert.equal(parseSubjectAltName('x@y.z').type, 1);
    assert.equal(parseSubjectAltName('spiffe://td/w').type, 6);
    const v4 = parseSubjectAltName('10.0.0.1');
    assert.equal(v4.type, 7);
    const v6 = parseSubjectAltName('2001:db8::1');
    assert.equal(hex(new Uint8Array((v6.value as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView)), '20010db8000000000000000000000001');
    assert.throws(() => parseSubjectAltName('  '), /empty/);
  });
  for (const kind of ['ec', 'rsa', 'ed25519'] as const) {
    it(`builds a self-signed CSR (${kind}) that turns into a template with its SANs`, async () => {
      const { buildCsr, parseSubjectAltName } = await import('../../src/cmp/csr.js');
      const { parseDistinguishedName } = await import('../../src/cmp/names.js');
      const key = makeKey(kind);
      const csr = buildCsr({
        key: key.privateKey,
        subject: parseDistinguishedName('CN=built'),
        subjectAltNames: ['b.example', '10.9.8.7'].map(parseSubjectAltName),
      });
      const t = certTemplateFromCsr(csr);
      assert.equal(formatDistinguishedName(t.subject!), 'CN=built');
      assert.equal(hex(toDer(t.publicKey!.toSchema())), hex(key.spki));
      assert.deepEqual(
        t.extensions!.map((e) => e.extnID),
        ['2.5.29.17'],
      );
    });
  }
});
