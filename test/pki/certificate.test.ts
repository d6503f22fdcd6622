import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { CertificateFormatError, readCertificateNotBefore, subjectLine } from '../../src/pki/certificate.js';
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
});
