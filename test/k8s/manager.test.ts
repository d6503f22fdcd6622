import assert from 'node:assert/strict';
import { Manager, type ManagedCache, type Runnable } from '../../src/k8s/manager.js';
import type { Lease } from '../../src/k8s/leaderElection.js';
import { eventually, sendJson, sendStatus, startFakeApi, type FakeApi } from './fakeApiServer.js';

/** A controller as the manager runs it; it logs into the shared, ordered log. */
class FakeController implements Runnable {
  constructor(
    private readonly log: string[],
    readonly name: string,
  ) {}
  start(): void {
    this.log.push(`${this.name} controller started`);
  }
  async shutdown(): Promise<void> {
    this.log.push(`${this.name} shutdown`);
  }
}

/** The cache as the manager drives it; synced as soon as it starts. */
class FakeCache implements ManagedCache {
  synced = false;
  constructor(private readonly log: string[]) {}
  start(): void {
    this.log.push('informers');
    this.synced = true;
  }
  hasSynced(): boolean {
    return this.synced;
  }
  async waitForSync(): Promise<void> {}
  async stop(): Promise<void> {
    this.log.push('informers stopped');
  }
}

describe('k8s/manager', () => {
  let fake: FakeApi;
  let lease: Lease | undefined;
  let rv = 1;
  /** One ordered log: the cache, the controllers and every Lease write. */
  const log: string[] = [];
  beforeEach(async () => {
    lease = undefined;
    log.length = 0;
    fake = await startFakeApi((req, res) => {
      if (req.method === 'GET') return lease ? sendJson(res, 200, lease) : sendStatus(res, 404, 'NotFound', 'none');
      const body = req.body as Lease;
      log.push(`lease ${req.method} ${body.spec?.holderIdentity ?? 'released'}`);
      lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++rv) } };
      sendJson(res, 200, lease);
    });
  });
  afterEach(async () => fake.close());

  it('without leader election: informers and controllers at once; shutdown stops the loops', async () => {
    const manager = new Manager({ api: fake.api, cache: new FakeCache(log) });
    manager.add(new FakeController(log, 'issuer'));
    manager.add(new FakeController(log, 'keystore'));
    assert.equal(manager.ready(), false);
    await manager.start();
    assert.ok(manager.ready());
    assert.ok(manager.isLeader());
    await manager.shutdown();
    assert.deepEqual(log, [
      'informers',
      'issuer controller started',
      'keystore controller started',
      'issuer shutdown',
      'keystore shutdown',
      'informers stopped',
    ]);
  });

  it('a follower is ready but runs no controllers; a leader releases the Lease only after its loops stopped', async () => {
    const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    lease = { metadata: { name: 'op', namespace: 'ns', resourceVersion: '1' }, spec: { holderIdentity: 'other', leaseDurationSeconds: 1, renewTime: now } };
    const manager = new Manager({
      api: fake.api,
      cache: new FakeCache(log),
      leaderElection: { namespace: 'ns', name: 'op', identity: 'me', leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100 },
    });
    manager.add(new FakeController(log, 'issuer'));
    await manager.start();
    assert.ok(manager.ready(), 'ready as a follower');
    assert.equal(manager.isLeader(), false);
    assert.deepEqual(log, ['informers']);
    // The other holder stops renewing: we take over after the lease duration.
    await eventually(() => manager.isLeader(), 5000, 'leadership');
    await eventually(() => log.includes('issuer controller started'), 2000, 'controllers started');
    await manager.shutdown();
    const notOurAcquireOrRenew = (entry: string): boolean => !entry.startsWith('lease PUT me') && !entry.startsWith('lease POST me');
    assert.deepEqual(
      log.filter(notOurAcquireOrRenew),
      ['informers', 'issuer controller started', 'issuer shutdown', 'informers stopped', 'lease PUT released'],
      'the Lease is released last',
    );
    assert.equal(lease?.spec?.holderIdentity, null);
  });
});
