import assert from 'node:assert/strict';
import * as pkijs from 'pkijs';
import { issuedBy, isSelfSigned, publicKeyDer, readX509 } from '../../src/cmp/certificates.js';
import { makeCertificate, makeKey } from './fixtures.js';

describe('cmp/certificates: facts remembered per certificate', () => {
  const rootKey = makeKey('ec');
  const root = makeCertificate({ subject: 'CN=Remembered Root', key: rootKey, ca: true });
  const leafKey = makeKey('ec');
  const leaf = makeCertificate({ subject: 'CN=leaf', key: leafKey, issuer: { certificate: root, key: rootKey } });
  const otherKey = makeKey('ec');
  // Same issuer name, another key: named as the issuer, but its signature does not verify.
  const impostor = makeCertificate({ subject: 'CN=Remembered Root', key: otherKey, ca: true });

  it('readX509: equal bytes in any buffer give the one parsed certificate; unreadable bytes stay undefined', () => {
    const copy = Uint8Array.from(root);
    assert.equal(readX509(copy), readX509(root));
    assert.equal(readX509(root)?.subject, 'CN=Remembered Root');
    for (let round = 0; round < 2; round++) assert.equal(readX509(Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x00])), undefined);
  });

  it('issuedBy and isSelfSigned give the same verdicts from memory as the first time', () => {
    for (let round = 0; round < 2; round++) {
      assert.equal(issuedBy(readX509(leaf)!, readX509(root)!), true);
      assert.equal(issuedBy(readX509(leaf)!, readX509(impostor)!), false);
      assert.equal(isSelfSigned(root), true);
      assert.equal(isSelfSigned(leaf), false);
      assert.equal(isSelfSigned(Uint8Array.from([1, 2, 3])), false);
    }
  });

  it('isSelfSigned: a self-signed end-entity certificate (no CA extensions) counts, as before', () => {
    const selfSignedLeaf = makeCertificate({ subject: 'CN=self', key: leafKey, noSki: true });
    assert.equal(isSelfSigned(selfSignedLeaf), true);
  });

  it("publicKeyDer: the SubjectPublicKeyInfo pkijs re-encodes, and the key's own SPKI, for EC and RSA certificates", () => {
    for (const kind of ['ec', 'rsa'] as const) {
      const key = makeKey(kind);
      const der = makeCertificate({ subject: `CN=${kind}`, key });
      const viaPkijs = new Uint8Array(pkijs.Certificate.fromBER(der).subjectPublicKeyInfo.toSchema().toBER(false));
      assert.deepEqual(publicKeyDer(der), viaPkijs);
      assert.deepEqual(Buffer.from(publicKeyDer(der)), Buffer.from(key.spki));
    }
  });
});
