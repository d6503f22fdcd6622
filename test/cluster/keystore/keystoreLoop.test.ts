// The keystore loop on the test bed: the real cert-manager issues (CA issuer, and a CMPv2Issuer
// with the two-root development CA through our issuer loop), our KeystoreLoop runs in-process.
// Every check reads the Secret back from the API server and opens the stores with keytool and
// a JSSE handshake (Java 17). One test per Proof bullet of issue 6.
import { runIssuerLoop, runKeystoreLoop, type RunningIssuerLoop, type RunningKeystoreLoop } from '../../controllers/loops.js';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import { KEYSTORE_ANNOTATIONS, MANAGED_LABEL } from '../../../src/api/keystoreAnnotations.js';
import { KubeApi } from '../../../src/k8s/apiClient.js';
import { EventRecorder } from '../../../src/k8s/events.js';
import type { Certificate } from '../../../src/api/certManager.js';
import type { KubeList, KubeObject, Secret } from '../../../src/k8s/meta.js';
import { SECRETS } from '../../../src/k8s/resources.js';
import { parseCertificateBundle } from '../../../src/pki/pem.js';
import { createSigners } from '../../../src/signer/backends.js';
import { KubeSecretSource } from '../../../src/signer/secretSource.js';
import { applyDirectory } from '../../../scripts/testbed/apply.js';
import { layout, repoRoot } from '../../../scripts/testbed/layout.js';
import { Pki } from '../../keystore/fixtures.js';
import { damageBasicConstraints, damageSignature } from '../../pki/damage.js';
import { compileTlsHandshake, FAST_JVM, keytoolList, run, type KeytoolListing } from '../../peer/keystore/javaTools.js';
import { parseAllDocuments } from 'yaml';
import { adminKubeConfig, ensureBed, eventually, serviceAccountKubeConfig, useNamespace } from '../bed.js';

const PEM_KEYS = ['keystore.pem', 'key.pem', 'truststore.pem'];
const a = KEYSTORE_ANNOTATIONS;

interface CoreEvent {
  type: string;
  count?: number;
  reason: string;
  message: string;
  involvedObject: { kind: string; name: string };
}

describe('keystore loop on the test bed (real cert-manager, keytool, JSSE)', function () {
  this.timeout(240_000);
  const ns = useNamespace('keystore');
  let api: KubeApi;
  let loopApi: KubeApi | undefined;
  let loop: RunningKeystoreLoop | undefined;
  let issuerLoop: RunningIssuerLoop | undefined;
  let classes: string;
  let dir: string;
  const pki = new Pki();

  before(async function () {
    await ensureBed({ approver: true });
    const kc = await adminKubeConfig();
    await applyDirectory(kc, layout.certManagerCrdsDir);
    await applyDirectory(kc, layout.projectCrdsDir);
    api = await KubeApi.fromKubeConfig(kc);
    classes = await compileTlsHandshake();
    dir = mkdtempSync(join(tmpdir(), 'keystore-cluster-'));
  });
  after(function () {
    api?.close();
    pki.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async function () {
    await loop?.shutdown();
    await issuerLoop?.shutdown();
    loopApi?.close();
    loop = undefined;
    issuerLoop = undefined;
    loopApi = undefined;
  });

  /** Starts the loop with its own API client, so its requests can be counted apart from the test's. */
  async function startLoop(namespace: string): Promise<RunningKeystoreLoop> {
    loopApi = await KubeApi.fromKubeConfig(await adminKubeConfig());
    loop = await runKeystoreLoop({ api: loopApi, events: new EventRecorder(api, { component: 'cmpv2-operator' }), namespaces: [namespace] });
    return loop;
  }

  const secretPath = (namespace: string, name: string): string => `/api/v1/namespaces/${namespace}/secrets/${name}`;
  const getSecret = (namespace: string, name: string): Promise<Secret> => api.request<Secret>('GET', secretPath(namespace, name));
  const bytes = (secret: Secret, key: string): Buffer => Buffer.from(secret.data?.[key] ?? '', 'base64');
  const patch = (path: string, body: unknown): Promise<unknown> => api.request('PATCH', path, { body, contentType: 'application/merge-patch+json' });

  async function caIssuer(): Promise<void> {
    await ns().create({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'selfsigned' }, spec: { selfSigned: {} } });
    await ns().create({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'root' },
      spec: {
        isCA: true,
        commonName: 'Keystore Test Root',
        secretName: 'root-ca',
        privateKey: { algorithm: 'ECDSA', size: 256 },
        issuerRef: { name: 'selfsigned', kind: 'Issuer' },
      },
    });
    await ns().create({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'ca' }, spec: { ca: { secretName: 'root-ca' } } });
  }

  async function certificate(
    name: string,
    annotations: Record<string, string>,
    spec: Record<string, unknown> = {},
    issuerRef: Record<string, string> = { name: 'ca', kind: 'Issuer' },
  ): Promise<void> {
    await ns().create({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name, annotations },
      spec: {
        secretName: `${name}-tls`,
        commonName: `${name}.example`,
        dnsNames: [`${name}.example`],
        ipAddresses: ['127.0.0.1'],
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        issuerRef,
        ...spec,
      },
    });
  }

  async function readyRevision(namespace: string, name: string, atLeast = 1): Promise<number> {
    return eventually(
      `Certificate ${name} Ready at revision ≥ ${atLeast}`,
      async () => {
        const cert = await api.request<Certificate>('GET', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates/${name}`);
        const ready = cert.status?.conditions?.find((c) => c.type === 'Ready');
        return ready?.status === 'True' && (cert.status?.revision ?? 0) >= atLeast ? cert.status!.revision! : undefined;
      },
      90_000,
    );
  }

  /** The Secret once it holds every key of `keys` (and, with `until`, satisfies it). */
  function secretWith(namespace: string, name: string, keys: string[], until: (s: Secret) => boolean = () => true, timeoutMs = 60_000): Promise<Secret> {
    return eventually(
      `Secret ${name} with ${keys.join(', ')}`,
      async () => {
        const secret = await getSecret(namespace, name);
        return keys.every((k) => k in (secret.data ?? {})) && until(secret) ? secret : undefined;
      },
      timeoutMs,
    );
  }

  /** Our loop has seen every Secret of `names` as the API server has it now and has nothing queued or in flight. */
  async function loopSettled(namespace: string, names: string[]): Promise<void> {
    const secrets = loop!.manager.cache.informer<KubeObject>(SECRETS, { metadataOnly: true });
    await eventually('the keystore loop idle with the latest Secrets seen', async () => {
      const current = await Promise.all(names.map((n) => getSecret(namespace, n)));
      if (current.some((c) => secrets.store.getByName(namespace, c.metadata.name!)?.metadata.resourceVersion !== c.metadata.resourceVersion)) return undefined;
      await loop!.controller.queue.whenIdle();
      return true;
    });
  }

  /**
   * A negative proof without a sleep ("nothing rewrites the Secret"): a marker Certificate,
   * created now and annotated, goes through cert-manager's controllers and then our loop, behind
   * the events of every earlier write in the same queues. Once its stores are built and our loop
   * is idle again, any reaction to an earlier write — cert-manager's or ours — has happened.
   */
  async function markerRound(namespace: string, marker: string, watched: string[]): Promise<void> {
    await certificate(marker, { [a.formats]: 'pem' });
    await secretWith(namespace, `${marker}-tls`, ['key.pem'], undefined, 90_000);
    await loopSettled(namespace, [...watched, `${marker}-tls`]);
  }

  async function events(namespace: string, reason: string): Promise<CoreEvent[]> {
    const list = await api.request<KubeList<CoreEvent>>('GET', `/api/v1/namespaces/${namespace}/events`);
    return list.items.filter((e) => e.reason === reason);
  }

  function eventWith(namespace: string, reason: string, pattern: RegExp): Promise<CoreEvent> {
    return eventually(`a ${reason} Event matching ${pattern}`, async () => (await events(namespace, reason)).find((e) => pattern.test(e.message)), 30_000);
  }

  let fileCounter = 0;
  function file(data: Buffer): string {
    const path = join(dir, `f${fileCounter++}`);
    writeFileSync(path, data);
    return path;
  }

  function keytool(secret: Secret, key: string, passKey: string): Promise<KeytoolListing> {
    return keytoolList(file(bytes(secret, key)), key.endsWith('.jks') ? 'JKS' : 'PKCS12', file(bytes(secret, passKey)));
  }

  /** The leaf certificate of keystore.p12 as `openssl pkcs12` reads it (the certificate with the key's localKeyId). */
  async function pkcs12Leaf(secret: Secret): Promise<X509Certificate> {
    const out = await run('openssl', [
      'pkcs12',
      '-in',
      file(bytes(secret, 'keystore.p12')),
      '-passin',
      `file:${file(bytes(secret, 'keystore.pass'))}`,
      '-nokeys',
      '-clcerts',
    ]);
    assert.equal(out.code, 0, out.stderr);
    return new X509Certificate(out.stdout.slice(out.stdout.indexOf('-----BEGIN CERTIFICATE-----')));
  }

  /** The first certificate of the key entry `alias` of keystore.jks as `keytool -exportcert` reads it. */
  async function jksLeaf(secret: Secret, alias: string): Promise<X509Certificate> {
    const out = await run('keytool', [
      ...FAST_JVM.map((f) => `-J${f}`),
      '-exportcert',
      '-rfc',
      '-alias',
      alias,
      '-storetype',
      'JKS',
      '-keystore',
      file(bytes(secret, 'keystore.jks')),
      '-storepass:file',
      file(bytes(secret, 'keystore.pass')),
    ]);
    assert.equal(out.code, 0, out.stderr);
    return new X509Certificate(out.stdout.slice(out.stdout.indexOf('-----BEGIN CERTIFICATE-----')));
  }

  function trustedCount(listing: KeytoolListing): number {
    return listing.entries.filter((e) => e.type === 'trustedCertEntry').length;
  }

  async function assertStores(secret: Secret, roots: number, alias: string): Promise<void> {
    for (const [keystore, truststore] of [
      ['keystore.jks', 'truststore.jks'],
      ['keystore.p12', 'truststore.p12'],
    ]) {
      const keys = await keytool(secret, keystore, 'keystore.pass');
      // keytool lists both JKS and PKCS#12 aliases lower-cased (Java keys its entry maps so).
      assert.deepEqual(
        keys.entries.map((e) => [e.alias, e.type]),
        [[alias.toLowerCase(), 'PrivateKeyEntry']],
        keystore,
      );
      const trust = await keytool(secret, truststore, 'truststore.pass');
      assert.equal(trustedCount(trust), roots, `${truststore}: one trustedCertEntry per root`);
      assert.equal(trust.entries.length, roots);
    }
    const handshake = await run('java', [
      ...FAST_JVM,
      '-cp',
      classes,
      'TlsHandshake',
      'jks',
      'JKS',
      file(bytes(secret, 'keystore.jks')),
      file(bytes(secret, 'keystore.pass')),
      'JKS',
      file(bytes(secret, 'truststore.jks')),
      file(bytes(secret, 'truststore.pass')),
      'p12',
      'PKCS12',
      file(bytes(secret, 'keystore.p12')),
      file(bytes(secret, 'keystore.pass')),
      'PKCS12',
      file(bytes(secret, 'truststore.p12')),
      file(bytes(secret, 'truststore.pass')),
    ]);
    assert.equal(handshake.code, 0, handshake.stderr);
    assert.match(handshake.stdout, /^jks OK TLSv1\.[23] /m);
    assert.match(handshake.stdout, /^p12 OK TLSv1\.[23] /m);
  }

  it('a Certificate from the CA issuer annotated jks,pkcs12,pem: SPEC keys, keytool entries, JSSE handshake', async function () {
    const { name: namespace } = ns();
    await caIssuer();
    await certificate('web', { [a.formats]: 'jks,pkcs12,pem', [a.alias]: 'Web-Server' });
    await startLoop(namespace);
    const secret = await secretWith(namespace, 'web-tls', [
      'keystore.jks',
      'truststore.jks',
      'keystore.p12',
      'truststore.p12',
      'keystore.pass',
      'truststore.pass',
      ...PEM_KEYS,
    ]);
    assert.equal(secret.metadata.labels?.[MANAGED_LABEL], 'true');
    assert.match(secret.metadata.annotations?.[a.hash] ?? '', /^[0-9a-f]{64}$/);
    assert.match(bytes(secret, 'keystore.pass').toString(), /^[A-Za-z0-9_$#]{24}$/, 'a generated 24-character password');
    assert.ok(bytes(secret, 'tls.crt').length > 0 && bytes(secret, 'tls.key').length > 0, "cert-manager's keys are there");
    await assertStores(secret, 1, 'Web-Server');
    // cert-manager (no spec.keystores) and the operator leave each other's writes alone: the Secret settles.
    await loopSettled(namespace, ['web-tls']);
    const settled = (await getSecret(namespace, 'web-tls')).metadata.resourceVersion;
    await markerRound(namespace, 'marker', ['web-tls']);
    assert.equal((await getSecret(namespace, 'web-tls')).metadata.resourceVersion, settled, 'no write loop');
    assert.ok((await events(namespace, 'StoresBuilt')).some((e) => e.involvedObject.kind === 'Certificate' && e.involvedObject.name === 'web'));
  });

  it('through a CMPv2Issuer with the two-root development CA: one trustedCertEntry per root', async function () {
    const { name: namespace } = ns();
    const ca: DevelopmentCa = await startDevelopmentCa({ port: 0, secret: 'iak-secret', reference: 'rv-1' });
    try {
      await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cmp-iak' }, type: 'Opaque', stringData: { password: 'iak-secret' } });
      await ns().create({
        apiVersion: 'certmanager.onap.org/v1',
        kind: 'CMPv2Issuer',
        metadata: { name: 'dev-ca' },
        spec: {
          cmp: { url: ca.url, messageType: 'p10cr', protection: { passwordBasedMac: { secretRef: { name: 'cmp-iak', key: 'password' }, reference: 'rv-1' } } },
        },
      });
      await certificate('app', { [a.formats]: 'jks,pkcs12,pem' }, {}, { group: 'certmanager.onap.org', kind: 'CMPv2Issuer', name: 'dev-ca' });
      issuerLoop = await runIssuerLoop({
        api,
        signers: createSigners({ secrets: new KubeSecretSource(api) }),
        events: new EventRecorder(api, { component: 'cmpv2-operator' }),
        namespaces: [namespace],
        clusterResourceNamespace: 'kube-system',
        maxRetryDurationMs: 600_000,
      });
      await startLoop(namespace);
      await readyRevision(namespace, 'app');
      const secret = await secretWith(namespace, 'app-tls', ['keystore.jks', 'keystore.p12', 'truststore.pem']);
      assert.equal(parseCertificateBundle(bytes(secret, 'ca.crt').toString()).certificates.length, 2, 'two roots in ca.crt');
      assert.equal(parseCertificateBundle(bytes(secret, 'truststore.pem').toString()).certificates.length, 2);
      await assertStores(secret, 2, 'certificate');
    } finally {
      await issuerLoop?.shutdown();
      issuerLoop = undefined;
      await ca.stop();
    }
  });

  it('renewal by cert-manager (new key): stores rebuilt, hash changes; a second reconcile writes nothing', async function () {
    const { name: namespace } = ns();
    await caIssuer();
    await certificate('web', { [a.formats]: 'jks,pkcs12,pem' });
    const started = await startLoop(namespace);
    const first = await secretWith(namespace, 'web-tls', ['keystore.jks', 'key.pem']);
    const firstHash = first.metadata.annotations?.[a.hash];
    await readyRevision(namespace, 'web', 1);
    // What `cmctl renew` does: an Issuing condition on the Certificate's status.
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await patch(`/apis/cert-manager.io/v1/namespaces/${namespace}/certificates/web/status`, {
      status: {
        conditions: [
          { type: 'Ready', status: 'True', reason: 'Ready', message: 'ok', lastTransitionTime: now },
          { type: 'Issuing', status: 'True', reason: 'ManuallyTriggered', message: 'renewal asked by the test', lastTransitionTime: now },
        ],
      },
    });
    await readyRevision(namespace, 'web', 2);
    const renewed = await secretWith(
      namespace,
      'web-tls',
      ['keystore.jks'],
      (s) => s.metadata.annotations?.[a.hash] !== firstHash && keyPemMatchesCertificate(s),
    );
    assert.ok(!bytes(renewed, 'tls.key').equals(bytes(first, 'tls.key')), 'cert-manager made a new key');
    assert.notEqual(renewed.metadata.annotations?.[a.hash], firstHash);
    assert.ok(!bytes(renewed, 'key.pem').equals(bytes(first, 'key.pem')), 'key.pem holds the new key');
    const listing = await keytool(renewed, 'keystore.p12', 'keystore.pass');
    assert.equal(listing.entries[0].type, 'PrivateKeyEntry');
    // The stores hold the renewed certificate, not only a new key.pem: the leaf of each keystore,
    // as OpenSSL (PKCS#12) and keytool (JKS) read it, is the new tls.crt's leaf.
    const newLeaf = new X509Certificate(bytes(renewed, 'tls.crt'));
    assert.notEqual(newLeaf.fingerprint256, new X509Certificate(bytes(first, 'tls.crt')).fingerprint256, 'cert-manager issued a new certificate');
    assert.equal((await pkcs12Leaf(renewed)).fingerprint256, newLeaf.fingerprint256, 'keystore.p12 (openssl pkcs12) holds the new leaf');
    assert.equal((await jksLeaf(renewed, 'certificate')).fingerprint256, newLeaf.fingerprint256, 'keystore.jks (keytool -exportcert) holds the new leaf');
    // Quiet now: a reconcile without any change reads, but writes nothing.
    await started.controller.queue.whenIdle();
    const patches = loopApi!.requestCounts.get('PATCH') ?? 0;
    const puts = loopApi!.requestCounts.get('PUT') ?? 0;
    await started.controller.reconcile(`${namespace}/web-tls`);
    await started.controller.reconcile(`${namespace}/web-tls`);
    assert.equal(loopApi!.requestCounts.get('PATCH') ?? 0, patches, 'no PATCH');
    assert.equal(loopApi!.requestCounts.get('PUT') ?? 0, puts, 'no PUT');
    assert.equal((await getSecret(namespace, 'web-tls')).metadata.resourceVersion, (await getSecret(namespace, 'web-tls')).metadata.resourceVersion);
  });

  it('password Secret: missing → Warning, then created → stores; changed → re-encrypted; deleted → old stores stay + Warning', async function () {
    const { name: namespace } = ns();
    await caIssuer();
    await certificate('web', { [a.formats]: 'jks,pkcs12', [a.passwordSecret]: 'store-pass', [a.passwordKey]: 'pw' });
    await startLoop(namespace);
    await readyRevision(namespace, 'web');
    await eventWith(namespace, 'PasswordSecretMissing', /store-pass does not exist/);
    assert.ok(!('keystore.jks' in ((await getSecret(namespace, 'web-tls')).data ?? {})), 'no stores without the password');

    await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'store-pass' }, type: 'Opaque', stringData: { pw: 'first-password' } });
    const built = await secretWith(namespace, 'web-tls', ['keystore.jks', 'keystore.p12'], undefined, 15_000);
    assert.equal(bytes(built, 'keystore.pass').toString(), 'first-password');
    await keytool(built, 'keystore.jks', 'keystore.pass');

    await patch(secretPath(namespace, 'store-pass'), { stringData: { pw: 'second-password' } });
    const reencrypted = await secretWith(namespace, 'web-tls', ['keystore.jks'], (s) => bytes(s, 'keystore.pass').toString() === 'second-password', 15_000);
    const trust = await keytool(reencrypted, 'truststore.p12', 'truststore.pass');
    assert.equal(trustedCount(trust), 1);
    const wrong = await run('keytool', [
      ...FAST_JVM.map((f) => `-J${f}`),
      '-list',
      '-storetype',
      'JKS',
      '-keystore',
      file(bytes(reencrypted, 'keystore.jks')),
      '-storepass',
      'first-password',
    ]);
    assert.notEqual(wrong.code, 0, 'the old password no longer opens the store');

    // Repeats of one Event are folded into a count: the deletion must raise it.
    const missingCount = async (): Promise<number> => (await events(namespace, 'PasswordSecretMissing')).reduce((sum, e) => sum + (e.count ?? 1), 0);
    const before = await missingCount();
    await api.request('DELETE', secretPath(namespace, 'store-pass'));
    await eventually('a new PasswordSecretMissing Warning after the deletion', async () => ((await missingCount()) > before ? true : undefined), 15_000);
    const after = await getSecret(namespace, 'web-tls');
    assert.ok(bytes(after, 'keystore.jks').equals(bytes(reencrypted, 'keystore.jks')), 'the old stores stay');
    assert.equal(bytes(after, 'keystore.pass').toString(), 'second-password');
  });

  it('annotated kubernetes.io/tls Secrets: a junk block in ca.crt is skipped with a Warning naming it; a key mismatch writes nothing', async function () {
    const { name: namespace } = ns();
    const { root, leaf, tlsCrt } = pki.chain('cluster junk');
    const stranger = pki.issue('cluster stranger', { keyType: 'ec-p256' });
    const junk = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
    const tlsSecret = (name: string, key: string, ca: string): Promise<unknown> =>
      ns().create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, annotations: { [a.formats]: 'jks,pem' } },
        type: 'kubernetes.io/tls',
        stringData: { 'tls.crt': tlsCrt, 'tls.key': key, 'ca.crt': ca },
      });
    await tlsSecret('junk', leaf.keyPem, root.certPem + junk);
    await tlsSecret('mismatch', stranger.keyPem, root.certPem);
    await startLoop(namespace);
    const secret = await secretWith(namespace, 'junk', ['keystore.jks', 'truststore.pem']);
    assert.equal(parseCertificateBundle(bytes(secret, 'truststore.pem').toString()).certificates.length, 1);
    assert.equal(trustedCount(await keytool(secret, 'truststore.jks', 'truststore.pass')), 1);
    const warning = await eventWith(namespace, 'UnreadableCertificates', /ca\.crt.*block 2/);
    assert.equal(warning.involvedObject.kind, 'Secret');
    assert.equal(warning.type, 'Warning');

    const mismatch = await eventWith(namespace, 'KeyMismatch', /does not match/);
    assert.equal(mismatch.involvedObject.name, 'mismatch');
    const untouched = await getSecret(namespace, 'mismatch');
    assert.deepEqual(Object.keys(untouched.data ?? {}).sort(), ['ca.crt', 'tls.crt', 'tls.key']);
    assert.equal(untouched.metadata.annotations?.[a.hash], undefined);
  });

  it('damaged CAs among good ones in ca.crt (issue 11): the good ones in every store, keytool and JSSE load them, a Warning names each damaged block', async function () {
    const { name: namespace } = ns();
    const { root, intermediate, leaf, tlsCrt } = pki.chain('cluster damaged');
    const other = pki.issue('cluster damaged other root');
    // Block 2: a root whose signature byte changed; block 4: basicConstraints damaged. Both passed
    // the old structural check and made Java refuse the whole truststore.
    const caCrt = root.certPem + damageSignature(other.certPem) + other.certPem + damageBasicConstraints(intermediate.certPem);
    await ns().create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'damaged', annotations: { [a.formats]: 'jks,pkcs12,pem', [a.alias]: 'server' } },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': tlsCrt, 'tls.key': leaf.keyPem, 'ca.crt': caCrt },
    });
    await startLoop(namespace);
    const secret = await secretWith(namespace, 'damaged', ['keystore.jks', 'keystore.p12', 'truststore.pem']);
    assert.deepEqual(
      parseCertificateBundle(bytes(secret, 'truststore.pem').toString()).certificates,
      [root, other].map((c) => Buffer.from(new X509Certificate(c.certPem).raw)),
    );
    await assertStores(secret, 2, 'server');
    const warning = await eventWith(
      namespace,
      'UnreadableCertificates',
      /ca\.crt: skipped unreadable block 2 \(CERTIFICATE\): .*signature does not verify.*; block 4 \(CERTIFICATE\): .*basicConstraints is malformed/,
    );
    assert.equal(warning.type, 'Warning');
    assert.equal(warning.involvedObject.name, 'damaged');
  });

  it('spec.keystores.jks.create: true → JKS left to cert-manager with a Warning; the resourceVersion settles (through two later Certificates)', async function () {
    const { name: namespace } = ns();
    await caIssuer();
    await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cm-jks-pass' }, type: 'Opaque', stringData: { password: 'cert-manager-pw' } });
    await certificate(
      'web',
      { [a.formats]: 'jks,pkcs12,pem' },
      { keystores: { jks: { create: true, passwordSecretRef: { name: 'cm-jks-pass', key: 'password' } } } },
    );
    await startLoop(namespace);
    const secret = await secretWith(namespace, 'web-tls', ['keystore.jks', ...PEM_KEYS]);
    await eventWith(
      namespace,
      'KeystoreFormatConflict',
      /spec\.keystores\.jks\.create is true, so cert-manager writes.*set spec\.keystores\.jks\.create to false/,
    );
    // cert-manager 1.21 rewrites the Secret while keystore.p12 exists unasked (its JKS differs each time): pkcs12 is left out too.
    await eventWith(namespace, 'KeystoreFormatConflict', /leaves the pkcs12 format out/);
    assert.deepEqual(secret.metadata.annotations?.[a.keys]?.split(','), ['key.pem', 'keystore.pem', 'truststore.pem']);
    assert.ok(!('keystore.p12' in (secret.data ?? {})));
    // cert-manager's JKS opens with cert-manager's password, not ours.
    const listing = await keytoolList(file(bytes(secret, 'keystore.jks')), 'JKS', file(Buffer.from('cert-manager-pw')));
    assert.ok(listing.entries.length >= 1);
    // Settled: after one marker round every reaction to the first writes has happened; a write
    // loop would go on writing through a second one.
    await markerRound(namespace, 'marker-1', ['web-tls']);
    const settledAt = (await getSecret(namespace, 'web-tls')).metadata.resourceVersion;
    const patchesBefore = loopApi!.requestCounts.get('PATCH') ?? 0;
    await markerRound(namespace, 'marker-2', ['web-tls']);
    const markerPatches = 1; // the marker's own stores
    assert.equal((await getSecret(namespace, 'web-tls')).metadata.resourceVersion, settledAt, 'no write loop');
    assert.equal(loopApi!.requestCounts.get('PATCH') ?? 0, patchesBefore + markerPatches, 'no PATCH but the marker Secret');
  });

  it("a user's own key survives every rebuild; removing pem removes exactly keystore.pem, key.pem, truststore.pem", async function () {
    const { name: namespace } = ns();
    await caIssuer();
    await certificate('web', { [a.formats]: 'jks,pem' });
    await startLoop(namespace);
    const first = await secretWith(namespace, 'web-tls', ['keystore.jks', ...PEM_KEYS]);
    await patch(secretPath(namespace, 'web-tls'), { data: { 'user.txt': Buffer.from('mine').toString('base64') } });
    // A rebuild: the alias changes.
    await patch(`/apis/cert-manager.io/v1/namespaces/${namespace}/certificates/web`, { metadata: { annotations: { [a.alias]: 'other' } } });
    const rebuilt = await secretWith(namespace, 'web-tls', ['keystore.jks'], (s) => s.metadata.annotations?.[a.hash] !== first.metadata.annotations?.[a.hash]);
    assert.equal(bytes(rebuilt, 'user.txt').toString(), 'mine');
    assert.equal((await keytool(rebuilt, 'keystore.jks', 'keystore.pass')).entries[0].alias, 'other');
    const beforeRemoval = Object.keys(rebuilt.data ?? {}).sort();

    await patch(`/apis/cert-manager.io/v1/namespaces/${namespace}/certificates/web`, { metadata: { annotations: { [a.formats]: 'jks' } } });
    const removed = await secretWith(namespace, 'web-tls', ['keystore.jks'], (s) => !('key.pem' in (s.data ?? {})));
    assert.deepEqual(
      Object.keys(removed.data ?? {}).sort(),
      beforeRemoval.filter((k) => !PEM_KEYS.includes(k)),
    );
    assert.equal(bytes(removed, 'user.txt').toString(), 'mine');
    assert.ok(bytes(removed, 'keystore.pass').equals(bytes(first, 'keystore.pass')), 'the generated password stays stable');
  });

  it('a trust-source ConfigMap with two more CAs: truststores hold all, de-duplicated; a change reaches them within seconds', async function () {
    const { name: namespace } = ns();
    await caIssuer();
    await readyRevision(namespace, 'root');
    const [extra1, extra2, extra3] = pki.roots('cluster trust source', 3);
    const issuingRoot = bytes(await getSecret(namespace, 'root-ca'), 'tls.crt').toString();
    // The issuing root again, and extra1 twice: duplicates must not become entries.
    await ns().create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'more-cas' },
      data: { 'ca.pem': issuingRoot + extra1.certPem + extra2.certPem + extra1.certPem },
    });
    await certificate('web', { [a.formats]: 'jks,pkcs12,pem', [a.trustSources]: 'configmap:more-cas/ca.pem' });
    await startLoop(namespace);
    const secret = await secretWith(namespace, 'web-tls', ['truststore.jks', 'truststore.p12', 'truststore.pem']);
    assert.equal(parseCertificateBundle(bytes(secret, 'truststore.pem').toString()).certificates.length, 3);
    await assertStores(secret, 3, 'certificate');

    await patch(`/api/v1/namespaces/${namespace}/configmaps/more-cas`, { data: { 'ca.pem': extra1.certPem + extra2.certPem + extra3.certPem } });
    const updated = await secretWith(
      namespace,
      'web-tls',
      ['truststore.pem'],
      (s) => parseCertificateBundle(bytes(s, 'truststore.pem').toString()).certificates.length === 4,
      15_000,
    );
    assert.equal(trustedCount(await keytool(updated, 'truststore.p12', 'truststore.pass')), 4);
  });

  it('runs with only the ClusterRole of deploy/rbac.yaml (ServiceAccount token): stores, Events, no forbidden call', async function () {
    const { name: namespace } = ns();
    const documents = parseAllDocuments(readFileSync(join(repoRoot, 'deploy', 'rbac.yaml'), 'utf8')).map(
      (d) => d.toJS() as { kind: string; rules?: unknown[] },
    );
    const role = documents.find((d) => d.kind === 'ClusterRole');
    assert.ok(role?.rules, 'deploy/rbac.yaml has the ClusterRole');
    const roleName = `cmpv2-operator-${namespace}`;
    await ns().create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: roleName }, rules: role.rules } as never);
    await ns().create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: roleName },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name: 'operator', namespace }],
    } as never);
    await ns().create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'operator' } });
    const { root, leaf, tlsCrt } = pki.chain('cluster rbac');
    await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pw' }, type: 'Opaque', stringData: { password: 'rbac-pw' } });
    await ns().create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cas' }, data: { 'ca.pem': root.certPem } });
    await ns().create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'app', annotations: { [a.formats]: 'pkcs12,pem', [a.passwordSecret]: 'pw', [a.trustSources]: 'configmap:cas/ca.pem' } },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': tlsCrt, 'tls.key': leaf.keyPem },
    });
    const problems: string[] = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (fields: object) => void problems.push(JSON.stringify(fields)),
      error: (fields: object) => void problems.push(JSON.stringify(fields)),
    };
    loopApi = await KubeApi.fromKubeConfig(await serviceAccountKubeConfig(namespace, 'operator'));
    const eventErrors: unknown[] = [];
    loop = await runKeystoreLoop({
      api: loopApi,
      events: new EventRecorder(loopApi, { component: 'cmpv2-operator', onError: (err) => eventErrors.push(err) }),
      namespaces: [namespace],
      logger,
    });
    const secret = await secretWith(namespace, 'app', ['keystore.p12', 'truststore.pem']);
    assert.equal(bytes(secret, 'keystore.pass').toString(), 'rbac-pw');
    await eventWith(namespace, 'StoresBuilt', /pkcs12, pem/);
    assert.deepEqual(problems, []);
    assert.deepEqual(eventErrors, []);
  });
});

/** True when key.pem holds the key of the leaf in tls.crt (the stores follow the renewed certificate). */
function keyPemMatchesCertificate(secret: Secret): boolean {
  const text = (key: string): string => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
  try {
    const fromKey = createPublicKey(createPrivateKey(text('key.pem'))).export({ format: 'der', type: 'spki' });
    return fromKey.equals(new X509Certificate(text('tls.crt')).publicKey.export({ format: 'der', type: 'spki' }));
  } catch {
    return false;
  }
}
