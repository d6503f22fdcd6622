import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { encodeJks, readJks, StoreReadError, type StoreContent } from '../../../src/keystore/index.js';
import { Pki } from '../fixtures.js';

describe('keystore/formats/jks', () => {
  const pki = new Pki();
  const { root, intermediate, leaf } = pki.chain('jks', 'rsa');
  const extra = pki.issue('jks other root');
  after(() => pki.dispose());

  const cert = (pem: string) => {
    const x509 = new X509Certificate(pem);
    return { der: x509.raw, notBefore: new Date(x509.validFrom) };
  };
  const content: StoreContent = {
    privateKey: { alias: 'Server-Key', pkcs8: leaf.key.export({ format: 'der', type: 'pkcs8' }), chain: [cert(leaf.certPem), cert(intermediate.certPem)] },
    trusted: [
      { alias: 'trusted-certificate-1', certificate: cert(root.certPem) },
      { alias: 'trusted-certificate-2', certificate: cert(extra.certPem) },
    ],
  };

  it('writes the JKS header: magic FEEDFEED, version 2, entry count', () => {
    const bytes = encodeJks(content, 'pw');
    assert.equal(bytes.readUInt32BE(0), 0xfeedfeed);
    assert.equal(bytes.readUInt32BE(4), 2);
    assert.equal(bytes.readUInt32BE(8), 3);
  });

  it('round-trips key, chain and trusted certificates, dated with notBefore, alias lower-cased as Java stores it', () => {
    const entries = readJks(encodeJks(content, 'pässwörd'), 'pässwörd');
    assert.equal(entries.length, 3);
    const [key, t1, t2] = entries;
    assert.equal(key.kind, 'privateKey');
    if (key.kind !== 'privateKey') return;
    assert.equal(key.alias, 'server-key');
    assert.deepEqual(key.pkcs8, content.privateKey!.pkcs8);
    assert.deepEqual(
      key.chain,
      content.privateKey!.chain.map((c) => c.der),
    );
    assert.equal(key.date?.getTime(), content.privateKey!.chain[0].notBefore.getTime());
    assert.deepEqual([t1.alias, t2.alias], ['trusted-certificate-1', 'trusted-certificate-2']);
    assert.equal(t2.kind === 'trustedCertificate' && t2.certificate.equals(content.trusted[1].certificate.der), true);
    assert.equal(t1.date?.getTime(), content.trusted[0].certificate.notBefore.getTime());
  });

  it('gives equal bytes for equal input, different bytes for another password', () => {
    assert.deepEqual(encodeJks(content, 'pw'), encodeJks(content, 'pw'));
    assert.notDeepEqual(encodeJks(content, 'pw'), encodeJks(content, 'pw2'));
  });

  it('rejects a wrong password and every damaged byte range without crashing', () => {
    const bytes = encodeJks(content, 'pw');
    assert.throws(() => readJks(bytes, 'wrong'), /integrity check failed/);
    assert.throws(() => readJks(bytes.subarray(0, 10), 'pw'), StoreReadError);
    for (let i = 0; i < bytes.length; i += 37) {
      const damaged = Buffer.from(bytes);
      damaged[i] ^= 0x5a;
      assert.throws(() => readJks(damaged, 'pw'), StoreReadError);
    }
    const jceks = Buffer.from(bytes);
    jceks.writeUInt32BE(0xcececece, 0);
    assert.throws(() => readJks(jceks, 'pw'), /JCEKS/);
  });
});
