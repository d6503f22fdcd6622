// Our readers read stores the real tools made: keytool -importcert / -genkeypair /
// -importkeystore (JKS and PKCS#12) and openssl pkcs12 -export (default and -legacy).
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { readJks, readPkcs12, type ReadEntry } from '../../../src/keystore/index.js';
import { Pki } from '../../keystore/fixtures.js';
import { FAST_JVM, inParallel, run } from './javaTools.js';

const PASSWORD = 'foreign-pw';

function cn(der: Buffer): string {
  return /CN=([^\n]*)/.exec(new X509Certificate(der).subject)?.[1] ?? '';
}

function trusted(entries: ReadEntry[]): { alias: string; cn: string }[] {
  return entries.flatMap((e) => (e.kind === 'trustedCertificate' ? [{ alias: e.alias, cn: cn(e.certificate) }] : []));
}

describe('our readers on stores made by keytool and openssl', function () {
  this.timeout(300_000);
  const pki = new Pki();
  const cas = pki.roots('foreign', 3);
  const { intermediate, leaf } = pki.chain('foreign', 'ec-p256');
  const path = (name: string) => pki.path(name);
  const keytool = async (...args: string[]): Promise<void> => {
    const result = await run('keytool', [...FAST_JVM.map((f) => `-J${f}`), ...args]);
    assert.equal(result.code, 0, `keytool ${args.join(' ')}: ${result.stdout}${result.stderr}`);
  };
  const openssl = async (...args: string[]): Promise<void> => {
    const result = await run('openssl', args);
    assert.equal(result.code, 0, `openssl ${args.join(' ')}: ${result.stderr}`);
  };

  before(async () => {
    writeFileSync(path('chain.pem'), intermediate.certPem);
    writeFileSync(path('bundle.pem'), cas.map((c) => c.certPem).join(''));
    await openssl(
      'pkcs12',
      '-export',
      '-inkey',
      leaf.keyPath,
      '-in',
      leaf.certPath,
      '-certfile',
      path('chain.pem'),
      '-name',
      'MyKey',
      '-out',
      path('openssl.p12'),
      '-passout',
      `pass:${PASSWORD}`,
    );
    await openssl(
      'pkcs12',
      '-export',
      '-legacy',
      '-inkey',
      leaf.keyPath,
      '-in',
      leaf.certPath,
      '-certfile',
      path('chain.pem'),
      '-name',
      'MyKey',
      '-out',
      path('openssl-legacy.p12'),
      '-passout',
      `pass:${PASSWORD}`,
    );
    await openssl('pkcs12', '-export', '-nokeys', '-in', path('bundle.pem'), '-out', path('openssl-trust.p12'), '-passout', `pass:${PASSWORD}`);
    const importCerts = (storeType: string, file: string) => async () => {
      for (const [i, ca] of cas.entries()) {
        await keytool(
          '-importcert',
          '-noprompt',
          '-storetype',
          storeType,
          '-keystore',
          path(file),
          '-storepass',
          PASSWORD,
          '-alias',
          `Root-${i + 1}`,
          '-file',
          ca.certPath,
        );
      }
    };
    await inParallel(
      [
        importCerts('JKS', 'keytool-trust.jks'),
        importCerts('PKCS12', 'keytool-trust.p12'),
        () =>
          keytool(
            '-genkeypair',
            '-storetype',
            'JKS',
            '-keystore',
            path('keytool-key.jks'),
            '-storepass',
            PASSWORD,
            '-keypass',
            PASSWORD,
            '-alias',
            'generated',
            '-keyalg',
            'EC',
            '-groupname',
            'secp256r1',
            '-dname',
            'CN=keytool generated',
            '-validity',
            '2',
          ),
        () =>
          keytool(
            '-importkeystore',
            '-noprompt',
            '-srcstoretype',
            'PKCS12',
            '-srckeystore',
            path('openssl.p12'),
            '-srcstorepass',
            PASSWORD,
            '-deststoretype',
            'JKS',
            '-destkeystore',
            path('imported.jks'),
            '-deststorepass',
            PASSWORD,
            '-destkeypass',
            PASSWORD,
          ),
      ],
      2,
    );
  });
  after(() => pki.dispose());

  it('reads keytool -importcert truststores, JKS and PKCS#12', () => {
    const expected = cas.map((c, i) => ({ alias: `root-${i + 1}`, cn: c.name }));
    const jks = trusted(readJks(readFileSync(path('keytool-trust.jks')), PASSWORD)).sort((a, b) => a.alias.localeCompare(b.alias));
    assert.deepEqual(jks, expected);
    const p12 = readPkcs12(readFileSync(path('keytool-trust.p12')), PASSWORD);
    assert.deepEqual(
      p12.entries.map((e) => e.kind),
      ['trustedCertificate', 'trustedCertificate', 'trustedCertificate'],
    );
    assert.deepEqual(
      trusted(p12.entries)
        .map((t) => t.cn)
        .sort(),
      cas.map((c) => c.name).sort(),
    );
    assert.equal(p12.protection.macHash, 'sha256');
  });

  it('reads a key pair keytool generated into JKS and recovers its key', () => {
    const [entry] = readJks(readFileSync(path('keytool-key.jks')), PASSWORD);
    assert.equal(entry.kind, 'privateKey');
    assert.equal(entry.alias, 'generated');
    if (entry.kind !== 'privateKey') return;
    const key = createPrivateKey({ key: entry.pkcs8, format: 'der', type: 'pkcs8' });
    assert.ok(new X509Certificate(entry.chain[0]).checkPrivateKey(key));
  });

  it('reads a JKS keytool imported from an openssl PKCS#12 (key + chain of 2)', () => {
    const entries = readJks(readFileSync(path('imported.jks')), PASSWORD);
    assert.equal(entries.length, 1);
    const [entry] = entries;
    assert.equal(entry.kind, 'privateKey');
    if (entry.kind !== 'privateKey') return;
    assert.equal(entry.alias, 'mykey');
    assert.deepEqual(entry.chain.map(cn), [leaf.name, intermediate.name]);
    assert.ok(createPrivateKey({ key: entry.pkcs8, format: 'der', type: 'pkcs8' }).equals(leaf.key));
  });

  for (const [file, mac] of [
    ['openssl.p12', 'sha256'],
    ['openssl-legacy.p12', 'sha1'],
  ] as const) {
    it(`reads openssl pkcs12 -export ${file === 'openssl.p12' ? '(OpenSSL 3 default)' : '-legacy (RC2-40 certificates)'}`, () => {
      const { entries, protection } = readPkcs12(readFileSync(path(file)), PASSWORD);
      assert.equal(protection.macHash, mac);
      assert.equal(entries.length, 1);
      const [entry] = entries;
      assert.equal(entry.kind, 'privateKey');
      if (entry.kind !== 'privateKey') return;
      assert.equal(entry.alias, 'MyKey');
      assert.deepEqual(entry.chain.map(cn), [leaf.name, intermediate.name]);
      assert.ok(createPrivateKey({ key: entry.pkcs8, format: 'der', type: 'pkcs8' }).equals(leaf.key));
    });
  }

  it('reads an openssl pkcs12 -export -nokeys bundle as trusted certificates', () => {
    const { entries } = readPkcs12(readFileSync(path('openssl-trust.p12')), PASSWORD);
    assert.deepEqual(
      trusted(entries).map((t) => t.cn),
      cas.map((c) => c.name),
    );
  });

  it('rejects a wrong password on every foreign store', () => {
    assert.throws(() => readJks(readFileSync(path('keytool-trust.jks')), 'wrong'), /integrity check failed/);
    assert.throws(() => readPkcs12(readFileSync(path('openssl.p12')), 'wrong'), /MAC check failed/);
  });
});
