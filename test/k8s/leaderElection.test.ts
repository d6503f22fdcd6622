import assert from 'node:assert/strict';
import { FakeClock } from '../../src/k8s/clock.js';
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

// Timings on a fake clock: time moves only when the test advances it, so a slow machine cannot
// make a renewal late, and the test can stand exactly before and after each deadline.
const timing = { leaseDurationMs: 800, renewDeadlineMs: 500, retryPeriodMs: 100 };
/** A campaign retry waits retryPeriod · (1 + up to 20 % jitter): one step always covers it. */
const CAMPAIGN_STEP_MS = 120;

describe('k8s/leaderElection (against a fake Lease API, on a fake clock)', () => {
  let fake: FakeApi;
  let server: ReturnType<typeof leaseServer>;
  let clock: FakeClock;
  const electors: LeaderElector[] = [];
  beforeEach(async () => {
    server = leaseServer();
    fake = await startFakeApi(server.route);
    clock = new FakeClock();
  });
  afterEach(async () => {
    server.state.failWrites = false;
    await Promise.all(electors.splice(0).map((e) => e.stop()));
    await fake.close();
  });

  function elector(identity: string, log: string[], extra: { onStartedLeading?: (signal: AbortSignal) => void } = {}): LeaderElector {
    const e = new LeaderElector({
      api: fake.api,
      namespace: 'ns',
      name: 'op',
      identity,
      ...timing,
      clock,
      onStartedLeading: (signal) => {
        log.push(`${identity} started`);
        extra.onStartedLeading?.(signal);
      },
      onStoppedLeading: () => log.push(`${identity} stopped`),
    });
    electors.push(e);
    return e;
  }

  /** Waits until `count` electors sleep on the clock again (their Lease round trip done). */
  const parked = (count: number, what: string): Promise<void> => eventually(() => clock.pendingTimers() === count, 5000, what);

  /** Advances the clock by `ms` and waits until the electors have finished what fell due. */
  async function step(ms: number, electorsParked: number): Promise<void> {
    clock.advance(ms);
    await parked(electorsParked, `${electorsParked} elector(s) waiting after ${ms} ms`);
  }

  it('MicroTime has six fractional digits', () => {
    assert.equal(formatMicroTime(new Date('2025-01-02T03:04:05.678Z')), '2025-01-02T03:04:05.678000Z');
  });

  it('one leader at a time, however long a renewing leader holds on; release on stop hands over without waiting out the lease', async () => {
    const log: string[] = [];
    const a = elector('a', log);
    void a.run();
    await eventually(() => a.isLeader(), 5000, 'a leading');
    await parked(1, 'a waiting to renew');
    assert.equal(server.state.lease?.spec?.holderIdentity, 'a');
    assert.equal(server.state.lease?.spec?.renewTime, formatMicroTime(clock.now()), 'the Lease carries our clock');
    const b = elector('b', log);
    void b.run();
    await parked(2, 'b waiting after its first refused try');
    // Two lease durations of fake time: a renews every retry period, b retries and is refused each time.
    const renewTimes = new Set<string>();
    for (let elapsed = 0; elapsed < 2 * timing.leaseDurationMs; elapsed += CAMPAIGN_STEP_MS) {
      await step(CAMPAIGN_STEP_MS, 2);
      assert.equal(b.isLeader(), false, `b waits while a renews (after ${elapsed + CAMPAIGN_STEP_MS} ms)`);
      assert.equal(server.state.lease?.spec?.holderIdentity, 'a');
      renewTimes.add(server.state.lease?.spec?.renewTime ?? '');
    }
    assert.ok(renewTimes.size >= 13, `a kept renewing: ${renewTimes.size} distinct renewTimes`);
    await a.stop();
    assert.equal(a.isLeader(), false);
    assert.equal(server.state.lease?.spec?.holderIdentity, null, 'released');
    // b's next try (one retry period, far less than a lease duration) takes the released Lease.
    await step(CAMPAIGN_STEP_MS, 1);
    assert.ok(b.isLeader(), 'b took over at its next try');
    assert.equal(server.state.lease?.spec?.holderIdentity, 'b');
    assert.equal(server.state.lease?.spec?.leaseTransitions, 1);
    assert.deepEqual(log, ['a started', 'a stopped', 'b started']);
  });

  it("takes over a Lease whose holder vanished exactly after a lease duration on its own clock (the holder's renewTime is not trusted)", async () => {
    // The ghost's renewTime lies far in the future: only our own observation of the record counts.
    const future = formatMicroTime(new Date(Date.UTC(2099, 0, 1)));
    server.state.lease = {
      metadata: { name: 'op', namespace: 'ns', resourceVersion: '1' },
      spec: { holderIdentity: 'ghost', leaseDurationSeconds: 1, renewTime: future, acquireTime: future, leaseTransitions: 4 },
    };
    const log: string[] = [];
    const b = elector('b', log);
    void b.run();
    await parked(1, "b's first refused try");
    const firstSeen = clock.now().getTime();
    // 1 ms short of the lease duration since b first saw the record: still the ghost's.
    await step(999, 1);
    assert.equal(clock.now().getTime() - firstSeen, 999);
    assert.equal(b.isLeader(), false, "the ghost's lease has not run out yet");
    assert.equal(server.state.lease?.spec?.holderIdentity, 'ghost');
    await step(CAMPAIGN_STEP_MS, 1);
    assert.ok(b.isLeader(), 'b took over once a lease duration had passed');
    assert.equal(server.state.lease?.spec?.holderIdentity, 'b');
    assert.equal(server.state.lease?.spec?.leaseTransitions, 5);
    assert.deepEqual(log, ['b started']);
  });

  it('gives up leadership when it cannot renew within the renew deadline, not before', async () => {
    const log: string[] = [];
    let signal: AbortSignal | undefined;
    const a = elector('a', log, { onStartedLeading: (s) => (signal = s) });
    const running = a.run();
    await eventually(() => a.isLeader(), 5000, 'a leading');
    await parked(1, 'a waiting to renew');
    server.state.failWrites = true;
    // Renewals fail at +100, +200, +300, +400 ms: within the renew deadline a still leads.
    for (let i = 1; i < timing.renewDeadlineMs / timing.retryPeriodMs; i++) {
      await step(timing.retryPeriodMs, 1);
      assert.ok(a.isLeader(), `still leading ${i * timing.retryPeriodMs} ms after the last renewal`);
      assert.equal(signal?.aborted, false);
    }
    // The failure at +500 ms reaches the renew deadline.
    clock.advance(timing.retryPeriodMs);
    await running; // run() returns when leadership is lost
    assert.equal(a.isLeader(), false);
    assert.equal(signal?.aborted, true);
    assert.deepEqual(log, ['a started', 'a stopped']);
  });
});
