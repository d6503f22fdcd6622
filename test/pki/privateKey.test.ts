import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { keyMatchesCertificate, keyMatchesCertificateDer, loadPrivateKey, UnreadablePrivateKeyError, UnsupportedKeyTypeError } from '../../src/pki/index.js';
import { importKeyFast } from '../../src/pki/keyImport.js';
import { parsePemBundle } from '../../src/pki/pem.js';
import { keyPem, Pki, type TestKeyEncoding, type TestKeyType } from '../keystore/fixtures.js';

describe('pki/privateKey', () => {
  const pki = new Pki();
  after(() => pki.dispose());

  const cases: [TestKeyType, TestKeyEncoding, string][] = [
    ['rsa', 'pkcs1', 'RSA'],
    ['rsa', 'pkcs8', 'RSA'],
    ['ec-p256', 'sec1', 'EC P-256'],
    ['ec-p256', 'pkcs8', 'EC P-256'],
    ['ec-p384', 'sec1', 'EC P-384'],
    ['ec-p521', 'pkcs8', 'EC P-521'],
    ['ed25519', 'pkcs8', 'Ed25519'],
  ];
  for (const [type, encoding, algorithm] of cases) {
    it(`loads ${type} from ${encoding} PEM, matches its certificate, exports PKCS#8`, () => {
      const issued = pki.issue(`key ${type} ${encoding}`, { keyType: type, ca: false });
      const text = keyPem(issued.key, encoding);
      assert.match(text, encoding === 'pkcs1' ? /RSA PRIVATE KEY/ : encoding === 'sec1' ? /EC PRIVATE KEY/ : /BEGIN PRIVATE KEY/);
      const loaded = loadPrivateKey(`comment line\r\n${text.replace(/\n/g, '\r\n')}`);
      assert.equal(loaded.algorithm, algorithm);
      assert.ok(loaded.key.equals(issued.key));
      assert.deepEqual(loaded.pkcs8, issued.key.export({ format: 'der', type: 'pkcs8' }));
      const x509 = new X509Certificate(issued.certPem);
      assert.equal(keyMatchesCertificate(loaded, x509), true);
      assert.equal(keyMatchesCertificateDer(loaded, x509.raw, x509.publicKey.export({ format: 'der', type: 'spki' })), true);
    });
  }

  it("fast JWK import gives the same key as OpenSSL's decoder, or leaves the key to it", () => {
    const structures = { pkcs8: 'pkcs8', pkcs1: 'pkcs1', sec1: 'sec1' } as const;
    const keys = {
      rsa: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey,
      'ec-p256': generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
      'ec-p384': generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey,
      'ec-p521': generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey,
      ed25519: generateKeyPairSync('ed25519').privateKey,
    };
    let fast = 0;
    for (const [type, key] of Object.entries(keys)) {
      for (const encoding of type === 'rsa' ? (['pkcs8', 'pkcs1'] as const) : type === 'ed25519' ? (['pkcs8'] as const) : (['pkcs8', 'sec1'] as const)) {
        const der = parsePemBundle(keyPem(key, encoding)).blocks[0].der;
        const imported = importKeyFast(der, structures[encoding]);
        if (type === 'ed25519') {
          assert.equal(imported, undefined);
          continue;
        }
        assert.ok(imported, `${type} ${encoding}`);
        const reference = createPrivateKey({ key: der, format: 'der', type: encoding });
        assert.ok(imported.key.equals(reference), `${type} ${encoding}`);
        // The SubjectPublicKeyInfo we predict is what OpenSSL encodes for the public key.
        assert.deepEqual(imported.subjectPublicKeyInfo, createPublicKey(reference).export({ format: 'der', type: 'spki' }), `${type} ${encoding}`);
        fast += 1;
      }
    }
    assert.equal(fast, 8);
    // A SEC1 key without its public point, or damaged bytes: left to the decoder (undefined).
    const sec1 = keys['ec-p256'].export({ format: 'der', type: 'sec1' });
    const withoutPublic = Buffer.concat([Buffer.from([0x30, 0x31]), sec1.subarray(2, 2 + 3 + 2 + 32 + 12)]);
    assert.equal(createPrivateKey({ key: withoutPublic, format: 'der', type: 'sec1' }).asymmetricKeyType, 'ec');
    assert.equal(importKeyFast(withoutPublic, 'sec1'), undefined);
    assert.equal(importKeyFast(Buffer.from([0x30, 0x05, 0x02, 0x01]), 'pkcs8'), undefined);
  });

  it('says when a key does not match a certificate', () => {
    const a = pki.issue('a', { keyType: 'ec-p256' });
    const b = pki.issue('b', { keyType: 'ec-p256' });
    const rsa = pki.issue('c', { keyType: 'rsa' });
    assert.equal(keyMatchesCertificate(loadPrivateKey(a.keyPem), new X509Certificate(b.certPem)), false);
    assert.equal(keyMatchesCertificate(loadPrivateKey(rsa.keyPem), new X509Certificate(a.certPem)), false);
    for (const [key, cert] of [
      [a, b],
      [rsa, a],
      [b, rsa],
    ]) {
      const x509 = new X509Certificate(cert.certPem);
      assert.equal(keyMatchesCertificateDer(loadPrivateKey(key.keyPem), x509.raw, x509.publicKey.export({ format: 'der', type: 'spki' })), false);
    }
  });

  it('skips an EC PARAMETERS block before a SEC1 key', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    const params = '-----BEGIN EC PARAMETERS-----\nBgUrgQQAIg==\n-----END EC PARAMETERS-----\n';
    assert.equal(loadPrivateKey(params + keyPem(key, 'sec1')).algorithm, 'EC P-384');
  });

  it('rejects missing, encrypted, damaged and unsupported keys with typed errors and no key bytes', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const encrypted = key.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'x' }).toString();
    assert.throws(
      () => loadPrivateKey(''),
      (e: Error) => e instanceof UnreadablePrivateKeyError && /no private key found/.test(e.message),
    );
    assert.throws(
      () => loadPrivateKey(encrypted),
      (e: Error) => e instanceof UnreadablePrivateKeyError && /encrypted/.test(e.message),
    );
    const damaged = '-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----\n';
    assert.throws(
      () => loadPrivateKey(damaged),
      (e: Error) => e instanceof UnreadablePrivateKeyError && /cannot be decoded/.test(e.message) && !e.message.includes('MIIB'),
    );
    const x25519 = generateKeyPairSync('x25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    assert.throws(
      () => loadPrivateKey(x25519),
      (e: Error) => e instanceof UnsupportedKeyTypeError && /x25519 keys are not supported/.test(e.message),
    );
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    assert.throws(
      () => loadPrivateKey(k1),
      (e: Error) => e instanceof UnsupportedKeyTypeError && /secp256k1/.test(e.message),
    );
  });
});
