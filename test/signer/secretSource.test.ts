// KubeSecretSource against the in-memory API server: an issuer's Secret is read once per
// resourceVersion the watch shows; a request's Secret (a private key) is read every time and never kept.
import assert from 'node:assert/strict';
import { KubeSecretSource } from '../../src/signer/secretSource.js';
import { MemoryApi } from '../k8s/memoryApiServer.js';

describe('signer KubeSecretSource', () => {
  let memory: MemoryApi;
  beforeEach(async () => (memory = await MemoryApi.start()));
  afterEach(() => memory.close());

  const put = (name: string, password: string) =>
    memory.put('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { namespace: 'ca', name },
      data: { password: Buffer.from(password).toString('base64') },
    });
  const gets = (name: string) => memory.fake.requests.filter((r) => r.method === 'GET' && r.path === `/api/v1/namespaces/ca/secrets/${name}`).length;

  it('reads an issuer Secret once per resourceVersion, and again as soon as the watch shows a new one', async () => {
    let shown = String(put('iak', 'one').metadata.resourceVersion);
    const source = new KubeSecretSource(memory.fake.api, (namespace, name) => (namespace === 'ca' && name === 'iak' ? shown : undefined));
    const read = async () => (await source.readSecret('ca', 'iak', { issuer: true }))?.password.toString();
    assert.deepEqual([await read(), await read(), await read()], ['one', 'one', 'one']);
    assert.equal(gets('iak'), 1);
    shown = String(put('iak', 'two').metadata.resourceVersion);
    assert.equal(await read(), 'two');
    assert.equal(gets('iak'), 2);
    memory.objects.get('secrets')!.delete('ca/iak');
    shown = 'gone';
    assert.equal(await read(), undefined);
  });

  it('reads every time without a watch, for a request Secret, or when the watch does not know the Secret', async () => {
    put('iak', 'one');
    put('web-key', 'k');
    const unknown = new KubeSecretSource(memory.fake.api, () => undefined);
    const unwatched = new KubeSecretSource(memory.fake.api);
    await unknown.readSecret('ca', 'iak', { issuer: true });
    await unknown.readSecret('ca', 'iak', { issuer: true });
    await unwatched.readSecret('ca', 'iak', { issuer: true });
    assert.equal(gets('iak'), 3);
    const watched = new KubeSecretSource(memory.fake.api, () => '1');
    await watched.readSecret('ca', 'web-key');
    await watched.readSecret('ca', 'web-key');
    assert.equal(gets('web-key'), 2);
  });
});
