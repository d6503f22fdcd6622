import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { CertificateFormatError, checkCertificate, checkCertificateOnce, readCertificateNotBefore, subjectLine } from '../../src/pki/certificate.js';
import { damageSignature } from './damage.js';
import { RecentByBytes } from '../../src/pki/recentByBytes.js';
import { Pki } from '../keystore/fixtures.js';
import { opensslSelfSigned } from './opensslCertificate.js';

describe('pki/certificate', () => {
  const pki = new Pki();
  const certificates = [pki.issue('der ec'), pki.issue('der rsa', { keyType: 'rsa' }), pki.issue('der ed', { keyType: 'ed25519' })];
  after(() => pki.dispose());

  it('reads notBefore as OpenSSL does', () => {
    for (const issued of certificates) {
      const x509 = new X509Certificate(issued.certPem);
      assert.equal(readCertificateNotBefore(x509.raw).getTime(), new Date(x509.validFrom).getTime());
    }
  });

  it('rejects truncation, trailing bytes, wrong tags and every single-byte length change in the outer layers', () => {
    const der = new X509Certificate(certificates[0].certPem).raw;
    for (const length of [0, 1, 10, 100, der.length - 1]) assert.throws(() => readCertificateNotBefore(der.subarray(0, length)), CertificateFormatError);
    assert.throws(() => readCertificateNotBefore(Buffer.concat([der, Buffer.from([0])])), /trailing/);
    assert.throws(() => readCertificateNotBefore(Buffer.from('hello world!')), CertificateFormatError);
    const wrongTag = Buffer.from(der);
    wrongTag[0] = 0x31;
    assert.throws(() => readCertificateNotBefore(wrongTag), /unexpected tag/);
    // Any change of the first length bytes makes the structure inconsistent.
    for (let i = 1; i < 8; i++) {
      const damaged = Buffer.from(der);
      damaged[i] ^= 0x01;
      assert.throws(() => readCertificateNotBefore(damaged), CertificateFormatError, `byte ${i}`);
    }
  });

  it('subjectLine: one line, and a certificate named by its SANs only (empty subject, as cert-manager makes without commonName) does not throw', () => {
    assert.equal(subjectLine(new X509Certificate(opensslSelfSigned('/', ['subjectAltName=critical,DNS:x.example']))), '(empty subject)');
    assert.equal(subjectLine(new X509Certificate(opensslSelfSigned('/O=Org/CN=a'))), 'O=Org, CN=a');
  });

  it('checkCertificateOnce: the same fields as checkCertificate, again from memory; a damaged certificate is refused every time, also after its good twin was seen', () => {
    for (const issued of certificates) {
      const der = new X509Certificate(issued.certPem).raw;
      const fresh = checkCertificate(der);
      for (let round = 0; round < 2; round++) {
        const remembered = checkCertificateOnce(Buffer.from(der));
        assert.equal(remembered.notBefore.getTime(), fresh.notBefore.getTime());
        assert.deepEqual(remembered.subjectPublicKeyInfo, fresh.subjectPublicKeyInfo);
      }
    }
    const root = pki.roots('remembered root', 1)[0];
    const good = new X509Certificate(root.certPem).raw;
    checkCertificateOnce(good);
    const damaged = new X509Certificate(damageSignature(root.certPem)).raw;
    for (let round = 0; round < 2; round++) assert.throws(() => checkCertificateOnce(damaged), /self-signed but its signature does not verify/);
  });

  it('RecentByBytes keeps at most its limit, dropping the least recently used; a failed computation is not remembered', () => {
    const [a, b, c] = certificates.map((issued) => new X509Certificate(issued.certPem).raw);
    const recent = new RecentByBytes<number>(2);
    let computed = 0;
    const count = () => ++computed;
    recent.get(a, count);
    recent.get(b, count);
    assert.equal(recent.get(a, count), 1); // from memory; a is now the most recent
    recent.get(c, count); // drops b
    assert.deepEqual([recent.has(a), recent.has(b), recent.has(c), recent.size, computed], [true, false, true, 2, 3]);
    // The key is the bytes, not the buffer: a copy at another offset finds the same entry.
    const copy = Buffer.concat([Buffer.from([0]), a]).subarray(1);
    assert.equal(recent.get(copy, count), 1);
    assert.throws(
      () =>
        recent.get(b, () => {
          throw new Error('unreadable');
        }),
      /unreadable/,
    );
    assert.equal(recent.has(b), false);
    // Over maxBytes: computed each time, never held.
    const small = new RecentByBytes<number>(2, a.length - 1);
    small.get(a, count);
    assert.deepEqual([small.has(a), small.size, small.get(a, count)], [false, 0, 5]);
  });
});
