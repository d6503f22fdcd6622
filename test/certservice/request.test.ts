// Request parsing of the CertService server: both PK labels over a PKCS#8 body, PKCS#1 refused
// with CertService's text, SHA1withRSA and reversed-subject CSRs accepted and kept byte for byte,
// every malformed header with its status and text, keys that do not belong.
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { parseCertificationRequest, parseUpdateRequest } from '../../src/certservice/request.js';
import { CertServiceAnswerError } from '../../src/certservice/errors.js';
import { toPem } from '../../src/pki/pem.js';
import { makeCertificate, makeCsr, makeKey } from '../cmp/fixtures.js';
import { csrHeader, ecKey, header, keyHeader, onapClientCsr, pkcs1Header, rsaKey } from './support.js';

function refused(fn: () => unknown, status: number, text: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CertServiceAnswerError, String(err));
    assert.equal(err.status, status);
    assert.equal(err.message, text);
    return true;
  });
}

const CSR_TEXT = 'Wrong certificate signing request (CSR) format';
const PK_TEXT = 'Wrong key (PK) format';
const CERT_TEXT = 'Wrong certificate format';

describe('certservice request parsing', () => {
  const key = rsaKey();
  const onapCsr = onapClientCsr(key, 'L=San Francisco,OU=ONAP,O=Linux-Foundation,ST=California,C=US,CN=onap.org', [
    'onap.org',
    '192.168.0.1',
    'onap@onap.org',
    'https://onap.org/x',
  ]);

  it("accepts ONAP's client: PKCS#8 body labelled RSA PRIVATE KEY, SHA1withRSA CSR, reversed subject — CSR kept byte for byte", () => {
    const parsed = parseCertificationRequest({ csr: csrHeader(onapCsr), pk: keyHeader(key, 'RSA PRIVATE KEY') });
    assert.deepEqual(Buffer.from(parsed.csrDer), Buffer.from(onapCsr));
    assert.equal(parsed.csr.signatureAlgorithm.algorithmId, '1.2.840.113549.1.1.5');
    assert.equal(parsed.csr.subject.typesAndValues[0].type, '2.5.4.7', 'L first, as sent');
    assert.equal(parsed.privateKey.asymmetricKeyType, 'rsa');
  });

  it('accepts PKCS#8 labelled PRIVATE KEY (Go cmpv2-cert-provider, our backend) for EC P-256/P-384/P-521 and Ed25519', () => {
    for (const kind of ['P-256', 'P-384', 'P-521', 'ed25519'] as const) {
      const k = kind === 'ed25519' ? makeKey('ed25519').privateKey : ecKey(kind);
      const pair = { privateKey: k, publicKey: createPublicKey(k), spki: new Uint8Array(createPublicKey(k).export({ format: 'der', type: 'spki' })) };
      const csr = makeCsr({ subject: 'CN=x', key: pair, dns: ['x.example'] });
      const parsed = parseCertificationRequest({ csr: csrHeader(csr), pk: keyHeader(k) });
      assert.equal(parsed.privateKey.asymmetricKeyType, kind === 'ed25519' ? 'ed25519' : 'ec');
    }
  });

  it("refuses a PKCS#1 body with CertService's key text (400), whatever its label", () => {
    refused(() => parseCertificationRequest({ csr: csrHeader(onapCsr), pk: pkcs1Header(key) }), 400, PK_TEXT);
  });

  it('every malformed CSR header → 400 CSR text', () => {
    const pk = keyHeader(key);
    const bad = [
      undefined,
      '',
      'not base64!',
      header('no pem here'),
      header(toPem('CERTIFICATE', new Uint8Array([1, 2, 3]))),
      header(toPem('CERTIFICATE REQUEST', new Uint8Array([0x30, 0x03, 1, 2, 3]))),
    ];
    for (const csr of bad) refused(() => parseCertificationRequest({ csr, pk }), 400, CSR_TEXT);
  });

  it('a CSR whose signature does not verify → 400 CSR text', () => {
    const broken = new Uint8Array(onapCsr);
    broken[broken.length - 5] ^= 0xff;
    refused(() => parseCertificationRequest({ csr: csrHeader(broken), pk: keyHeader(key) }), 400, CSR_TEXT);
  });

  it('missing or malformed PK, a PK of another key, an RSA key under 2048 bits → 400 PK text', () => {
    const csr = csrHeader(onapCsr);
    for (const pk of [undefined, '', '%%%', header('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'), keyHeader(rsaKey())]) {
      refused(() => parseCertificationRequest({ csr, pk }), 400, PK_TEXT);
    }
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const smallCsr = onapClientCsr(small, 'CN=small', []);
    refused(() => parseCertificationRequest({ csr: csrHeader(smallCsr), pk: keyHeader(small) }), 400, PK_TEXT);
  });

  describe('update headers', () => {
    const oldKey = makeKey('ec');
    const caKey = makeKey('ec');
    const ca = makeCertificate({ subject: 'CN=Old CA', key: caKey, ca: true });
    const oldCert = makeCertificate({ subject: 'CN=onap.org', key: oldKey, issuer: { certificate: ca, key: caKey } });
    const base = { csr: csrHeader(onapCsr), pk: keyHeader(key) };

    it('reads OLD_CERT and OLD_PK (PKCS#8 under either label)', () => {
      const parsed = parseUpdateRequest({ ...base, oldCert: header(toPem('CERTIFICATE', oldCert)), oldPk: keyHeader(oldKey.privateKey, 'EC PRIVATE KEY') });
      assert.equal(new X509Certificate(parsed.oldCertificateDer).subject, 'CN=onap.org');
    });

    it('OLD_CERT missing or not a certificate → 400 certificate text; OLD_PK not its key → 400 PK text', () => {
      for (const oldCert of [undefined, 'xx', header(toPem('CERTIFICATE', new Uint8Array([0x30, 0x00])))]) {
        refused(() => parseUpdateRequest({ ...base, oldCert, oldPk: keyHeader(oldKey.privateKey) }), 400, CERT_TEXT);
      }
      refused(() => parseUpdateRequest({ ...base, oldCert: header(toPem('CERTIFICATE', oldCert)), oldPk: keyHeader(key) }), 400, PK_TEXT);
      refused(() => parseUpdateRequest({ ...base, oldCert: header(toPem('CERTIFICATE', oldCert)) }), 400, PK_TEXT);
    });

    it('the CSR is checked first (CSR text wins over the others, as CertService)', () => {
      refused(() => parseUpdateRequest({ csr: 'x', pk: 'y', oldCert: 'z' }), 400, CSR_TEXT);
    });
  });
});
