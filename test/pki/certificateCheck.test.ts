// checkCertificate: what must be refused before a certificate is trusted (issue 11, finding 2).
// Each damaged certificate here passed the old structural check and made Java or OpenSSL refuse
// the whole truststore; the fuzz suite (test/fuzz/certificate.fuzz.ts) checks the same against
// Java's CertificateFactory for thousands of random one-byte changes.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { checkCertificate, CertificateFormatError, readCertificateFields } from '../../src/pki/certificate.js';
import { parseCertificates } from '../../src/pki/pem.js';
import { Pki } from '../keystore/fixtures.js';
import { damageBasicConstraints, damageSignature, damageValidity } from './damage.js';
import { javaRefusedCertificates } from './javaRefusedCertificates.js';

const der = (pem: string): Buffer => Buffer.from(new X509Certificate(pem).raw);

describe('pki/checkCertificate', () => {
  const pki = new Pki();
  const { root, intermediate, leaf } = pki.chain('check');
  const rsa = pki.issue('check rsa', { keyType: 'rsa' });
  const ed = pki.issue('check ed', { keyType: 'ed25519' });
  after(() => pki.dispose());

  it('accepts good certificates of every key type, self-signed or not, with their fields', () => {
    for (const issued of [root, intermediate, leaf, rsa, ed]) {
      const checked = checkCertificate(der(issued.certPem));
      assert.equal(checked.notBefore.getTime(), new Date(new X509Certificate(issued.certPem).validFrom).getTime());
      assert.equal(checked.x509.subject, new X509Certificate(issued.certPem).subject);
    }
  });

  it('accepts a self-issued certificate signed by another key (key rollover: same name, other key), which is not self-signed', () => {
    const rollover = pki.issue(root.name, { issuer: root, ca: true });
    const x509 = new X509Certificate(rollover.certPem);
    assert.equal(x509.subject, x509.issuer);
    assert.equal(x509.verify(x509.publicKey), false, 'its own key does not verify it');
    assert.doesNotThrow(() => checkCertificate(der(rollover.certPem)));
  });

  const damaged: [string, () => string, RegExp][] = [
    ['a self-signed root whose signature byte changed', () => damageSignature(root.certPem), /self-signed but its signature does not verify/],
    ['an RSA root whose signature byte changed', () => damageSignature(rsa.certPem), /self-signed but its signature does not verify/],
    ['an intermediate whose basicConstraints BOOLEAN tag changed', () => damageBasicConstraints(intermediate.certPem), /basicConstraints is malformed/],
    ['an intermediate whose notAfter hour is 6x', () => damageValidity(intermediate.certPem), /validity holds an impossible date/],
  ];
  for (const [title, make, reason] of damaged) {
    it(`refuses ${title}, which the structural walk alone let through`, () => {
      const bytes = der(make());
      if (!/impossible date/.test(reason.source)) assert.doesNotThrow(() => readCertificateFields(bytes));
      assert.throws(
        () => checkCertificate(bytes),
        (e: Error) => e instanceof CertificateFormatError && reason.test(e.message),
      );
    });
  }

  for (const refused of javaRefusedCertificates(pki)) {
    it(`refuses ${refused.title} (OpenSSL parses it, Java refuses it: test/peer/keystore/javaRefusedCertificates.test.ts)`, () => {
      const bytes = der(refused.pem);
      assert.doesNotThrow(() => new X509Certificate(bytes));
      assert.throws(
        () => checkCertificate(bytes),
        (e: Error) => e instanceof CertificateFormatError && refused.reason.test(e.message),
      );
    });
  }

  it('refuses an outer signatureAlgorithm that differs from the inner one (Java: "Signature algorithm mismatch")', () => {
    const bytes = der(intermediate.certPem);
    // ecdsa-with-SHA256 is 2a 86 48 ce 3d 04 03 02: make the outer one (the last occurrence) SHA-384.
    const oid = Buffer.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
    bytes[bytes.lastIndexOf(oid) + oid.length - 1] = 0x03;
    assert.throws(() => checkCertificate(bytes), /signatureAlgorithm differs from the tbsCertificate signature field/);
  });

  it('a bundle with damaged CAs among good ones: the good ones read, each damaged one a problem naming its block', () => {
    const bundle = root.certPem + damageSignature(rsa.certPem) + intermediate.certPem + damageBasicConstraints(intermediate.certPem) + ed.certPem;
    const { certificates, problems } = parseCertificates(bundle);
    assert.deepEqual(
      certificates.map((c) => c.index),
      [1, 3, 5],
    );
    assert.deepEqual(
      problems.map((p) => [p.index, p.label]),
      [
        [2, 'CERTIFICATE'],
        [4, 'CERTIFICATE'],
      ],
    );
    assert.match(problems[0].reason, /^not a readable X\.509 certificate \(it is self-signed but its signature does not verify/);
  });
});
