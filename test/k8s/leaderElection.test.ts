import assert from 'node:assert/strict';
import { LeaderElector, formatMicroTime, type Lease } from '../../src/k8s/leaderElection.js';
import { eventually, sendJson, sendStatus, startFakeApi, type FakeApi } from './fakeApiServer.js';

/** One Lease with optimistic concurrency, like the API server. */
function leaseServer() {
  const state: { lease: Lease | undefined; rv: number; failWrites: boolean } = { lease: undefined, rv: 1, failWrites: false };
  const route = (req: { method: string; path: string; body: unknown }, res: import('node:http').ServerResponse): void => {
    const path = '/apis/coordination.k8s.io/v1/namespaces/ns/leases';
    if (req.method === 'GET' && req.path === `${path}/op`) {
      return state.lease ? sendJson(res, 200, state.lease) : sendStatus(res, 404, 'NotFound', 'no lease');
    }
    if (state.failWrites) return sendStatus(res, 503, 'ServiceUnavailable', 'down');
    if (req.method === 'POST' && req.path === path) {
      if (state.lease) return sendStatus(res, 409, 'AlreadyExists', 'exists');
      state.lease = { ...(req.body as Lease), metadata: { ...(req.body as Lease).metadata, resourceVersion: String(++state.rv) } };
      return sendJson(res, 201, state.lease);
    }
    if (req.method === 'PUT' && req.path === `${path}/op`) {
      const body = req.body as Lease;
      if (body.metadata.resourceVersion !== state.lease?.metadata.resourceVersion) return sendStatus(res, 409, 'Conflict', 'modified');
      state.lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++state.rv) } };
      return sendJson(res, 200, state.lease);
    }
    sendStatus(res, 405, 'MethodNotAllowed', req.method);
  };
  return { state, route };
}

const timing = { leaseDurationMs: 800, renewDeadlineMs: 500, retryPeriodMs: 100 };

describe('k8s/leaderElection (against a fake Lease API)', () => {
  let fake: FakeApi;
  let server: ReturnType<typeof leaseServer>;
  const electors: LeaderElector[] = [];
  beforeEach(async () => {
    server = leaseServer();
    fake = await startFakeApi(server.route);
  });
  afterEach(async () => {
    server.state.failWrites = false;
    await Promise.all(electors.splice(0).map((e) => e.stop()));
    await fake.close();
  });

  function elector(identity: string, log: string[]): LeaderElector {
    const e = new LeaderElector({
      api: fake.api,
      namespace: 'ns',
      name: 'op',
      identity,
      ...timing,
      onStartedLeading: () => log.push(`${identity} started`),
      onStoppedLeading: () => log.push(`${identity} stopped`),
    });
    electors.push(e);
    return e;
  }

  it('MicroTime has six fractional digits', () => {
    assert.equal(formatMicroTime(new Date('2025-01-02T03:04:05.678Z')), '2025-01-02T03:04:05.678000Z');
  });

  it('one leader at a time; release on stop hands over without waiting out the lease', async () => {
    const log: string[] = [];
    const a = elector('a', log);
    void a.run();
    await eventually(() => a.isLeader());
    assert.equal(server.state.lease?.spec?.holderIdentity, 'a');
    const b = elector('b', log);
    void b.run();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(b.isLeader(), false, 'b waits while a renews');
    const renewed = server.state.lease?.spec?.renewTime;
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.notEqual(server.state.lease?.spec?.renewTime, renewed, 'a keeps renewing');
    await a.stop();
    assert.equal(a.isLeader(), false);
    await eventually(() => b.isLeader(), 3000, 'b to take over');
    assert.equal(server.state.lease?.spec?.holderIdentity, 'b');
    assert.equal(server.state.lease?.spec?.leaseTransitions, 1);
    assert.deepEqual(log, ['a started', 'a stopped', 'b started']);
  });

  it('takes over a Lease whose holder vanished, only after a lease duration on its own clock', async () => {
    const now = new Date();
    server.state.lease = {
      metadata: { name: 'op', namespace: 'ns', resourceVersion: '1' },
      spec: { holderIdentity: 'ghost', leaseDurationSeconds: 1, renewTime: formatMicroTime(now), acquireTime: formatMicroTime(now), leaseTransitions: 4 },
    };
    const log: string[] = [];
    const b = elector('b', log);
    void b.run();
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(b.isLeader(), false, "the ghost's lease has not run out yet");
    await eventually(() => b.isLeader(), 4000, 'b to take over');
    assert.equal(server.state.lease?.spec?.leaseTransitions, 5);
  });

  it('gives up leadership when it cannot renew within the renew deadline', async () => {
    const log: string[] = [];
    let signal: AbortSignal | undefined;
    const a = new LeaderElector({
      api: fake.api,
      namespace: 'ns',
      name: 'op',
      identity: 'a',
      ...timing,
      onStartedLeading: (s) => {
        signal = s;
        log.push('started');
      },
      onStoppedLeading: () => log.push('stopped'),
    });
    electors.push(a);
    const running = a.run();
    await eventually(() => a.isLeader());
    server.state.failWrites = true;
    await running; // run() returns when leadership is lost
    assert.equal(a.isLeader(), false);
    assert.equal(signal?.aborted, true);
    assert.deepEqual(log, ['started', 'stopped']);
  });
});
