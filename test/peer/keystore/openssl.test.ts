// OpenSSL 3 reads our PKCS#12 files: Modern2023 without -legacy (MAC and every bag checked),
// LegacyDES too, LegacyRC2 only with -legacy. Our PKCS#12 KDF agrees with `openssl kdf`.
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { buildStoreFiles, type Pkcs12ProfileName } from '../../../src/keystore/index.js';
import { bmpPassword, pkcs12Kdf, type Pkcs12Hash } from '../../../src/keystore/crypto/pkcs12Kdf.js';
import { messyBundle, Pki } from '../../keystore/fixtures.js';
import { inParallel, run } from './javaTools.js';

const PASSWORD = 'open$SSL#pw_1';

describe('openssl pkcs12 on our PKCS#12 files', function () {
  this.timeout(120_000);
  const pki = new Pki();
  const passwordFile = pki.path('password');
  const { intermediate, leaf, root, tlsCrt } = pki.chain('openssl', 'ec-p256');
  const cas = [root, ...pki.roots('openssl extra', 4)];
  const stores = new Map<Pkcs12ProfileName, { keystore: string; truststore: string }>();

  before(async () => {
    writeFileSync(passwordFile, PASSWORD);
    for (const profile of ['Modern2023', 'LegacyDES', 'LegacyRC2'] as const) {
      const built = await buildStoreFiles(
        { tlsCrt, tlsKey: leaf.keyPem, caCrt: messyBundle(cas, 2) },
        { formats: ['pkcs12'], keystorePassword: PASSWORD, alias: 'MyKey', pkcs12Profile: profile },
      );
      const keystore = pki.path(`${profile}-keystore.p12`);
      const truststore = pki.path(`${profile}-truststore.p12`);
      writeFileSync(keystore, built.files['keystore.p12']!);
      writeFileSync(truststore, built.files['truststore.p12']!);
      stores.set(profile, { keystore, truststore });
    }
  });
  after(() => pki.dispose());

  const info = (path: string, ...extra: string[]) => run('openssl', ['pkcs12', '-info', '-in', path, '-passin', `file:${passwordFile}`, ...extra]);

  it('reads the Modern2023 keystore without -legacy: SHA-256 MAC, PBES2/AES-256 bags, alias and localKeyID', async () => {
    const { keystore } = stores.get('Modern2023')!;
    const noout = await info(keystore, '-noout');
    assert.equal(noout.code, 0, noout.stderr);
    assert.match(noout.stderr + noout.stdout, /MAC: sha256, Iteration 2048/);
    const out = await info(keystore, '-nodes');
    assert.equal(out.code, 0, out.stderr);
    const text = out.stdout + out.stderr;
    assert.match(text, /PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
    assert.match(text, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
    assert.equal([...text.matchAll(/^Certificate bag$/gm)].length, 2);
    // Key and leaf carry the alias with its case and one shared localKeyID.
    const names = [...text.matchAll(/friendlyName: (.*)$/gm)].map((m) => m[1]);
    assert.deepEqual(names, ['MyKey', 'MyKey']);
    const ids = [...text.matchAll(/localKeyID: (.*)$/gm)].map((m) => m[1].trim());
    assert.equal(ids.length, 2);
    assert.equal(ids[0], ids[1]);
    const subjects = [...text.matchAll(/^subject=(.*)$/gm)].map((m) => m[1]);
    assert.deepEqual(subjects, [`CN = ${leaf.name}, O = cmpv2-operator tests`, `CN = ${intermediate.name}, O = cmpv2-operator tests`]);
    // The key OpenSSL decrypted is the one we were given.
    const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----/.exec(text)?.[0];
    assert.ok(keyPem, 'openssl printed no private key');
    assert.ok(createPrivateKey(keyPem).equals(leaf.key));
  });

  it('reads the Modern2023 truststore without -legacy: one bag per CA with alias and Java trust attribute', async () => {
    const { truststore } = stores.get('Modern2023')!;
    const out = await info(truststore, '-nokeys');
    assert.equal(out.code, 0, out.stderr);
    const text = out.stdout + out.stderr;
    assert.match(text, /MAC: sha256, Iteration 2048/);
    assert.match(text, /PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
    const names = [...text.matchAll(/friendlyName: (.*)$/gm)].map((m) => m[1]);
    assert.deepEqual(
      names,
      cas.map((_, i) => `trusted-certificate-${i + 1}`),
    );
    assert.equal([...text.matchAll(/^\s+2\.16\.840\.1\.113894\.746875\.1\.1: /gm)].length, cas.length);
    const subjects = [...text.matchAll(/^subject=CN = (.*), O = /gm)].map((m) => m[1]);
    assert.deepEqual(
      subjects,
      cas.map((c) => c.name),
    );
  });

  it('reads LegacyDES without -legacy', async () => {
    for (const path of Object.values(stores.get('LegacyDES')!)) {
      const out = await info(path, '-nodes');
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout + out.stderr, /pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048/);
      assert.match(out.stdout + out.stderr, /MAC: sha1, Iteration 2048/);
    }
  });

  it('reads LegacyRC2 only with -legacy (RC2-40 is in OpenSSL 3’s legacy provider)', async () => {
    const { keystore, truststore } = stores.get('LegacyRC2')!;
    const refused = await info(truststore, '-nokeys');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /RC2-40-CBC/);
    for (const path of [keystore, truststore]) {
      const out = await info(path, '-nodes', '-legacy');
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout + out.stderr, /pbeWithSHA1And40BitRC2-CBC, Iteration 2048/);
    }
  });
});

describe('PKCS#12 KDF against openssl kdf PKCS12KDF', function () {
  this.timeout(120_000);
  const cases: { hash: Pkcs12Hash; id: 1 | 2 | 3; iterations: number; length: number; password: string; salt: string }[] = [
    { hash: 'sha1', id: 1, iterations: 1, length: 24, password: 'smeg', salt: '0a58cf64530d823f' },
    { hash: 'sha1', id: 2, iterations: 1000, length: 8, password: 'queeg', salt: '05dec959acff72f7' },
    { hash: 'sha1', id: 3, iterations: 2048, length: 20, password: 'changeit', salt: '00112233445566778899aabbccddeeff' },
    { hash: 'sha256', id: 3, iterations: 2048, length: 32, password: 'store-Pa$$word#1', salt: '00112233445566778899aabbccddeeff' },
    { hash: 'sha256', id: 1, iterations: 3, length: 70, password: 'a much longer password that spans more than one 64-byte block', salt: 'aa' },
    { hash: 'sha512', id: 3, iterations: 5, length: 64, password: 'x', salt: '0102030405060708' },
  ];
  it('derives the same bytes as OpenSSL for SHA-1, SHA-256 and SHA-512, single and multi-block', async () => {
    const results = await inParallel(
      cases.map(
        (c) => () =>
          run('openssl', [
            'kdf',
            '-keylen',
            String(c.length),
            '-kdfopt',
            `digest:${c.hash.toUpperCase()}`,
            // The KDF takes raw bytes: give it the NUL-terminated BMPString RFC 7292 B.1 prescribes.
            '-kdfopt',
            `hexpass:${bmpPassword(c.password).toString('hex')}`,
            '-kdfopt',
            `hexsalt:${c.salt}`,
            '-kdfopt',
            `iter:${c.iterations}`,
            '-kdfopt',
            `id:${c.id}`,
            'PKCS12KDF',
          ]),
      ),
    );
    cases.forEach((c, i) => {
      assert.equal(results[i].code, 0, results[i].stderr);
      const expected = results[i].stdout.trim().replace(/:/g, '').toLowerCase();
      assert.equal(pkcs12Kdf(c.hash, c.password, Buffer.from(c.salt, 'hex'), c.id, c.iterations, c.length).toString('hex'), expected, JSON.stringify(c));
    });
  });
});
