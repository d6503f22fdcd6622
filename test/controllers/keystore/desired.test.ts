// Table-driven tests of the pure store computation: objects in, keys/hash/warnings or a typed
// failure out. Certificates come from the real OpenSSL (test/keystore/fixtures.ts).
import assert from 'node:assert/strict';
import { KEYSTORE_ANNOTATIONS as a, MANAGED_LABEL, parseKeystoreRequest, FAILURE_REASON, WARNING_REASON } from '../../../src/api/keystoreAnnotations.js';
import { computeDesired, type DesiredInput, type DesiredResult, type DesiredStores } from '../../../src/controllers/keystore/desired.js';
import type { ConfigMap, Secret } from '../../../src/k8s/meta.js';
import { readJks } from '../../../src/keystore/index.js';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { Pki } from '../../keystore/fixtures.js';
import { FAST_JVM } from '../../peer/keystore/javaTools.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('controllers/keystore/desired', () => {
  const pki = new Pki();
  const { root, leaf, tlsCrt } = pki.chain('desired');
  const other = pki.issue('desired stranger');
  const [extra] = pki.roots('desired extra', 1);
  after(() => pki.dispose());

  function target(data: Record<string, string> = {}, annotations: Record<string, string> = {}, labels: Record<string, string> = {}): Secret {
    return {
      metadata: { name: 'web-tls', namespace: 'apps', resourceVersion: '7', annotations, labels },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': b64(tlsCrt), 'tls.key': b64(leaf.keyPem), 'ca.crt': b64(root.certPem), ...data },
    };
  }

  function input(annotations: Record<string, string>, options: Partial<DesiredInput> = {}): DesiredInput {
    const parsed = parseKeystoreRequest(annotations);
    assert.ok(parsed?.ok);
    let n = 0;
    return {
      request: parsed.value,
      certManagerFormats: [],
      target: target(),
      secrets: new Map<string, Secret | undefined>(),
      configMaps: new Map<string, ConfigMap | undefined>(),
      newPassword: () => `generated-password-${++n}-xxxxxx`.slice(0, 24),
      ...options,
    };
  }

  async function ready(pending: Promise<DesiredResult>): Promise<DesiredStores> {
    const result = await pending;
    assert.equal(result.status, 'ready', result.status === 'failed' ? result.message : result.status);
    return result as DesiredStores;
  }

  /** A target that already holds `desired` (as the API server would after our patch). */
  function applied(before: Secret, desired: DesiredStores): Secret {
    const data = { ...before.data, ...desired.data };
    for (const k of desired.remove) delete data[k];
    return {
      ...before,
      data,
      metadata: {
        ...before.metadata,
        annotations: { ...before.metadata.annotations, [a.hash]: desired.hash, [a.keys]: desired.keys.join(',') },
        labels: { [MANAGED_LABEL]: 'true' },
      },
    };
  }

  const keySets: [string, string, string[]][] = [
    ['jks', 'jks', ['keystore.jks', 'keystore.pass', 'truststore.jks', 'truststore.pass']],
    ['pkcs12', 'pkcs12', ['keystore.p12', 'keystore.pass', 'truststore.p12', 'truststore.pass']],
    ['pem', 'pem', ['key.pem', 'keystore.pem', 'truststore.pem']],
    [
      'all',
      'jks,pkcs12,pem',
      ['key.pem', 'keystore.jks', 'keystore.p12', 'keystore.pass', 'keystore.pem', 'truststore.jks', 'truststore.p12', 'truststore.pass', 'truststore.pem'],
    ],
  ];
  for (const [label, formats, keys] of keySets) {
    it(`writes exactly the SPEC §4 keys for ${label}`, async () => {
      const desired = await ready(computeDesired(input({ [a.formats]: formats })));
      assert.deepEqual(desired.keys, keys);
      assert.deepEqual(Object.keys(desired.data).sort(), keys);
      assert.equal(desired.unchanged, false);
    });
  }

  it('generates a password once and keeps it: the second computation is unchanged', async () => {
    const first = await ready(computeDesired(input({ [a.formats]: 'jks,pem' })));
    assert.equal(Buffer.from(first.data['keystore.pass'], 'base64').toString(), 'generated-password-1-xxx');
    const again = await ready(computeDesired(input({ [a.formats]: 'jks,pem' }, { target: applied(target(), first) })));
    assert.equal(again.unchanged, true);
    assert.equal(again.hash, first.hash);
    assert.deepEqual(again.data, {});
  });

  it('does not reuse a keystore.pass it did not write (a user key of that name)', async () => {
    const desired = await ready(computeDesired(input({ [a.formats]: 'jks' }, { target: target({ 'keystore.pass': b64('users-own') }) })));
    assert.notEqual(Buffer.from(desired.data['keystore.pass'], 'base64').toString(), 'users-own');
  });

  it('rebuilds when a kept store key was deleted although the hash matches', async () => {
    const first = await ready(computeDesired(input({ [a.formats]: 'pem' })));
    const holding = applied(target(), first);
    delete holding.data!['key.pem'];
    assert.equal((await ready(computeDesired(input({ [a.formats]: 'pem' }, { target: holding })))).unchanged, false);
  });

  const changes: [string, Record<string, string>, Partial<DesiredInput>][] = [
    ['the alias', { [a.formats]: 'jks', [a.alias]: 'other' }, {}],
    ['the profile', { [a.formats]: 'jks', [a.pkcs12Profile]: 'LegacyDES' }, {}],
    ['the formats', { [a.formats]: 'jks,pem' }, {}],
    ['ca.crt', { [a.formats]: 'jks' }, { target: target({ 'ca.crt': b64(root.certPem + extra.certPem) }) }],
  ];
  for (const [label, annotations, options] of changes) {
    it(`changes the hash when ${label} changes`, async () => {
      const base = await ready(computeDesired(input({ [a.formats]: 'jks' })));
      const holding = applied(target(), base);
      const changed = await ready(
        computeDesired(input(annotations, { ...options, target: options.target ? applied(options.target, { ...base, data: {} }) : holding })),
      );
      assert.notEqual(changed.hash, base.hash);
      assert.equal(changed.unchanged, false);
    });
  }

  it('reads the password Secret (a trailing newline dropped) and a separate truststore password', async () => {
    const secrets = new Map<string, Secret | undefined>([
      ['pw', { metadata: { name: 'pw' }, data: { password: b64('store-pw\n') } }],
      ['tpw', { metadata: { name: 'tpw' }, data: { t: b64('trust-pw') } }],
    ]);
    const desired = await ready(
      computeDesired(input({ [a.formats]: 'jks', [a.passwordSecret]: 'pw', [a.truststorePasswordSecret]: 'tpw', [a.truststorePasswordKey]: 't' }, { secrets })),
    );
    assert.equal(Buffer.from(desired.data['keystore.pass'], 'base64').toString(), 'store-pw');
    assert.equal(Buffer.from(desired.data['truststore.pass'], 'base64').toString(), 'trust-pw');
    assert.equal(readJks(Buffer.from(desired.data['truststore.jks'], 'base64'), 'trust-pw').length, 1);
  });

  const failures: [string, Record<string, string>, Partial<DesiredInput>, string, RegExp][] = [
    [
      'a missing password Secret',
      { [a.formats]: 'jks', [a.passwordSecret]: 'pw' },
      {},
      FAILURE_REASON.passwordSecretMissing,
      /Secret apps\/pw does not exist; create it with the key 'password'/,
    ],
    [
      'a password Secret without the key',
      { [a.formats]: 'jks', [a.passwordSecret]: 'pw' },
      { secrets: new Map([['pw', { metadata: { name: 'pw' }, data: {} }]]) },
      FAILURE_REASON.passwordSecretMissing,
      /has no \(or an empty\) key 'password'/,
    ],
    [
      'a missing trust source',
      { [a.formats]: 'pem', [a.trustSources]: 'configmap:cas/ca.pem' },
      {},
      FAILURE_REASON.trustSourceMissing,
      /configmap:cas\/ca\.pem: ConfigMap apps\/cas or its key 'ca\.pem' does not exist/,
    ],
    [
      'a key that does not match',
      { [a.formats]: 'pem' },
      { target: target({ 'tls.key': b64(other.keyPem) }) },
      FAILURE_REASON.keyMismatch,
      /does not match the certificate.*the old stores stay/,
    ],
    [
      'no CA at all',
      { [a.formats]: 'jks' },
      { target: target({ 'ca.crt': b64('') }) },
      FAILURE_REASON.noTrustedCertificates,
      /no CA certificate for the truststore/,
    ],
    [
      'an unreadable key',
      { [a.formats]: 'pem' },
      { target: target({ 'tls.key': b64('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n') }) },
      FAILURE_REASON.unreadableKey,
      /./,
    ],
  ];
  for (const [label, annotations, options, reason, message] of failures) {
    it(`fails on ${label} (${reason}), no password or key in the message`, async () => {
      const result = await computeDesired(input(annotations, options));
      assert.equal(result.status, 'failed');
      if (result.status !== 'failed') return;
      assert.equal(result.reason, reason);
      assert.match(result.message, message);
      assert.doesNotMatch(result.message, /-----BEGIN|store-pw/);
    });
  }

  it('waits (no failure) while the target has no certificate', async () => {
    const result = await computeDesired(input({ [a.formats]: 'jks' }, { target: { metadata: { name: 'web-tls', namespace: 'apps' }, data: {} } }));
    assert.equal(result.status, 'waiting');
  });

  it('builds from the readable ca.crt blocks and warns naming the bad one', async () => {
    const junk = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n';
    const desired = await ready(computeDesired(input({ [a.formats]: 'pem' }, { target: target({ 'ca.crt': b64(root.certPem + junk) }) })));
    assert.deepEqual(
      desired.warnings.map((w) => w.reason),
      [WARNING_REASON.unreadableBlocks],
    );
    assert.match(desired.warnings[0].message, /ca\.crt.*block 2/);
  });

  it('merges a trust source ConfigMap after ca.crt, de-duplicated', async () => {
    const configMaps = new Map<string, ConfigMap | undefined>([
      ['cas', { metadata: { name: 'cas' }, data: { 'ca.pem': root.certPem + extra.certPem + extra.certPem } }],
    ]);
    const desired = await ready(computeDesired(input({ [a.formats]: 'jks', [a.trustSources]: 'configmap:cas/ca.pem' }, { configMaps })));
    const truststore = readJks(Buffer.from(desired.data['truststore.jks'], 'base64'), Buffer.from(desired.data['truststore.pass'], 'base64').toString());
    assert.equal(truststore.length, 2);
  });

  it('removing a format removes exactly the keys written for it, never a user key', async () => {
    const first = await ready(computeDesired(input({ [a.formats]: 'jks,pem' })));
    const holding = applied(target({ 'user.key': b64('mine') }), first);
    const second = await ready(computeDesired(input({ [a.formats]: 'jks' }, { target: holding })));
    assert.deepEqual(second.remove.sort(), ['key.pem', 'keystore.pem', 'truststore.pem']);
    assert.equal(
      Buffer.from(second.data['keystore.pass'], 'base64').toString(),
      Buffer.from(first.data['keystore.pass'], 'base64').toString(),
      'password kept',
    );
  });

  it('leaves a format cert-manager creates to it, and the other binary format out too (no write loop), with Warnings', async () => {
    const first = await ready(computeDesired(input({ [a.formats]: 'jks,pkcs12,pem' })));
    const holding = applied(target(), first);
    const desired = await ready(computeDesired(input({ [a.formats]: 'jks,pkcs12,pem' }, { target: holding, certManagerFormats: ['jks'] })));
    assert.deepEqual(desired.formats, ['pem']);
    assert.deepEqual(desired.keys, ['key.pem', 'keystore.pem', 'truststore.pem']);
    // keystore.jks/truststore.jks are cert-manager's now: never removed by us.
    assert.deepEqual(desired.remove.sort(), ['keystore.p12', 'keystore.pass', 'truststore.p12', 'truststore.pass']);
    assert.deepEqual(
      desired.warnings.map((w) => w.reason),
      [WARNING_REASON.formatConflict, WARNING_REASON.formatConflict],
    );
    assert.match(desired.warnings[0].message, /set spec\.keystores\.jks\.create to false/);
    const settled = await ready(computeDesired(input({ [a.formats]: 'jks,pkcs12,pem' }, { target: applied(holding, desired), certManagerFormats: ['jks'] })));
    assert.equal(settled.unchanged, true);
  });

  it('with only a cert-manager format requested: nothing built, stable hash', async () => {
    const desired = await ready(computeDesired(input({ [a.formats]: 'pkcs12' }, { certManagerFormats: ['pkcs12'] })));
    assert.deepEqual(desired.keys, []);
    const again = await ready(computeDesired(input({ [a.formats]: 'pkcs12' }, { certManagerFormats: ['pkcs12'], target: applied(target(), desired) })));
    assert.equal(again.unchanged, true);
  });
  describe('binary trust sources (JKS / PKCS#12 with ?password-key=)', () => {
    // Stores made by the real tools: keytool writes the JKS, OpenSSL the PKCS#12.
    let jks: Buffer;
    let p12: Buffer;
    const [second, third] = pki.roots('desired binary', 2);
    before(function () {
      this.timeout(60_000);
      const jksPath = pki.path('trust.jks');
      for (const [alias, ca] of [
        ['extra', extra],
        ['root', root],
      ] as const) {
        execFileSync(
          'keytool',
          [
            ...FAST_JVM.map((f) => `-J${f}`),
            '-importcert',
            '-noprompt',
            '-storetype',
            'JKS',
            '-keystore',
            jksPath,
            '-storepass',
            'jks-secret',
            '-alias',
            alias,
            '-file',
            ca.certPath,
          ],
          { stdio: 'ignore' },
        );
      }
      jks = readFileSync(jksPath);
      const bundle = pki.path('p12-bundle.pem');
      execFileSync('sh', ['-c', `cat '${second.certPath}' '${third.certPath}' > '${bundle}'`]);
      execFileSync('openssl', ['pkcs12', '-export', '-nokeys', '-in', bundle, '-passout', 'pass:p12-secret', '-out', pki.path('trust.p12')]);
      p12 = readFileSync(pki.path('trust.p12'));
    });

    const fingerprints = (desired: DesiredStores): string[] =>
      readJks(Buffer.from(desired.data['truststore.jks'], 'base64'), Buffer.from(desired.data['truststore.pass'], 'base64').toString()).map((e) =>
        e.kind === 'trustedCertificate' ? new X509Certificate(e.certificate).subject : 'key',
      );
    const subject = (ca: { certPem: string }): string => new X509Certificate(ca.certPem).subject;

    function secrets(data: Record<string, Buffer | string>): Map<string, Secret | undefined> {
      const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
      return new Map([['trust', { metadata: { name: 'trust' }, data: encoded }]]);
    }

    it('a keytool JKS in a Secret: its certificates join after ca.crt, de-duplicated, in store order', async () => {
      const desired = await ready(
        computeDesired(
          input(
            { [a.formats]: 'jks', [a.trustSources]: 'secret:trust/truststore.jks?password-key=truststore.pass' },
            { secrets: secrets({ 'truststore.jks': jks, 'truststore.pass': 'jks-secret\n' }) },
          ),
        ),
      );
      assert.deepEqual(fingerprints(desired), [subject(root), subject(extra)]);
    });

    it('an OpenSSL PKCS#12 in a ConfigMap (binaryData) with its password in the same ConfigMap, next to a PEM source', async () => {
      const configMaps = new Map<string, ConfigMap | undefined>([
        [
          'cas',
          { metadata: { name: 'cas' }, data: { 'p12.pass': 'p12-secret', 'ca.pem': extra.certPem }, binaryData: { 'trust.p12': p12.toString('base64') } },
        ],
      ]);
      const desired = await ready(
        computeDesired(input({ [a.formats]: 'jks', [a.trustSources]: 'configmap:cas/ca.pem,configmap:cas/trust.p12?password-key=p12.pass' }, { configMaps })),
      );
      assert.deepEqual(fingerprints(desired), [subject(root), subject(extra), subject(second), subject(third)]);
    });

    it('a different store content changes the hash (rebuild); the same content under a new password does not', async () => {
      const ref = { [a.formats]: 'jks', [a.trustSources]: 'secret:trust/t?password-key=p' };
      const fromJks = await ready(computeDesired(input(ref, { secrets: secrets({ t: jks, p: 'jks-secret' }) })));
      const fromP12 = await ready(computeDesired(input(ref, { secrets: secrets({ t: p12, p: 'p12-secret' }) })));
      assert.notEqual(fromJks.hash, fromP12.hash);
      const again = await ready(computeDesired(input(ref, { secrets: secrets({ t: jks, p: 'jks-secret' }), target: applied(target(), fromJks) })));
      assert.equal(again.unchanged, true);
    });

    const bad: [string, string, Record<string, Buffer | string>, string, RegExp][] = [
      [
        'a wrong JKS password',
        'secret:trust/t?password-key=p',
        { t: '', p: 'not-it' },
        FAILURE_REASON.trustSourceUnreadable,
        /cannot read Secret apps\/trust key 't' as JKS \(JKS integrity check failed: wrong password or damaged store\); check the password in key 'p'.*the old stores stay/,
      ],
      [
        'a wrong PKCS#12 password',
        'secret:trust/t?password-key=p',
        { t: 'p12', p: 'not-it' },
        FAILURE_REASON.trustSourceUnreadable,
        /cannot read Secret apps\/trust key 't' as PKCS#12 \(.*\); check the password in key 'p'/,
      ],
      [
        'a damaged store',
        'secret:trust/t?password-key=p',
        { t: Buffer.from('not a keystore at all'), p: 'x' },
        FAILURE_REASON.trustSourceUnreadable,
        /cannot read Secret apps\/trust key 't' as JKS or PKCS#12/,
      ],
      [
        'a JKS named without its password',
        'secret:trust/t',
        { t: '' },
        FAILURE_REASON.trustSourceUnreadable,
        /holds a JKS truststore, not PEM; name its password as secret:trust\/t\?password-key=<key>/,
      ],
      [
        'a missing password key',
        'secret:trust/t?password-key=p',
        { t: '' },
        FAILURE_REASON.trustSourceMissing,
        /Secret apps\/trust has no key 'p' with the truststore's password/,
      ],
    ];
    for (const [label, source, data, reason, message] of bad) {
      it(`${label}: the old stores stay, ${reason} names the fix, no password in the message`, async () => {
        const stores: Record<string, Buffer | string> = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v === '' ? jks : v === 'p12' ? p12 : v]));
        const result = await computeDesired(input({ [a.formats]: 'jks', [a.trustSources]: source }, { secrets: secrets(stores) }));
        assert.equal(result.status, 'failed');
        if (result.status !== 'failed') return;
        assert.equal(result.reason, reason);
        assert.match(result.message, message);
        assert.doesNotMatch(result.message, /jks-secret|p12-secret|not-it/);
      });
    }
  });
});
