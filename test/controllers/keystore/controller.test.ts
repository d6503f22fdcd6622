// The keystore shell against the in-memory API: what it lists and watches (metadata only),
// what it reads in full (the target and its references only), writes counted, and a change of a
// referenced password Secret reaching its dependant through the index.
import type { KubeObject } from '../../../src/k8s/meta.js';
import { SECRETS } from '../../../src/k8s/resources.js';
import { runKeystoreLoop, type RunningKeystoreLoop } from '../loops.js';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { KEYSTORE_ANNOTATIONS as a, MANAGED_LABEL } from '../../../src/api/keystoreAnnotations.js';
import type { EventRecord, EventSink } from '../../../src/k8s/events.js';
import type { ObjectReference } from '../../../src/k8s/meta.js';
import { Pki } from '../../keystore/fixtures.js';
import { MemoryApi } from '../../k8s/memoryApiServer.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

class RecordedEvents implements EventSink {
  readonly records: { object: ObjectReference; event: EventRecord }[] = [];
  async record(object: ObjectReference, event: EventRecord): Promise<void> {
    this.records.push({ object, event });
  }
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('controllers/keystore/controller (in-memory API)', () => {
  const pki = new Pki();
  const { root, leaf, tlsCrt } = pki.chain('controller');
  let memory: MemoryApi;
  let loop: RunningKeystoreLoop | undefined;
  const events = new RecordedEvents();

  beforeEach(async () => {
    memory = await MemoryApi.start();
    events.records.length = 0;
  });
  afterEach(async () => {
    await loop?.shutdown();
    loop = undefined;
    await memory.close();
  });
  after(() => pki.dispose());

  const tls = (name: string, annotations: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'apps', annotations },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(tlsCrt), 'tls.key': b64(leaf.keyPem), 'ca.crt': b64(root.certPem) },
  });
  const data = (name: string): Record<string, string> => (memory.get('secrets', 'apps', name)?.data ?? {}) as Record<string, string>;

  async function start(): Promise<RunningKeystoreLoop> {
    loop = await runKeystoreLoop({ api: memory.fake.api, events, namespaces: [] });
    return loop;
  }

  it('lists and watches Secrets and ConfigMaps as metadata only and reads in full only the target and its references', async () => {
    for (let i = 0; i < 5; i++) memory.put('secrets', { metadata: { name: `unrelated-${i}`, namespace: 'apps' }, data: { big: b64('x'.repeat(1000)) } });
    memory.put('configmaps', { metadata: { name: 'cas', namespace: 'apps' }, data: { 'ca.pem': root.certPem } });
    memory.put('configmaps', { metadata: { name: 'other', namespace: 'apps' }, data: { x: 'y' } });
    memory.put('secrets', tls('web-tls', { [a.formats]: 'pem', [a.trustSources]: 'configmap:cas/ca.pem' }));
    const running = await start();
    await until('key.pem', () => data('web-tls')['key.pem']);
    await running.controller.queue.whenIdle();

    const collectionReads = memory.fake.requests.filter((r) => r.method === 'GET' && /\/(secrets|configmaps)$/.test(r.path));
    assert.ok(collectionReads.length >= 4, 'list + watch of both kinds');
    for (const r of collectionReads) assert.match(String(r.headers.accept), /as=PartialObjectMetadata/, r.path);
    const objectReads = memory.fake.requests
      .filter((r) => r.method === 'GET' && /\/(secrets|configmaps)\/[^/]+$/.test(r.path))
      .map((r) => r.path.replace(/^.*\/namespaces\/apps\//, ''));
    assert.deepEqual([...new Set(objectReads)].sort(), ['configmaps/cas', 'secrets/web-tls']);
    assert.ok(
      running.manager.cache
        .informer<KubeObject>(SECRETS, { metadataOnly: true })
        .store.list()
        .every((s) => !('data' in s)),
      'no Secret content cached',
    );
    const secret = memory.get('secrets', 'apps', 'web-tls')!;
    assert.equal((secret.metadata.labels as Record<string, string>)[MANAGED_LABEL], 'true');
  });

  it('writes once; its own write coming back and a forced reconcile write nothing more', async () => {
    memory.put('secrets', tls('web-tls', { [a.formats]: 'jks,pem' }));
    const running = await start();
    await until('keystore.jks', () => data('web-tls')['keystore.jks']);
    // Instead of a sleep: our write has come back through the watch (the informer holds the
    // stored resourceVersion), and the reconcile it queued has run.
    const secrets = running.manager.cache.informer<KubeObject>(SECRETS, { metadataOnly: true });
    await until('our write seen by the informer', () =>
      secrets.store.getByName('apps', 'web-tls')?.metadata.resourceVersion === memory.get('secrets', 'apps', 'web-tls')?.metadata.resourceVersion
        ? true
        : undefined,
    );
    await running.controller.queue.whenIdle();
    const patches = (): number => memory.fake.requests.filter((r) => r.method === 'PATCH').length;
    assert.equal(patches(), 1);
    await running.controller.reconcile('apps/web-tls');
    assert.equal(patches(), 1);
    assert.deepEqual(
      events.records.map((r) => r.event.reason),
      ['StoresBuilt'],
    );
  });

  it('a password Secret: missing → Warning and no stores; created → stores with it; changed → re-encrypted', async () => {
    memory.put('secrets', tls('web-tls', { [a.formats]: 'jks', [a.passwordSecret]: 'pw' }));
    await start();
    await until('a PasswordSecretMissing Warning', () => events.records.find((r) => r.event.reason === 'PasswordSecretMissing'));
    assert.equal(data('web-tls')['keystore.jks'], undefined);
    memory.put('secrets', { metadata: { name: 'pw', namespace: 'apps' }, data: { password: b64('first') } });
    await until('stores with the first password', () => (data('web-tls')['keystore.pass'] === b64('first') ? true : undefined));
    memory.put('secrets', { metadata: { name: 'pw', namespace: 'apps' }, data: { password: b64('second') } });
    await until('stores with the second password', () => (data('web-tls')['keystore.pass'] === b64('second') ? true : undefined));
  });

  it('an annotated Certificate wins over its Secret and a trust-source ConfigMap change requeues it', async () => {
    memory.put('configmaps', { metadata: { name: 'cas', namespace: 'apps' }, data: { 'ca.pem': root.certPem } });
    memory.put('certificates', {
      metadata: { name: 'web', namespace: 'apps', annotations: { [a.formats]: 'pem', [a.trustSources]: 'configmap:cas/ca.pem' } },
      spec: { secretName: 'web-tls', issuerRef: { name: 'ca' } },
    });
    memory.put('secrets', tls('web-tls', {}));
    await start();
    await until('truststore.pem', () => data('web-tls')['truststore.pem']);
    const [extra] = pki.roots('controller extra', 1);
    memory.put('configmaps', { metadata: { name: 'cas', namespace: 'apps' }, data: { 'ca.pem': root.certPem + extra.certPem } });
    await until('two CAs in truststore.pem', () =>
      Buffer.from(data('web-tls')['truststore.pem'], 'base64').toString().split('BEGIN CERTIFICATE').length === 3 ? true : undefined,
    );
    assert.ok(events.records.every((r) => r.object.kind === 'Certificate'));
  });
});
