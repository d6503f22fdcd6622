import assert from 'node:assert/strict';
import { Manager, type Runnable } from '../../src/k8s/manager.js';
import type { Lease } from '../../src/k8s/leaderElection.js';
import { eventually, sendJson, sendStatus, startFakeApi, type FakeApi } from './fakeApiServer.js';

class FakeLoop implements Runnable {
  log: string[];
  synced = false;
  constructor(log: string[], private readonly name: string) {
    this.log = log;
  }
  startInformers(): void {
    this.log.push(`${this.name} informers`);
    this.synced = true;
  }
  hasSynced(): boolean {
    return this.synced;
  }
  async startControllers(): Promise<void> {
    this.log.push(`${this.name} controllers`);
  }
  async shutdown(): Promise<void> {
    this.log.push(`${this.name} shutdown`);
  }
}

describe('k8s/manager', () => {
  let fake: FakeApi;
  let lease: Lease | undefined;
  let rv = 1;
  const writes: string[] = [];
  beforeEach(async () => {
    lease = undefined;
    writes.length = 0;
    fake = await startFakeApi((req, res) => {
      if (req.method === 'GET') return lease ? sendJson(res, 200, lease) : sendStatus(res, 404, 'NotFound', 'none');
      const body = req.body as Lease;
      writes.push(`${req.method} ${body.spec?.holderIdentity ?? 'released'}`);
      lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++rv) } };
      sendJson(res, 200, lease);
    });
  });
  afterEach(async () => fake.close());

  it('without leader election: informers and controllers at once; shutdown stops the loops', async () => {
    const log: string[] = [];
    const manager = new Manager({ api: fake.api, runnables: [new FakeLoop(log, 'issuer'), new FakeLoop(log, 'keystore')] });
    assert.equal(manager.ready(), false);
    await manager.start();
    assert.ok(manager.ready());
    assert.ok(manager.isLeader());
    await manager.shutdown();
    assert.deepEqual(log, ['issuer informers', 'keystore informers', 'issuer controllers', 'keystore controllers', 'issuer shutdown', 'keystore shutdown']);
  });

  it('a follower is ready but runs no controllers; a leader releases the Lease only after its loops stopped', async () => {
    const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    lease = { metadata: { name: 'op', namespace: 'ns', resourceVersion: '1' }, spec: { holderIdentity: 'other', leaseDurationSeconds: 1, renewTime: now } };
    const log: string[] = [];
    const manager = new Manager({
      api: fake.api,
      runnables: [new FakeLoop(log, 'issuer')],
      leaderElection: { namespace: 'ns', name: 'op', identity: 'me', leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100 },
    });
    await manager.start();
    assert.ok(manager.ready(), 'ready as a follower');
    assert.equal(manager.isLeader(), false);
    assert.deepEqual(log, ['issuer informers']);
    // The other holder stops renewing: we take over after the lease duration.
    await eventually(() => manager.isLeader(), 5000, 'leadership');
    await eventually(() => log.includes('issuer controllers'), 2000, 'controllers started');
    await manager.shutdown();
    assert.deepEqual(log, ['issuer informers', 'issuer controllers', 'issuer shutdown']);
    assert.equal(writes.at(-1), 'PUT released', 'the Lease is released last');
    assert.equal(lease?.spec?.holderIdentity, null);
  });
});
