import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { FakeClock } from '../../src/k8s/clock.js';
import { EventRecorder, looksLikePrivateKey, WITHHELD_MESSAGE } from '../../src/k8s/events.js';
import type { ObjectReference } from '../../src/k8s/meta.js';
import { sendJson, sendStatus, startFakeApi, type FakeApi } from './fakeApiServer.js';

const cr: ObjectReference = { apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest', namespace: 'ns', name: 'req-1', uid: 'u-1' };

describe('k8s/events', () => {
  let fake: FakeApi;
  let patchStatus = 200;
  const clock = new FakeClock();
  beforeEach(async () => {
    patchStatus = 200;
    fake = await startFakeApi((req, res) => {
      if (req.method === 'POST') return sendJson(res, 201, req.body);
      if (req.method === 'PATCH') return patchStatus === 200 ? sendJson(res, 200, {}) : sendStatus(res, patchStatus, 'NotFound', 'expired');
      sendStatus(res, 405, 'MethodNotAllowed', '');
    });
  });
  afterEach(async () => fake.close());

  it('creates a core/v1 Event naming the object', async () => {
    const recorder = new EventRecorder(fake.api, { component: 'cmpv2-operator', instance: 'pod-1', clock });
    await recorder.record(cr, { type: 'Normal', reason: 'Issued', message: 'Certificate issued' });
    const post = fake.requests[0];
    assert.equal(post.path, '/api/v1/namespaces/ns/events');
    const body = post.body as Record<string, unknown>;
    assert.deepEqual(body.involvedObject, cr);
    assert.equal(body.type, 'Normal');
    assert.equal(body.reason, 'Issued');
    assert.equal(body.count, 1);
    assert.deepEqual(body.source, { component: 'cmpv2-operator', host: 'pod-1' });
    assert.match((body.metadata as { name: string }).name, /^req-1\./);
  });

  it('folds a repeat into a count, and starts anew when the Event expired', async () => {
    const recorder = new EventRecorder(fake.api, { component: 'c', clock });
    const event = { type: 'Warning' as const, reason: 'Pending', message: 'CA down' };
    await recorder.record(cr, event);
    await recorder.record(cr, event);
    assert.deepEqual(
      fake.requests.map((r) => r.method),
      ['POST', 'PATCH'],
    );
    assert.deepEqual((fake.requests[1].body as { count: number }).count, 2);
    patchStatus = 404;
    await recorder.record(cr, event);
    assert.deepEqual(
      fake.requests.map((r) => r.method),
      ['POST', 'PATCH', 'PATCH', 'POST'],
    );
  });

  it('puts Events of cluster-scoped objects in default', async () => {
    const recorder = new EventRecorder(fake.api, { component: 'c', clock });
    await recorder.record(
      { apiVersion: 'certmanager.onap.org/v1', kind: 'ClusterCMPv2Issuer', name: 'ca' },
      { type: 'Normal', reason: 'Checked', message: 'ok' },
    );
    assert.equal(fake.requests[0].path, '/api/v1/namespaces/default/events');
  });

  it('never sends private key material', async () => {
    const refused: string[] = [];
    const recorder = new EventRecorder(fake.api, { component: 'c', clock, onRefused: (_o, reason) => refused.push(reason) });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const bareBase64 = privateKey.export({ format: 'der', type: 'sec1' }).toString('base64');
    await recorder.record(cr, { type: 'Warning', reason: 'Failed', message: `bad key ${pem}` });
    await recorder.record(cr, { type: 'Warning', reason: 'Failed', message: `key=${bareBase64}` });
    for (const request of fake.requests) {
      const text = JSON.stringify(request.body);
      assert.ok(!text.includes('PRIVATE KEY') && !text.includes(bareBase64.slice(0, 40)), text);
      assert.equal((request.body as { message?: string }).message ?? WITHHELD_MESSAGE, WITHHELD_MESSAGE);
    }
    assert.deepEqual(refused, ['Failed', 'Failed']);
  });

  it('the guard spots PKCS#8, PKCS#1 and SEC1 keys but not public keys or ordinary text', () => {
    const { privateKey: rsa, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    assert.ok(!looksLikePrivateKey(publicKey.export({ format: 'der', type: 'spki' }).toString('base64')));
    assert.ok(looksLikePrivateKey(rsa.export({ format: 'der', type: 'pkcs1' }).toString('base64')));
    assert.ok(looksLikePrivateKey(rsa.export({ format: 'der', type: 'pkcs8' }).toString('base64')));
    assert.ok(looksLikePrivateKey('-----BEGIN ENCRYPTED PRIVATE KEY-----\nabc\n-----END ENCRYPTED PRIVATE KEY-----'));
    assert.ok(!looksLikePrivateKey('CA rejected the request: badPOP (signature of the proof of possession invalid)'));
    assert.ok(!looksLikePrivateKey(Buffer.alloc(300, 7).toString('base64')));
  });

  it('reports a failed write instead of throwing', async () => {
    const errors: unknown[] = [];
    await fake.close();
    fake = await startFakeApi((_req, res) => sendStatus(res, 403, 'Forbidden', 'no events for you'));
    const recorder = new EventRecorder(fake.api, { component: 'c', clock, onError: (e) => errors.push(e) });
    await recorder.record(cr, { type: 'Normal', reason: 'x', message: 'y' });
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /403/);
  });
});
