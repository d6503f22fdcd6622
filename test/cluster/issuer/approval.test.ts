// Approval gates on the bed: a Denied CertificateRequest is never sent to the CA (Ready=False
// Denied, failureTime); an unapproved one waits, CA untouched, and is signed once approved.
// cert-manager's approver approves everything, so this file runs cert-manager without it (the
// bed restarts only its controller) and turns it back on afterwards. The requests are created
// by the test, and Approved/Denied are set through the status subresource as an approver would.
import type { RunningIssuerLoop } from '../../controllers/loops.js';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { buildCsr, parseSubjectAltName } from '../../../src/cmp/csr.js';
import { parseDistinguishedName } from '../../../src/cmp/names.js';
import { startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import type { KubeApi } from '../../../src/k8s/apiClient.js';
import { CERTIFICATE_REQUESTS, type CertificateRequest } from '../../../src/api/certManager.js';
import type { CMPv2Issuer } from '../../../src/api/cmpv2Issuer.js';
import { toPem } from '../../../src/pki/pem.js';
import { ensureBed, eventually, useNamespace } from '../bed.js';
import { addRequestCondition, issuerTestApi, pbmCmpSpec, startIssuerLoop } from './support.js';

describe('issuer loop: approval (cert-manager without its approver)', function () {
  const ns = useNamespace('issuer-approval');
  let api: KubeApi;
  let ca: DevelopmentCa;
  let loop: RunningIssuerLoop | undefined;

  before(async function () {
    await ensureBed({ approver: false });
    api = await issuerTestApi();
    ca = await startDevelopmentCa({ port: 0, secret: 'iak-secret', reference: 'rv-1' });
  });
  after(async function () {
    await ca?.stop();
    api?.close();
    await ensureBed({ approver: true });
  });
  afterEach(async function () {
    await loop?.shutdown();
    loop = undefined;
  });

  /** What reached the CA about certificates: requests of every type but genm (the issuer's probe), and certificates. */
  const caTraffic = () => ({
    requests: [...ca.stats.requests].filter(([type]) => type !== 'genm').reduce((sum, [, count]) => sum + count, 0),
    enrollments: ca.stats.enrollments,
  });

  /** The issuer (Ready before the request exists) and a CertificateRequest made by the test (p10cr: no key Secret needed). */
  async function issuerAndRequest(namespace: string): Promise<CertificateRequest> {
    await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cmp-iak' }, type: 'Opaque', stringData: { password: 'iak-secret' } });
    await ns().create({
      apiVersion: 'certmanager.onap.org/v1',
      kind: 'CMPv2Issuer',
      metadata: { name: 'dev-ca' },
      spec: pbmCmpSpec(ca.url!, 'cmp-iak', 'rv-1'),
    });
    loop = await startIssuerLoop(api, namespace);
    await eventually('issuer Ready', async () => {
      const issuer = await api.request<CMPv2Issuer>('GET', `/apis/certmanager.onap.org/v1/namespaces/${namespace}/cmpv2issuers/dev-ca`);
      return issuer?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
    });
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const csr = buildCsr({ key: key.privateKey, subject: parseDistinguishedName('CN=gate.example'), subjectAltNames: [parseSubjectAltName('gate.example')] });
    return ns().create({
      apiVersion: 'cert-manager.io/v1',
      kind: 'CertificateRequest',
      metadata: { name: 'gate' },
      spec: {
        request: Buffer.from(toPem('CERTIFICATE REQUEST', csr)).toString('base64'),
        issuerRef: { group: 'certmanager.onap.org', kind: 'CMPv2Issuer', name: 'dev-ca' },
        usages: ['digital signature', 'server auth'],
      },
    });
  }

  /**
   * Instead of a sleep: waits until the loop has seen the request as the API server has it now,
   * has nothing queued or in flight and nothing scheduled for later. From then on the loop does
   * nothing more about the request until a new event arrives, so what reached the CA is final.
   */
  async function loopSettled(namespace: string): Promise<CertificateRequest> {
    const informer = loop!.manager.cache.informer<CertificateRequest>(CERTIFICATE_REQUESTS);
    const queue = loop!.controller.requestController.queue;
    return eventually('the loop idle with the latest request seen and nothing scheduled', async () => {
      const current = await read(namespace);
      if (informer.store.getByName(namespace, 'gate')?.metadata.resourceVersion !== current.metadata.resourceVersion) return undefined;
      await queue.whenIdle();
      const after = await read(namespace);
      return after.metadata.resourceVersion === current.metadata.resourceVersion && queue.delayedCount === 0 && queue.depth === 0 ? after : undefined;
    });
  }

  const read = (namespace: string) => api.request<CertificateRequest>('GET', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificaterequests/gate`);
  const readyOf = (request: CertificateRequest) => request.status?.conditions?.find((c) => c.type === 'Ready');

  it('Denied: Ready=False reason Denied with failureTime; nothing sent to the CA', async function () {
    const { name: namespace } = ns();
    const before = caTraffic();
    await issuerAndRequest(namespace);
    // The loop may write the status meanwhile (a 409 on our stale copy): re-read and retry.
    await eventually('Denied set', async () => (await addRequestCondition(api, await read(namespace), 'Denied'), true));
    const denied = await eventually('Ready=False Denied', async () => {
      const request = await read(namespace);
      return readyOf(request)?.reason === 'Denied' ? request : undefined;
    });
    assert.equal(readyOf(denied)?.status, 'False');
    assert.ok(denied.status?.failureTime, 'status.failureTime');
    assert.equal(denied.status?.certificate, undefined);
    await loopSettled(namespace); // any late signing attempt would have been made by now
    assert.deepEqual(caTraffic(), before, 'the CA saw no request');
  });

  it('unapproved: waits, CA untouched; approved: signed (Ready=True Issued)', async function () {
    const { name: namespace } = ns();
    const before = caTraffic();
    await issuerAndRequest(namespace);
    // The loop has handled the unapproved request and holds nothing for it: had it ignored approval, it would have signed.
    const waiting = await loopSettled(namespace);
    assert.notEqual(readyOf(waiting)?.status, 'True', JSON.stringify(waiting.status));
    assert.equal(waiting.status?.certificate, undefined);
    assert.deepEqual(caTraffic(), before, 'the CA saw no request before approval');
    await eventually('Approved set', async () => (await addRequestCondition(api, await read(namespace), 'Approved'), true));
    const issued = await eventually('Ready=True Issued', async () => {
      const request = await read(namespace);
      return readyOf(request)?.status === 'True' ? request : undefined;
    });
    assert.equal(readyOf(issued)?.reason, 'Issued');
    assert.ok(issued.status?.certificate);
    assert.equal(ca.stats.enrollments, before.enrollments + 1);
  });
});
