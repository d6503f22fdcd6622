// The informer against the real kube-apiserver: full and metadata-only (PartialObjectMetadata)
// list + watch of Secrets, selectors, namespace restriction, and a CRD kind (CMPv2Issuer).
import { CMPV2_ISSUERS } from '../../../src/api/cmpv2Issuer.js';
import assert from 'node:assert/strict';
import { KubeApi } from '../../../src/k8s/apiClient.js';
import { Informer } from '../../../src/k8s/informer.js';
import { SECRETS } from '../../../src/k8s/resources.js';
import type { CMPv2Issuer } from '../../../src/api/cmpv2Issuer.js';
import type { KubeObject, Secret } from '../../../src/k8s/meta.js';
import { applyDirectory } from '../../../scripts/testbed/apply.js';
import { layout } from '../../../scripts/testbed/layout.js';
import { adminKubeConfig, eventually, useNamespace } from '../bed.js';

describe('k8s/informer on the test bed', function () {
  const ns = useNamespace('informer');
  let api: KubeApi;
  const informers: Informer<KubeObject>[] = [];

  before(async function () {
    const kc = await adminKubeConfig();
    await applyDirectory(kc, layout.projectCrdsDir);
    api = await KubeApi.fromKubeConfig(kc);
  });
  afterEach(async function () {
    await Promise.all(informers.splice(0).map((i) => i.stop()));
  });
  after(() => api?.close());

  function track<T extends KubeObject>(informer: Informer<T>): Informer<T> {
    informers.push(informer as unknown as Informer<KubeObject>);
    return informer;
  }

  const secret = (name: string, extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, ...extra },
    type: 'Opaque',
    data: { big: Buffer.alloc(4096, 1).toString('base64') },
  });

  it('lists and watches Secrets of one namespace: add, update with the old object, delete', async function () {
    const { name: namespace, objects } = ns();
    const path = `/api/v1/namespaces/${namespace}/secrets`;
    await ns().create(secret('before'));
    const log: string[] = [];
    const informer = track(new Informer<Secret>({ api, resource: SECRETS, namespaces: [namespace] }));
    informer.addHandlers({
      add: (s) => log.push(`add ${s.metadata.name}`),
      update: (old, s) => log.push(`update ${s.metadata.name} ${old.metadata.labels?.v ?? '-'}->${s.metadata.labels?.v}`),
      delete: (s) => log.push(`delete ${s.metadata.name}`),
    });
    informer.start();
    await informer.waitForSync();
    assert.deepEqual(informer.store.keys(), [`${namespace}/before`]);
    assert.ok(informer.store.getByName(namespace, 'before')?.data?.big, 'the full informer has the data');
    await ns().create(secret('after'));
    await api.request('PATCH', `${path}/after`, { body: { metadata: { labels: { v: '2' } } }, contentType: 'application/merge-patch+json' });
    await objects.delete({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'before', namespace } });
    await eventually('the watch events', async () => (log.length >= 4 ? log : undefined), 20000);
    assert.deepEqual(log, ['add before', 'add after', 'update after -->2', 'delete before']);
    assert.deepEqual(informer.store.keys(), [`${namespace}/after`]);
  });

  it('metadata-only: the API server sends PartialObjectMetadata on list and watch, no data', async function () {
    const { name: namespace } = ns();
    await ns().create(secret('listed', { annotations: { 'keystore.certmanager.onap.org/formats': 'jks' } }));
    const seen: KubeObject[] = [];
    const informer = track(new Informer<KubeObject>({ api, resource: SECRETS, namespaces: [namespace], metadataOnly: true, transform: (o) => o }));
    informer.addHandlers({ add: (o) => seen.push(o), update: (_old, o) => seen.push(o) });
    informer.start();
    await informer.waitForSync();
    await ns().create(secret('watched', { labels: { x: 'y' } }));
    await eventually('the watched Secret', async () => informer.store.getByName(namespace, 'watched'), 20000);
    for (const name of ['listed', 'watched']) {
      const obj = informer.store.getByName(namespace, name) as KubeObject & { data?: unknown };
      assert.equal(obj.data, undefined, `${name}: no data kept`);
      assert.ok(obj.metadata.resourceVersion);
    }
    const watched = seen.find((o) => o.metadata.name === 'watched')!;
    assert.equal(watched.kind, 'PartialObjectMetadata', 'the watch event carried PartialObjectMetadata');
    assert.equal(watched.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(informer.store.getByName(namespace, 'listed')?.metadata.annotations, { 'keystore.certmanager.onap.org/formats': 'jks' });
    assert.deepEqual(informer.store.getByName(namespace, 'watched')?.metadata.labels, { x: 'y' });
  });

  it('label selector and namespace restriction keep other objects out of the store', async function () {
    const { name: namespace } = ns();
    await ns().create(secret('managed', { labels: { 'keystore.certmanager.onap.org/managed': 'true' } }));
    await ns().create(secret('unrelated'));
    const informer = track(
      new Informer<KubeObject>({
        api,
        resource: SECRETS,
        namespaces: [namespace, 'kube-system'],
        metadataOnly: true,
        labelSelector: 'keystore.certmanager.onap.org/managed=true',
      }),
    );
    informer.start();
    await informer.waitForSync();
    assert.deepEqual(informer.store.keys(), [`${namespace}/managed`]);
  });

  it('watches a CRD kind with status (CMPv2Issuer)', async function () {
    const { name: namespace } = ns();
    const informer = track(new Informer<CMPv2Issuer>({ api, resource: CMPV2_ISSUERS, namespaces: [namespace] }));
    informer.start();
    await informer.waitForSync();
    await ns().create({
      apiVersion: 'certmanager.onap.org/v1',
      kind: 'CMPv2Issuer',
      metadata: { name: 'ca' },
      spec: {
        cmp: { url: 'http://127.0.0.1:1/.well-known/cmp', protection: { passwordBasedMac: { secretRef: { name: 'iak', key: 'password' }, reference: 'rv' } } },
      },
    });
    const issuer = await eventually('the issuer', async () => informer.store.getByName(namespace, 'ca'), 20000);
    assert.equal(issuer.metadata.generation, 1);
    assert.equal((issuer.spec as { cmp: { url: string } }).cmp.url, 'http://127.0.0.1:1/.well-known/cmp');
  });
});
