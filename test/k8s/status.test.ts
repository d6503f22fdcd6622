import { CERTIFICATE_REQUESTS } from '../../src/api/certManager.js';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/k8s/apiError.js';
import { SECRETS } from '../../src/k8s/resources.js';
import { ConflictRetriesExhaustedError, keyedChangesPatch, patchStatusWithRetry, patchWithRetry } from '../../src/k8s/status.js';
import type { Secret } from '../../src/k8s/meta.js';
import { sendJson, sendStatus, startFakeApi, type FakeApi } from './fakeApiServer.js';

/** One Secret whose resourceVersion a "cert-manager" bumps behind our back `races` times. */
function secretServer(races: number) {
  let secret: Secret = { metadata: { namespace: 'ns', name: 's', resourceVersion: '1' }, data: { 'tls.crt': 'Y2VydA==' } };
  let racesLeft = races;
  const route = (req: { method: string; path: string; body: unknown }, res: import('node:http').ServerResponse): void => {
    if (!req.path.startsWith('/api/v1/namespaces/ns/secrets/s')) return sendStatus(res, 404, 'NotFound', 'no');
    if (req.method === 'GET') return sendJson(res, 200, secret);
    if (req.method === 'PATCH') {
      if (racesLeft > 0) {
        racesLeft--;
        // Someone else writes first: their key lands and the version moves on.
        secret = {
          ...secret,
          metadata: { ...secret.metadata, resourceVersion: String(Number(secret.metadata.resourceVersion) + 1) },
          data: { ...secret.data, 'other.key': 'eA==' },
        };
      }
      const patch = req.body as { metadata?: { resourceVersion?: string; annotations?: Record<string, string | null> }; data?: Record<string, string | null> };
      if (patch.metadata?.resourceVersion && patch.metadata.resourceVersion !== secret.metadata.resourceVersion) {
        return sendStatus(res, 409, 'Conflict', 'the object has been modified');
      }
      const data = { ...secret.data };
      for (const [k, v] of Object.entries(patch.data ?? {}))
        if (v === null) delete data[k];
        else data[k] = v;
      const annotations = { ...secret.metadata.annotations };
      for (const [k, v] of Object.entries(patch.metadata?.annotations ?? {}))
        if (v === null) delete annotations[k];
        else annotations[k] = v;
      secret = { ...secret, metadata: { ...secret.metadata, annotations, resourceVersion: String(Number(secret.metadata.resourceVersion) + 1) }, data };
      return sendJson(res, 200, secret);
    }
    sendStatus(res, 405, 'MethodNotAllowed', req.method);
  };
  return { route, current: () => secret };
}

describe('k8s/status', () => {
  let fake: FakeApi | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('keyedChangesPatch: only our keys, null removes, nothing when already in place', () => {
    const current: Secret = { metadata: { annotations: { h: '1' }, labels: {} }, data: { a: 'x', b: 'y' } };
    assert.equal(keyedChangesPatch(current, { annotations: { h: '1' }, data: { a: 'x', gone: null } }), undefined);
    assert.deepEqual(keyedChangesPatch(current, { annotations: { h: '2' }, labels: { managed: 'true' }, data: { b: null } }), {
      metadata: { annotations: { h: '2' }, labels: { managed: 'true' } },
      data: { b: null },
    });
  });

  it("retries on 409 with a fresh read, keeping the other writer's key", async () => {
    const server = secretServer(2);
    fake = await startFakeApi(server.route);
    let builds = 0;
    const written = await patchWithRetry<Secret>(fake.api, SECRETS, { namespace: 'ns', name: 's' }, (current) => {
      builds++;
      return keyedChangesPatch(current, { data: { 'keystore.jks': 'amtz' }, annotations: { hash: 'abc' } });
    });
    assert.equal(builds, 3);
    assert.equal(written?.data?.['keystore.jks'], 'amtz');
    assert.equal(server.current().data?.['other.key'], 'eA==', 'the concurrent write survived');
    const patches = fake.requests.filter((r) => r.method === 'PATCH');
    assert.equal(patches.length, 3);
    assert.equal(patches[0].headers['content-type'], 'application/merge-patch+json');
    assert.equal((patches[0].body as { metadata: { resourceVersion: string } }).metadata.resourceVersion, '1');
  });

  it('starts from a cached copy without a GET, and writes nothing when nothing changes', async () => {
    const server = secretServer(0);
    fake = await startFakeApi(server.route);
    const cached = server.current();
    const result = await patchWithRetry<Secret>(
      fake.api,
      SECRETS,
      { namespace: 'ns', name: 's' },
      (c) => keyedChangesPatch(c, { data: { 'tls.crt': 'Y2VydA==' } }),
      { current: cached },
    );
    assert.equal(result, undefined);
    assert.equal(fake.requests.length, 0);
  });

  it('gives up after the attempts with a typed error', async () => {
    const server = secretServer(100);
    fake = await startFakeApi(server.route);
    await assert.rejects(
      patchWithRetry<Secret>(fake.api, SECRETS, { namespace: 'ns', name: 's' }, () => ({ data: { x: 'eQ==' } }), { attempts: 3 }),
      ConflictRetriesExhaustedError,
    );
    assert.equal(fake.requests.filter((r) => r.method === 'PATCH').length, 3);
  });

  it('does not retry other errors', async () => {
    fake = await startFakeApi((req, res) =>
      req.method === 'GET' ? sendJson(res, 200, { metadata: { resourceVersion: '5' } }) : sendStatus(res, 422, 'Invalid', 'bad field'),
    );
    await assert.rejects(
      patchWithRetry(fake.api, SECRETS, { namespace: 'ns', name: 's' }, () => ({ data: {} })),
      (err: unknown) => err instanceof ApiError && err.statusCode === 422 && /bad field/.test(err.message),
    );
    assert.equal(fake.requests.filter((r) => r.method === 'PATCH').length, 1);
  });

  it('patchStatusWithRetry writes the status subresource', async () => {
    fake = await startFakeApi((req, res) => sendJson(res, 200, { metadata: { resourceVersion: '7', name: 'cr' } }));
    await patchStatusWithRetry(fake.api, CERTIFICATE_REQUESTS, { namespace: 'ns', name: 'cr' }, () => ({ failureTime: 'x' }));
    const patch = fake.requests.find((r) => r.method === 'PATCH')!;
    assert.equal(patch.path, '/apis/cert-manager.io/v1/namespaces/ns/certificaterequests/cr/status');
    assert.deepEqual(patch.body, { status: { failureTime: 'x' }, metadata: { resourceVersion: '7' } });
  });
});
