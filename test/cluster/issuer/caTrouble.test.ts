// A CA in trouble, with the real cert-manager on the bed and the development CA over HTTP:
// a CA that changed its shared secret (our MAC is wrong) → Failed with its unverified text; a CA
// that is down → Pending, then Ready once it starts; a CA answering `waiting` is polled to Ready.
import type { RunningIssuerLoop } from '../../controllers/loops.js';
import assert from 'node:assert/strict';
import { startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import type { KubeApi } from '../../../src/k8s/apiClient.js';
import { issuerKey, type CMPv2Issuer } from '../../../src/api/cmpv2Issuer.js';
import type { KubeList } from '../../../src/k8s/meta.js';
import { recordCmpExchanges, type CmpExchangeRecorder } from '../../support/cmpExchangeRecorder.js';

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
  let recorder: CmpExchangeRecorder | undefined;

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
    await recorder?.close();
    recorder = undefined;
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
    // Not a sleep: the issuer's probes are what meets the closed port, and the loop's own queue
    // counts each refused one; wait for three.
    const probes = issuerKey('CMPv2Issuer', namespace, 'dev-ca');
    await eventually('three refused probes against the closed port', async () =>
      loop!.controller.issuerController.queue.failures(probes) >= 3 ? true : undefined,
    );
    const still = (await listRequests(api, namespace)).find((r) => r.metadata.name === pending.metadata.name);
    assert.equal(still?.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'Pending', 'still Pending while the CA is down');
    const started = await ca({ port });
    await readyCertificate(api, namespace, 'web');
    assert.equal(started.stats.enrollments, 1);
    assert.deepEqual((await readTlsSecret(api, namespace, 'web-tls')).rootsBase64, started.roots.map(derBase64));
  });

  it('a CA answering waiting twice (checkAfter 1 s) is polled to Ready in one transaction, each pollReq arriving ≥ checkAfter after the answer that asked for it', async function () {
    const { name: namespace } = ns();
    const slow = await ca({ port: 0, poll: 2, checkAfterSeconds: 1 });
    recorder = await recordCmpExchanges(slow.url!);
    await issuer(recorder.url);
    await certificate();
    loop = await startIssuerLoop(api, namespace);
    await readyCertificate(api, namespace, 'web');
    // The waiting ip carries no checkAfter, so the client polls at once (as OpenSSL does); the
    // pollRep then says checkAfter 1 s, and our own status writes must not make it poll sooner.
    // Measured where it matters: the time from the CA's pollRep leaving to the next pollReq of
    // that transaction arriving at the CA (both taken at the forwarder in front of the CA).
    const exchanges = [...recorder.exchanges].sort((x, y) => x.arrivedMs - y.arrivedMs);
    const enrolment = exchanges.filter((e) => e.requestType !== 'genm');
    assert.deepEqual(
      enrolment.map(
        (e) => `${e.requestType}→${e.answerType}${e.waiting ? ' waiting' : ''}${e.checkAfterSeconds !== undefined ? ` checkAfter ${e.checkAfterSeconds}` : ''}`,
      ),
      ['p10cr→cp waiting', 'pollReq→pollRep checkAfter 1', 'pollReq→cp'],
      'the exchanges of one polled enrolment (implicit confirm: no certConf)',
    );
    assert.equal(new Set(enrolment.map((e) => e.transaction)).size, 1, 'one transaction');
    const asked = enrolment.filter((e) => e.checkAfterSeconds !== undefined);
    for (const answer of asked) {
      const next = enrolment.find((e) => e.transaction === answer.transaction && e.arrivedMs > answer.answeredMs);
      assert.equal(next?.requestType, 'pollReq', 'a pollReq follows the pollRep');
      const gapMs = next!.arrivedMs - answer.answeredMs;
      assert.ok(
        gapMs >= answer.checkAfterSeconds! * 1000,
        `pollReq arrived ${gapMs.toFixed(0)} ms after a pollRep asking checkAfter ${answer.checkAfterSeconds} s`,
      );
    }
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
