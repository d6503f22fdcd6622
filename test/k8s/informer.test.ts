import assert from 'node:assert/strict';
import type http from 'node:http';
import { Informer, METADATA_LIST_ACCEPT, METADATA_WATCH_ACCEPT } from '../../src/k8s/informer.js';
import { SECRETS } from '../../src/k8s/resources.js';
import type { Secret } from '../../src/k8s/meta.js';
import { eventually, sendJson, sendStatus, startFakeApi, type FakeApi, type SeenRequest } from './fakeApiServer.js';

/** An in-memory Secret collection with list paging and open watch streams the test drives. */
class FakeSecrets {
  objects = new Map<string, Secret>();
  resourceVersion = 10;
  watches: { req: SeenRequest; res: http.ServerResponse }[] = [];
  /** Answer the next watch request with this instead of a stream. */
  nextWatch: 'http410' | 'error410' | undefined;
  failLists = 0;

  put(namespace: string, name: string, extra: Partial<Secret['metadata']> = {}): Secret {
    this.resourceVersion++;
    const obj: Secret = { metadata: { namespace, name, resourceVersion: String(this.resourceVersion), ...extra }, data: { k: 'dg==' } };
    this.objects.set(`${namespace}/${name}`, obj);
    return obj;
  }

  route = (req: SeenRequest, res: http.ServerResponse): void => {
    const namespace = /^\/api\/v1\/namespaces\/([^/]+)\/secrets$/.exec(req.path)?.[1];
    if (!namespace && req.path !== '/api/v1/secrets') return sendStatus(res, 404, 'NotFound', req.path);
    if (req.query.get('watch') === 'true') {
      const answer = this.nextWatch;
      this.nextWatch = undefined;
      if (answer === 'http410') return sendStatus(res, 410, 'Expired', 'too old resource version');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (answer === 'error410') {
        res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' } })}\n`);
        return;
      }
      res.flushHeaders();
      this.watches.push({ req, res });
      return;
    }
    if (this.failLists > 0) {
      this.failLists--;
      return sendStatus(res, 500, 'InternalError', 'etcd is sad');
    }
    const items = [...this.objects.values()].filter((o) => !namespace || o.metadata.namespace === namespace);
    const limit = Number(req.query.get('limit') ?? items.length);
    const offset = Number(req.query.get('continue') ?? 0);
    const page = items.slice(offset, offset + limit);
    const more = offset + limit < items.length;
    sendJson(res, 200, {
      kind: 'SecretList',
      metadata: { resourceVersion: String(this.resourceVersion), continue: more ? String(offset + limit) : undefined },
      items: page,
    });
  };

  /** Sends one event to every open watch. */
  emit(type: string, object: unknown): void {
    for (const { res } of this.watches) res.write(`${JSON.stringify({ type, object })}\n`);
  }

  endWatches(): void {
    for (const { res } of this.watches.splice(0)) res.end();
  }
}

describe('k8s/informer (real HTTP through client-node against a fake API server)', () => {
  let fake: FakeApi;
  let secrets: FakeSecrets;
  let informer: Informer<Secret> | undefined;

  beforeEach(async () => {
    secrets = new FakeSecrets();
    fake = await startFakeApi(secrets.route);
  });

  afterEach(async () => {
    await informer?.stop();
    informer = undefined;
    secrets.endWatches();
    await fake.close();
  });

  function listRequests(): SeenRequest[] {
    return fake.requests.filter((r) => r.method === 'GET' && r.query.get('watch') !== 'true');
  }

  it('lists page by page, then watches from the list resourceVersion with bookmarks', async () => {
    for (let i = 0; i < 5; i++) secrets.put('ns1', `s${i}`);
    const added: string[] = [];
    informer = new Informer<Secret>({ api: fake.api, resource: SECRETS, pageSize: 2, labelSelector: 'app=x' });
    informer.addHandlers({ add: (o) => added.push(o.metadata.name!) });
    assert.equal(informer.hasSynced(), false);
    informer.start();
    await informer.waitForSync();
    assert.equal(informer.store.size, 5);
    assert.deepEqual(added.sort(), ['s0', 's1', 's2', 's3', 's4']);
    assert.equal(listRequests().length, 3, 'five objects in pages of two');
    assert.equal(listRequests()[0].query.get('labelSelector'), 'app=x');
    await eventually(() => secrets.watches.length === 1, 5000, 'the watch');
    const watch = secrets.watches[0].req;
    assert.equal(watch.query.get('resourceVersion'), '15');
    assert.equal(watch.query.get('allowWatchBookmarks'), 'true');
    assert.equal(watch.query.get('labelSelector'), 'app=x');
    assert.equal(watch.headers.authorization, 'Bearer test-token');
  });

  it('applies watch events to the store and gives update handlers the old object', async () => {
    secrets.put('ns1', 'a');
    const log: string[] = [];
    informer = new Informer<Secret>({ api: fake.api, resource: SECRETS });
    informer.addHandlers({
      add: (o) => log.push(`add ${o.metadata.name}`),
      update: (old, o) => log.push(`update ${o.metadata.name} ${old.metadata.resourceVersion}->${o.metadata.resourceVersion}`),
      delete: (o) => log.push(`delete ${o.metadata.name}`),
    });
    informer.start();
    await eventually(() => secrets.watches.length === 1);
    secrets.emit('ADDED', secrets.put('ns1', 'b'));
    secrets.emit('MODIFIED', secrets.put('ns1', 'a', { labels: { x: 'y' } }));
    secrets.emit('DELETED', { metadata: { namespace: 'ns1', name: 'b', resourceVersion: '99' } });
    await eventually(() => log.length === 4);
    assert.deepEqual(log, ['add a', 'add b', 'update a 11->13', 'delete b']);
    assert.deepEqual(informer.store.keys(), ['ns1/a']);
    assert.deepEqual(informer.store.getByName('ns1', 'a')?.metadata.labels, { x: 'y' });
  });

  it('after a bookmark and a normal end of the watch, watches again from the bookmark without listing', async () => {
    secrets.put('ns1', 'a');
    informer = new Informer<Secret>({ api: fake.api, resource: SECRETS });
    informer.start();
    await eventually(() => secrets.watches.length === 1);
    // No wait needed: the bookmark line is written before the stream ends, and the informer reads the stream in order.
    secrets.emit('BOOKMARK', { kind: 'Secret', metadata: { resourceVersion: '500' } });
    secrets.endWatches();
    await eventually(() => secrets.watches.length === 1, 5000, 'the second watch');
    assert.equal(secrets.watches[0].req.query.get('resourceVersion'), '500');
    assert.equal(listRequests().length, 1, 'no second list');
    assert.equal(informer.store.size, 1, 'the bookmark added nothing');
  });

  for (const mode of ['error410', 'http410'] as const) {
    it(`re-lists after 410 Gone (${mode === 'error410' ? 'ERROR event in the stream' : 'HTTP 410 on the watch'}) and reports deletions missed meanwhile`, async () => {
      secrets.put('ns1', 'keep');
      secrets.put('ns1', 'gone');
      const deleted: string[] = [];
      const added: string[] = [];
      informer = new Informer<Secret>({ api: fake.api, resource: SECRETS });
      informer.addHandlers({ delete: (o) => deleted.push(o.metadata.name!), add: (o) => added.push(o.metadata.name!) });
      informer.start();
      await eventually(() => secrets.watches.length === 1);
      // While the informer is "away": one object deleted, one created, and the watch expires.
      secrets.objects.delete('ns1/gone');
      secrets.put('ns1', 'new');
      secrets.nextWatch = mode;
      secrets.endWatches();
      await eventually(() => listRequests().length === 2 && secrets.watches.length === 1, 5000, 'the re-list and new watch');
      assert.deepEqual(deleted, ['gone']);
      assert.deepEqual(added.sort(), ['gone', 'keep', 'new']);
      assert.deepEqual(informer.store.keys().sort(), ['ns1/keep', 'ns1/new']);
      assert.equal(informer.listCount, 2);
    });
  }

  it('metadata-only: asks for PartialObjectMetadata on list and on watch', async () => {
    secrets.put('ns1', 'a');
    informer = new Informer<Secret>({ api: fake.api, resource: SECRETS, metadataOnly: true });
    informer.start();
    await eventually(() => secrets.watches.length === 1);
    assert.equal(listRequests()[0].headers.accept, METADATA_LIST_ACCEPT);
    assert.equal(secrets.watches[0].req.headers.accept, METADATA_WATCH_ACCEPT);
  });

  it('restricted to namespaces: one list and watch per namespace; synced only when all are listed', async () => {
    secrets.put('ns1', 'a');
    secrets.put('ns2', 'b');
    secrets.put('other', 'c');
    secrets.failLists = 1; // the first namespace list fails once
    const errors: string[] = [];
    informer = new Informer<Secret>({
      api: fake.api,
      resource: SECRETS,
      namespaces: ['ns1', 'ns2', 'ns1'],
      retryBaseMs: 20,
      onError: (err, scope) => errors.push(`${scope}: ${(err as Error).message}`),
    });
    informer.start();
    await informer.waitForSync();
    assert.deepEqual(informer.store.keys().sort(), ['ns1/a', 'ns2/b']);
    const paths = new Set(listRequests().map((r) => r.path));
    assert.deepEqual([...paths].sort(), ['/api/v1/namespaces/ns1/secrets', '/api/v1/namespaces/ns2/secrets']);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /HTTP 500: etcd is sad/);
    await eventually(() => secrets.watches.length === 2);
  });

  it('keeps neither managedFields nor the last-applied annotation', async () => {
    secrets.put('ns1', 'a', {
      managedFields: [{ manager: 'kubectl', fieldsV1: { big: 'x'.repeat(1000) } }],
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":1}', mine: 'kept' },
    });
    informer = new Informer<Secret>({ api: fake.api, resource: SECRETS });
    informer.start();
    await informer.waitForSync();
    const stored = informer.store.getByName('ns1', 'a')!;
    assert.equal(stored.metadata.managedFields, undefined);
    assert.deepEqual(stored.metadata.annotations, { mine: 'kept' });
  });

  it('a throwing handler neither stops the watch nor the other handlers', async () => {
    const seen: string[] = [];
    const errors: unknown[] = [];
    informer = new Informer<Secret>({ api: fake.api, resource: SECRETS, onError: (err) => errors.push(err) });
    informer.addHandlers({
      add: () => {
        throw new Error('handler bug');
      },
    });
    informer.addHandlers({ add: (o) => seen.push(o.metadata.name!) });
    informer.start();
    await eventually(() => secrets.watches.length === 1);
    secrets.emit('ADDED', secrets.put('ns1', 'x'));
    secrets.emit('ADDED', secrets.put('ns1', 'y'));
    await eventually(() => seen.length === 2);
    assert.equal(errors.length, 2);
    assert.equal(secrets.watches.length, 1, 'still the same watch');
  });

  it('indexes objects and keeps the index in step', async () => {
    secrets.put('ns1', 'a', { annotations: { ref: 'p1' } });
    secrets.put('ns1', 'b', { annotations: { ref: 'p1' } });
    informer = new Informer<Secret>({ api: fake.api, resource: SECRETS });
    informer.store.addIndex('ref', (o) => (o.metadata.annotations?.ref ? [`${o.metadata.namespace}/${o.metadata.annotations.ref}`] : []));
    informer.start();
    await informer.waitForSync();
    await eventually(() => secrets.watches.length === 1);
    assert.deepEqual(
      informer.store
        .byIndex('ref', 'ns1/p1')
        .map((o) => o.metadata.name)
        .sort(),
      ['a', 'b'],
    );
    secrets.emit('MODIFIED', secrets.put('ns1', 'a', { annotations: { ref: 'p2' } }));
    await eventually(() => informer!.store.byIndex('ref', 'ns1/p2').length === 1);
    assert.deepEqual(
      informer.store.byIndex('ref', 'ns1/p1').map((o) => o.metadata.name),
      ['b'],
    );
  });
});
