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
    assert.deepEqual(t.extensions!.map((e) => e.extnID), ['2.5.29.17', '2.5.29.15', '2.5.29.37']);
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
