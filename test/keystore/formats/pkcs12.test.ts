import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { KeyDerivations, Pkcs12Encoder, PKCS12_PROFILES, pkcs12Profiles, readPkcs12, StoreReadError, type StoreContent } from '../../../src/keystore/index.js';
import { OID } from '../../../src/keystore/formats/oids.js';
import { Pki } from '../fixtures.js';

describe('keystore/formats/pkcs12', () => {
  const pki = new Pki();
  const { root, intermediate, leaf } = pki.chain('p12', 'ed25519');
  const extra = pki.issue('p12 other root');
  after(() => pki.dispose());

  const cert = (pem: string) => {
    const x509 = new X509Certificate(pem);
    return { der: x509.raw, notBefore: new Date(x509.validFrom) };
  };
  const keystore: StoreContent = {
    privateKey: { alias: 'Mixed-Case', pkcs8: leaf.key.export({ format: 'der', type: 'pkcs8' }), chain: [cert(leaf.certPem), cert(intermediate.certPem)] },
    trusted: [],
  };
  const truststore: StoreContent = {
    trusted: [
      { alias: 'trusted-certificate-1', certificate: cert(root.certPem) },
      { alias: 'trusted-certificate-2', certificate: cert(extra.certPem) },
    ],
  };
  const expectedEncryption = {
    Modern2023: { key: `pbes2:${OID.aes256Cbc}`, certificates: `pbes2:${OID.aes256Cbc}`, mac: 'sha256' },
    LegacyDES: { key: OID.pbeWithSHAAnd3KeyTripleDesCbc, certificates: OID.pbeWithSHAAnd3KeyTripleDesCbc, mac: 'sha1' },
    LegacyRC2: { key: OID.pbeWithSHAAnd3KeyTripleDesCbc, certificates: OID.pbeWithSHAAnd40BitRC2Cbc, mac: 'sha1' },
  } as const;

  for (const profile of PKCS12_PROFILES) {
    it(`${profile}: round-trips keystore and truststore with the profile's algorithms`, async () => {
      const encoder = new Pkcs12Encoder(pkcs12Profiles[profile]);
      const ks = readPkcs12(await encoder.encode(keystore, 'pw-1'), 'pw-1');
      assert.deepEqual(ks.protection, {
        macHash: expectedEncryption[profile].mac,
        macIterations: 2048,
        encryptions: [expectedEncryption[profile].certificates, expectedEncryption[profile].key],
      });
      assert.equal(ks.entries.length, 1);
      const [entry] = ks.entries;
      assert.equal(entry.kind, 'privateKey');
      if (entry.kind !== 'privateKey') return;
      assert.equal(entry.alias, 'Mixed-Case');
      assert.deepEqual(entry.pkcs8, keystore.privateKey!.pkcs8);
      assert.deepEqual(
        entry.chain,
        keystore.privateKey!.chain.map((c) => c.der),
      );

      const ts = readPkcs12(await encoder.encode(truststore, 'pw-2'), 'pw-2');
      assert.deepEqual(
        ts.entries.map((e) => [e.kind, e.alias]),
        [
          ['trustedCertificate', 'trusted-certificate-1'],
          ['trustedCertificate', 'trusted-certificate-2'],
        ],
      );
      assert.ok(ts.entries[1].kind === 'trustedCertificate' && ts.entries[1].certificate.equals(truststore.trusted[1].certificate.der));
    });
  }

  it('derives each key once per set: a shared cache gives keystore and truststore one PBES2 salt and one MAC salt', async () => {
    const derivations = new KeyDerivations();
    const encoder = new Pkcs12Encoder(pkcs12Profiles.Modern2023, derivations);
    const [a, b] = await Promise.all([encoder.encode(keystore, 'pw'), encoder.encode(truststore, 'pw')]);
    const macSalt = (bytes: Buffer) => bytes.subarray(bytes.length - 16 - 4, bytes.length - 4).toString('hex');
    assert.equal(macSalt(a), macSalt(b));
    assert.equal(readPkcs12(a, 'pw').entries.length, 1);
    // A fresh encoder draws new salts: PKCS#12 output is not deterministic (the input hash is).
    assert.notEqual(macSalt(await new Pkcs12Encoder(pkcs12Profiles.Modern2023).encode(truststore, 'pw')), macSalt(b));
  });

  it('rejects a wrong password and damaged files with StoreReadError, never a crash', async () => {
    const bytes = await new Pkcs12Encoder(pkcs12Profiles.Modern2023).encode(keystore, 'pw');
    assert.throws(() => readPkcs12(bytes, 'wrong'), /MAC check failed/);
    assert.throws(() => readPkcs12(Buffer.from('not a pkcs12'), 'pw'), StoreReadError);
    for (let i = 0; i < bytes.length; i += 23) {
      const damaged = Buffer.from(bytes);
      damaged[i] ^= 0xa5;
      assert.throws(() => readPkcs12(damaged, 'pw'), StoreReadError, `byte ${i}`);
    }
    for (const length of [1, 5, 40, 200, bytes.length - 1]) {
      assert.throws(() => readPkcs12(bytes.subarray(0, length), 'pw'), StoreReadError, `length ${length}`);
    }
  });
});
