// A CA in trouble, with the real cert-manager on the bed and the development CA over HTTP:
// a CA that changed its shared secret (our MAC is wrong) → Failed with its unverified text; a CA
// that is down → Pending, then Ready once it starts; a CA answering `waiting` is polled to Ready.
import type { RunningIssuerLoop } from '../../controllers/loops.js';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import type { KubeApi } from '../../../src/k8s/apiClient.js';
import type { CMPv2Issuer } from '../../../src/api/cmpv2Issuer.js';
import type { KubeList } from '../../../src/k8s/meta.js';

interface CoreEvent {
  involvedObject: { kind?: string; name?: string };
  reason?: string;
  message?: string;
}
import { eventually, useNamespace } from '../bed.js';
import {
  certificateManifest,
  derBase64,
  freePort,
  issuerTestApi,
  listRequests,
  pbmCmpSpec,
  readTlsSecret,
  readyCertificate,
  requestWhen,
  startIssuerLoop,
} from './support.js';

describe('issuer loop: a CA in trouble (development CA over HTTP, real cert-manager)', function () {
  const ns = useNamespace('issuer-ca');
  let api: KubeApi;
  let loop: RunningIssuerLoop | undefined;
  const cas: DevelopmentCa[] = [];

  before(async function () {
    api = await issuerTestApi();
  });
  after(function () {
    api?.close();
  });
  afterEach(async function () {
    await loop?.shutdown();
    loop = undefined;
    await Promise.all(cas.splice(0).map((ca) => ca.stop()));
  });

  async function ca(options: Parameters<typeof startDevelopmentCa>[0]): Promise<DevelopmentCa> {
    const started = await startDevelopmentCa({ secret: 'iak-secret', reference: 'rv-1', ...options });
    cas.push(started);
    return started;
  }

  async function issuer(url: string): Promise<void> {
    await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cmp-iak' }, type: 'Opaque', stringData: { password: 'iak-secret' } });
    await ns().create({ apiVersion: 'certmanager.onap.org/v1', kind: 'CMPv2Issuer', metadata: { name: 'dev-ca' }, spec: pbmCmpSpec(url, 'cmp-iak', 'rv-1') });
  }

  const certificate = () => ns().create(certificateManifest('web', { kind: 'CMPv2Issuer', name: 'dev-ca' }));

  it('the CA changed its shared secret after the issuer was checked: Failed, its answer reported as unverified, nothing issued', async function () {
    const { name: namespace } = ns();
    const port = await freePort();
    const before = await ca({ port });
    await issuer(before.url!);
    loop = await startIssuerLoop(api, namespace);
    await eventually('issuer Ready', async () => {
      const stored = await api.request<CMPv2Issuer>('GET', `/apis/certmanager.onap.org/v1/namespaces/${namespace}/cmpv2issuers/dev-ca`);
      return stored.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
    });
    await before.stop();
    const rotated = await ca({ port, secret: 'rotated-secret' });
    await certificate();
    const failed = await requestWhen(api, namespace, 'CertificateRequest Failed', (ready) => ready?.reason === 'Failed');
    const message = failed.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '';
    assert.match(message, /badMessageCheck/);
    assert.match(message, /unverified/);
    assert.doesNotMatch(message, /iak-secret|rotated-secret/, 'no secret in the message');
    assert.ok(failed.status?.failureTime, 'status.failureTime');
    assert.equal(failed.status?.certificate, undefined);
    assert.equal(rotated.stats.enrollments, 0);
  });

  it('a CA that is down: Pending; once it starts, Ready', async function () {
    const { name: namespace } = ns();
    const port = await freePort();
    await issuer(`http://127.0.0.1:${port}/.well-known/cmp`);
    await certificate();
    loop = await startIssuerLoop(api, namespace);
    const pending = await requestWhen(api, namespace, 'CertificateRequest Pending', (ready) => ready?.reason === 'Pending');
    await sleep(3000); // a few retries against the closed port
    const still = (await listRequests(api, namespace)).find((r) => r.metadata.name === pending.metadata.name);
    assert.equal(still?.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'Pending', 'still Pending while the CA is down');
    const started = await ca({ port });
    await readyCertificate(api, namespace, 'web');
    assert.equal(started.stats.enrollments, 1);
    assert.deepEqual((await readTlsSecret(api, namespace, 'web-tls')).rootsBase64, started.roots.map(derBase64));
  });

  it('a CA answering waiting twice (checkAfter 1 s) is polled to Ready in one transaction', async function () {
    const { name: namespace } = ns();
    const slow = await ca({ port: 0, poll: 2, checkAfterSeconds: 1 });
    await issuer(slow.url!);
    await certificate();
    const started = Date.now();
    loop = await startIssuerLoop(api, namespace);
    await readyCertificate(api, namespace, 'web');
    // The waiting ip carries no checkAfter, so the client polls at once (as OpenSSL does); the
    // pollRep then says checkAfter 1 s, and our own status writes must not make it poll sooner.
    assert.ok(Date.now() - started >= 1000, `Ready after ${Date.now() - started} ms: checkAfter not honoured`);
    // The Pending spell lasts ~1 s; the Event of that transition stays.
    const events = (await api.request<KubeList<CoreEvent>>('GET', `/api/v1/namespaces/${namespace}/events`)).items;
    assert.ok(
      events.some(
        (e) => e.involvedObject.kind === 'CertificateRequest' && e.reason === 'Pending' && /processing the request \(checkAfter 1s\)/.test(e.message ?? ''),
      ),
      `a Pending Event for the waiting answer: ${JSON.stringify(events.map((e) => [e.reason, e.message]))}`,
    );
    assert.equal(slow.stats.requests.get('pollReq'), 2, 'two pollReq');
    assert.equal(slow.stats.enrollments, 1);
    assert.deepEqual([...slow.stats.enrollmentsByTransaction.values()], [1], 'one transaction');
  });
});
