import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { keyMatchesCertificate, loadPrivateKey, UnreadablePrivateKeyError, UnsupportedKeyTypeError } from '../../src/keystore/index.js';
import { keyPem, Pki, type TestKeyEncoding, type TestKeyType } from './fixtures.js';

describe('keystore/privateKey', () => {
  const pki = new Pki();
  after(() => pki.dispose());

  const cases: [TestKeyType, TestKeyEncoding, string][] = [
    ['rsa', 'pkcs1', 'RSA'], ['rsa', 'pkcs8', 'RSA'],
    ['ec-p256', 'sec1', 'EC P-256'], ['ec-p256', 'pkcs8', 'EC P-256'],
    ['ec-p384', 'sec1', 'EC P-384'], ['ec-p521', 'pkcs8', 'EC P-521'],
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
      assert.equal(keyMatchesCertificate(loaded, new X509Certificate(issued.certPem)), true);
    });
  }

  it('says when a key does not match a certificate', () => {
    const a = pki.issue('a', { keyType: 'ec-p256' });
    const b = pki.issue('b', { keyType: 'ec-p256' });
    const rsa = pki.issue('c', { keyType: 'rsa' });
    assert.equal(keyMatchesCertificate(loadPrivateKey(a.keyPem), new X509Certificate(b.certPem)), false);
    assert.equal(keyMatchesCertificate(loadPrivateKey(rsa.keyPem), new X509Certificate(a.certPem)), false);
  });

  it('skips an EC PARAMETERS block before a SEC1 key', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    const params = '-----BEGIN EC PARAMETERS-----\nBgUrgQQAIg==\n-----END EC PARAMETERS-----\n';
    assert.equal(loadPrivateKey(params + keyPem(key, 'sec1')).algorithm, 'EC P-384');
  });

  it('rejects missing, encrypted, damaged and unsupported keys with typed errors and no key bytes', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const encrypted = key.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'x' }).toString();
    assert.throws(() => loadPrivateKey(''), (e: Error) => e instanceof UnreadablePrivateKeyError && /no private key found/.test(e.message));
    assert.throws(() => loadPrivateKey(encrypted), (e: Error) => e instanceof UnreadablePrivateKeyError && /encrypted/.test(e.message));
    const damaged = '-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----\n';
    assert.throws(() => loadPrivateKey(damaged), (e: Error) => e instanceof UnreadablePrivateKeyError && /cannot be decoded/.test(e.message) && !e.message.includes('MIIB'));
    const x25519 = generateKeyPairSync('x25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    assert.throws(() => loadPrivateKey(x25519), (e: Error) => e instanceof UnsupportedKeyTypeError && /x25519 keys are not supported/.test(e.message));
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    assert.throws(() => loadPrivateKey(k1), (e: Error) => e instanceof UnsupportedKeyTypeError && /secp256k1/.test(e.message));
  });
});

