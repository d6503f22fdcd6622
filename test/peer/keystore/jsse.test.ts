// A real JSSE TLS handshake (Java 17): a server whose key manager reads only our keystore and a
// client whose trust manager reads only our truststore, for JKS and PKCS#12, with a chain
// root → intermediate → leaf and a truststore holding several roots.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { buildStoreFiles, type Pkcs12ProfileName } from '../../../src/keystore/index.js';
import { Pki, type TestKeyType } from '../../keystore/fixtures.js';
import { compileTlsHandshake, FAST_JVM, run } from './javaTools.js';

describe('JSSE TLS handshake with our stores', function () {
  this.timeout(300_000);
  const pki = new Pki();
  const lines = new Map<string, string>();

  before(async () => {
    const classes = await compileTlsHandshake();
    const args: string[] = [];
    const strangers = pki.roots('stranger', 3);
    const write = (name: string, data: Buffer | string): string => {
      const path = pki.path(name);
      writeFileSync(path, data);
      return path;
    };
    const cases: { label: string; keyType: TestKeyType; profile: Pkcs12ProfileName; trustRoot: boolean }[] = [
      { label: 'ec', keyType: 'ec-p256', profile: 'Modern2023', trustRoot: true },
      { label: 'rsa', keyType: 'rsa', profile: 'Modern2023', trustRoot: true },
      { label: 'legacy', keyType: 'ec-p384', profile: 'LegacyDES', trustRoot: true },
      { label: 'untrusted', keyType: 'ec-p256', profile: 'Modern2023', trustRoot: false },
    ];
    for (const { label, keyType, profile, trustRoot } of cases) {
      const { root, leaf, tlsCrt } = pki.chain(`jsse ${label}`, keyType);
      // The chain's root sits between other roots; the "untrusted" case leaves it out.
      const cas = trustRoot ? [strangers[0], root, strangers[1], strangers[2]] : strangers;
      const built = await buildStoreFiles(
        { tlsCrt, tlsKey: leaf.keyPem, caCrt: cas.map((c) => c.certPem).join('') },
        { formats: ['jks', 'pkcs12'], keystorePassword: `ks-${label}-pw`, truststorePassword: `ts-${label}-pw`, alias: 'Server', pkcs12Profile: profile },
      );
      const files = Object.fromEntries(Object.entries(built.files).map(([name, data]) => [name, write(`${label}-${name}`, data)]));
      args.push(`${label}-jks`, 'JKS', files['keystore.jks'], files['keystore.pass'], 'JKS', files['truststore.jks'], files['truststore.pass']);
      args.push(`${label}-pkcs12`, 'PKCS12', files['keystore.p12'], files['keystore.pass'], 'PKCS12', files['truststore.p12'], files['truststore.pass']);
    }
    const result = await run('java', [...FAST_JVM, '-cp', classes, 'TlsHandshake', ...args]);
    assert.equal(result.code, 0, `TlsHandshake failed to run: ${result.stderr}`);
    for (const line of result.stdout.trim().split('\n')) {
      const [label, ...rest] = line.split(' ');
      lines.set(label, rest.join(' '));
    }
  });

  after(() => pki.dispose());

  for (const label of ['ec', 'rsa', 'legacy']) {
    for (const format of ['jks', 'pkcs12']) {
      it(`completes with ${label} keys from ${format.toUpperCase()}, the server sending leaf + intermediate`, () => {
        assert.match(lines.get(`${label}-${format}`) ?? 'missing', /^OK TLSv1\.[23] \S+ chain=2$/);
      });
    }
  }

  it('fails when the truststore lacks the chain root (the test can fail)', () => {
    assert.match(lines.get('untrusted-jks') ?? 'missing', /^FAIL .*(certification path|PKIX)/);
    assert.match(lines.get('untrusted-pkcs12') ?? 'missing', /^FAIL .*(certification path|PKIX)/);
  });
});
