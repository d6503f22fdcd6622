import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/k8s/meta.js';
import { OwnWrites } from '../../src/k8s/ownWrites.js';

const at = (rv: string, extra: Record<string, string> = {}): KubeObject => ({
  metadata: { namespace: 'apps', name: 'web-1', resourceVersion: rv, annotations: extra },
});

describe('k8s/ownWrites', () => {
  it("an update carrying a resourceVersion we wrote does not pass the predicate; anyone else's does", () => {
    const own = new OwnWrites<KubeObject>();
    const cached = at('10');
    const annotated = at('11', { tx: '1' });
    const status = at('12', { tx: '1' });
    own.record(cached, annotated);
    own.record(annotated, status);
    assert.equal(own.notOwn(cached, annotated), false, 'our annotation write coming back');
    assert.equal(own.notOwn(annotated, status), false, 'our status write coming back');
    assert.equal(own.notOwn(status, at('13')), true, 'a write by someone else (cert-manager, a user)');
    assert.equal(new OwnWrites<KubeObject>().notOwn(cached, at('11')), true, 'nothing recorded: every update passes');
  });

  it('freshest: our latest write until the cache has caught up, then the cache', () => {
    const own = new OwnWrites<KubeObject>();
    const cached = at('10');
    const annotated = at('11', { tx: '1' });
    const status = at('12', { tx: '1' });
    own.record(cached, annotated);
    own.record(annotated, status);
    assert.equal(own.freshest(cached), status, 'the cache is behind both writes');
    assert.equal(own.freshest(at('11')), status, 'the cache has only our first write');
    const caughtUp = at('12', { tx: '1' });
    assert.equal(own.freshest(caughtUp), caughtUp);
    assert.equal(own.freshest(cached), cached, 'forgotten once caught up');
  });

  it('forget drops what was recorded for a key', () => {
    const own = new OwnWrites<KubeObject>();
    own.record(at('1'), at('2'));
    own.forget('apps/web-1');
    assert.equal(own.isOwn(at('2')), false);
  });

  it("an update seen while our write is in flight is held: ours is dropped, anyone else's requeues the key after the write", async () => {
    const requeued: string[] = [];
    const own = new OwnWrites<KubeObject>({ requeue: (key) => requeued.push(key) });
    const cached = at('10');
    // Our write's watch event arrives before the write's answer.
    const written = await own.writing('apps/web-1', async () => {
      assert.equal(own.notOwn(cached, at('11', { tx: '1' })), false, 'held, not enqueued now');
      return at('11', { tx: '1' });
    });
    own.record(cached, written);
    assert.deepEqual(requeued, [], 'it was our write');
    // Someone else writes while our next write is in flight (ours conflicts, is retried and lands after).
    const second = await own.writing('apps/web-1', async () => {
      assert.equal(own.notOwn(written, at('12', { approved: 'yes' })), false, 'held');
      assert.equal(own.notOwn(at('12'), at('13', { tx: '2' })), false, 'held');
      return at('13', { tx: '2' });
    });
    own.record(written, second);
    assert.deepEqual(requeued, ['apps/web-1'], "cert-manager's change between our writes is not lost");
    // A failed write: whatever was seen meanwhile is someone else's.
    await assert.rejects(
      own.writing('apps/web-1', async () => {
        own.notOwn(second, at('14'));
        throw new Error('conflict retries exhausted');
      }),
    );
    assert.deepEqual(requeued, ['apps/web-1', 'apps/web-1']);
    assert.equal(own.notOwn(second, at('15')), true, 'nothing in flight: the plain predicate again');
  });
});
