import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import {
  buildStoreFiles,
  InvalidStoreSettingsError,
  KeyMismatchError,
  NoCertificateError,
  NoTrustedCertificatesError,
  readJks,
  readPkcs12,
  storeFileNames,
  storeInputHash,
  type StoreInput,
  type StoreSettings,
} from '../../src/keystore/index.js';
import { parseCertificateBundle } from '../../src/pki/pem.js';
import { messyBundle, Pki } from './fixtures.js';

describe('keystore/storeFiles', () => {
  const pki = new Pki();
  const { root, intermediate, leaf, tlsCrt } = pki.chain('files', 'ec-p256');
  const others = pki.roots('files extra', 3);
  const stranger = pki.issue('stranger', { keyType: 'ec-p256' });
  after(() => pki.dispose());

  const input: StoreInput = {
    tlsCrt,
    tlsKey: leaf.keyPem,
    caCrt: messyBundle([root, others[0]], 2),
    trustSources: [{ name: 'configmap:extra/ca.pem', pem: others[1].certPem + root.certPem + others[2].certPem }],
  };
  const settings: StoreSettings = { formats: ['jks', 'pkcs12', 'pem'], keystorePassword: 'ks-pw', truststorePassword: 'ts-pw', alias: 'App' };
  const cn = (der: Buffer) => /CN=([^\n]*)/.exec(new X509Certificate(der).subject)?.[1];

  it('writes every file of SPEC §4 for all formats', async () => {
    const built = await buildStoreFiles(input, settings);
    assert.deepEqual(Object.keys(built.files).sort(), [
      'key.pem',
      'keystore.jks',
      'keystore.p12',
      'keystore.pass',
      'keystore.pem',
      'truststore.jks',
      'truststore.p12',
      'truststore.pass',
      'truststore.pem',
    ]);
    assert.equal(built.files['keystore.pass']!.toString(), 'ks-pw');
    assert.equal(built.files['truststore.pass']!.toString(), 'ts-pw');
  });

  it('trusts every distinct CA of ca.crt then the trust sources, in order, de-duplicated, JKS = PKCS#12 = PEM', async () => {
    const built = await buildStoreFiles(input, settings);
    const expected = [root, others[0], others[1], others[2]].map((c) => c.name);
    assert.equal(built.trustedCount, 4);
    const jks = readJks(built.files['truststore.jks']!, 'ts-pw');
    const p12 = readPkcs12(built.files['truststore.p12']!, 'ts-pw').entries;
    for (const entries of [jks, p12]) {
      assert.deepEqual(
        entries.map((e) => e.alias),
        ['trusted-certificate-1', 'trusted-certificate-2', 'trusted-certificate-3', 'trusted-certificate-4'],
      );
      assert.deepEqual(
        entries.map((e) => (e.kind === 'trustedCertificate' ? cn(e.certificate) : e.kind)),
        expected,
      );
    }
    assert.deepEqual(parseCertificateBundle(built.files['truststore.pem']!.toString()).certificates.map(cn), expected);
  });

  it('keystore: one private key entry under the alias with the whole tls.crt chain, leaf first; key.pem is PKCS#8', async () => {
    const built = await buildStoreFiles(input, settings);
    const [p12] = readPkcs12(built.files['keystore.p12']!, 'ks-pw').entries;
    const [jks] = readJks(built.files['keystore.jks']!, 'ks-pw');
    assert.equal(p12.alias, 'App');
    assert.equal(jks.alias, 'app');
    for (const entry of [p12, jks]) {
      assert.ok(entry.kind === 'privateKey');
      assert.deepEqual(entry.chain.map(cn), [leaf.name, intermediate.name]);
      assert.deepEqual(entry.pkcs8, leaf.key.export({ format: 'der', type: 'pkcs8' }));
    }
    assert.match(built.files['key.pem']!.toString(), /^-----BEGIN PRIVATE KEY-----\n/);
    assert.deepEqual(parseCertificateBundle(built.files['keystore.pem']!.toString()).certificates.map(cn), [leaf.name, intermediate.name]);
  });

  it('reports unreadable blocks as warnings naming the source', async () => {
    const { warnings } = await buildStoreFiles(input, settings);
    assert.equal(warnings.length, 1);
    // messyBundle puts a comment before CA 1 and a damaged block (block 2) before CA 2.
    assert.deepEqual(warnings, ['ca.crt: skipped unreadable block 2 (CERTIFICATE): the base64 body is damaged']);
    const three = await buildStoreFiles({ ...input, caCrt: messyBundle([root, ...others], 0) }, settings);
    assert.match(
      three.warnings[0],
      /^ca\.crt: skipped unreadable block 2 \(CERTIFICATE\): the base64 body is damaged; block 4 \(CERTIFICATE\): not a readable X\.509 certificate/,
    );
  });

  it('writes only the files of the asked formats; the truststore password defaults to the keystore one', async () => {
    assert.deepEqual(Object.keys((await buildStoreFiles(input, { formats: ['pem'] })).files).sort(), ['key.pem', 'keystore.pem', 'truststore.pem']);
    const jks = await buildStoreFiles(input, { formats: ['jks'], keystorePassword: 'same' });
    assert.deepEqual(Object.keys(jks.files).sort(), ['keystore.jks', 'keystore.pass', 'truststore.jks', 'truststore.pass']);
    assert.equal(jks.files['truststore.pass']!.toString(), 'same');
    assert.equal(readJks(jks.files['keystore.jks']!, 'same')[0].alias, 'certificate');
    assert.deepEqual(storeFileNames(['pkcs12', 'jks']), [
      'keystore.jks',
      'truststore.jks',
      'keystore.pass',
      'truststore.pass',
      'keystore.p12',
      'truststore.p12',
    ]);
  });

  it('gives equal JKS bytes for equal input', async () => {
    const a = (await buildStoreFiles(input, settings)).files;
    const b = (await buildStoreFiles(input, settings)).files;
    assert.deepEqual(a['keystore.jks'], b['keystore.jks']);
    assert.deepEqual(a['truststore.jks'], b['truststore.jks']);
  });

  it('throws typed one-line errors for bad input, never with the password in them', async () => {
    const cases: [StoreInput, StoreSettings, new (m: string) => Error, RegExp][] = [
      [
        { ...input, tlsKey: stranger.keyPem },
        settings,
        KeyMismatchError,
        /private key \(tls\.key, EC P-256\) does not match the certificate in tls\.crt \(CN=files leaf/,
      ],
      [{ ...input, caCrt: 'junk', trustSources: [] }, settings, NoTrustedCertificatesError, /no CA certificate for the truststore/],
      [{ ...input, tlsCrt: 'nothing' }, settings, NoCertificateError, /tls\.crt holds no readable certificate/],
      [input, { ...settings, formats: ['jks', 'zip' as 'jks'] }, InvalidStoreSettingsError, /unknown format 'zip'; use jks, pkcs12 or pem/],
      [
        input,
        { ...settings, pkcs12Profile: 'Modern2099' as 'Modern2023' },
        InvalidStoreSettingsError,
        /unknown PKCS#12 profile 'Modern2099'; use Modern2023, LegacyDES, LegacyRC2/,
      ],
      [input, { ...settings, formats: [] }, InvalidStoreSettingsError, /no format given/],
      [input, { formats: ['pkcs12'] }, InvalidStoreSettingsError, /a keystore password is needed/],
      [input, { ...settings, keystorePassword: 'x'.repeat(2000) }, InvalidStoreSettingsError, /keystore password is longer than 1024/],
    ];
    for (const [badInput, badSettings, type, message] of cases) {
      await assert.rejects(buildStoreFiles(badInput, badSettings), (e: Error) => {
        assert.ok(e instanceof type, `${e.name}: ${e.message}`);
        assert.match(e.message, message);
        assert.doesNotMatch(e.message, /\n|ks-pw|xxxx/);
        return true;
      });
    }
  });

  it('hashes every input and setting: any change moves the hash, format order does not', () => {
    const base = storeInputHash(input, settings);
    assert.match(base, /^[0-9a-f]{64}$/);
    assert.equal(storeInputHash(input, { ...settings, formats: ['pem', 'pkcs12', 'jks'] }), base);
    const changed = [
      storeInputHash({ ...input, tlsCrt: input.tlsCrt + '\n' }, settings),
      storeInputHash({ ...input, tlsKey: input.tlsKey + '\n' }, settings),
      storeInputHash({ ...input, caCrt: '' }, settings),
      storeInputHash({ ...input, trustSources: [] }, settings),
      storeInputHash({ ...input, trustSources: [{ name: 'secret:x/ca.crt', pem: input.trustSources![0].pem }] }, settings),
      storeInputHash(input, { ...settings, formats: ['jks'] }),
      storeInputHash(input, { ...settings, keystorePassword: 'other' }),
      storeInputHash(input, { ...settings, truststorePassword: 'other' }),
      storeInputHash(input, { ...settings, alias: 'app' }),
      storeInputHash(input, { ...settings, pkcs12Profile: 'LegacyDES' }),
    ];
    assert.equal(new Set([base, ...changed]).size, changed.length + 1);
  });
});
