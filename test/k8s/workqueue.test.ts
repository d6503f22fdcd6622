import assert from 'node:assert/strict';
import { FakeClock } from '../../src/k8s/clock.js';
import { WorkQueue, type ReconcileResult } from '../../src/k8s/workqueue.js';

/** Lets pending promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('k8s/workqueue', () => {
  it('de-duplicates keys added while queued', async () => {
    const seen: string[] = [];
    const queue = new WorkQueue(async (key) => void seen.push(key), { workers: 1 });
    queue.add('a');
    queue.add('b');
    queue.add('a');
    assert.equal(queue.depth, 2);
    queue.start();
    await queue.whenIdle();
    assert.deepEqual(seen, ['a', 'b']);
    await queue.shutdown();
  });

  it('never runs one key twice at once, and reruns a key added while it ran', async () => {
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const queue = new WorkQueue(
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        runs++;
        if (runs === 1) await gate.promise;
        running--;
      },
      { workers: 4 },
    );
    queue.start();
    queue.add('k');
    await settle();
    queue.add('k'); // while in flight: marked dirty, not handed to a second worker
    queue.add('k');
    await settle();
    assert.equal(queue.inFlight, 1);
    assert.equal(queue.depth, 0);
    gate.resolve();
    await settle();
    await queue.whenIdle();
    assert.equal(runs, 2);
    assert.equal(maxRunning, 1);
    await queue.shutdown();
  });

  it('backs off per key exponentially up to the maximum, and forgets on success', async () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const start = clock.now().getTime();
    let failuresLeft = 6;
    const queue = new WorkQueue(
      async () => {
        times.push(clock.now().getTime() - start);
        if (failuresLeft-- > 0) throw new Error('CA down');
      },
      { workers: 1, baseDelayMs: 100, maxDelayMs: 1000, clock },
    );
    queue.start();
    queue.add('k');
    await settle();
    for (let i = 0; i < 30; i++) {
      clock.advance(50);
      await settle();
    }
    assert.equal(times.length, 5, 'after 1500 ms: the first call and four retries');
    for (let i = 0; i < 80; i++) {
      clock.advance(50);
      await settle();
    }
    // Failure n waits 100·2^(n-1) ms, capped at 1000; the seventh call succeeds.
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    assert.deepEqual(gaps, [100, 200, 400, 800, 1000, 1000]);
    assert.equal(queue.failures('k'), 0, 'success forgets the failures');
    await queue.shutdown();
  });

  it('keeps keys apart: one failing key does not delay another', async () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    const queue = new WorkQueue(
      async (key) => {
        seen.push(key);
        if (key === 'bad') throw new Error('no');
      },
      { workers: 1, baseDelayMs: 1000, clock },
    );
    queue.start();
    queue.add('bad');
    await settle();
    queue.add('good');
    await settle();
    assert.deepEqual(seen, ['bad', 'good']);
    assert.equal(queue.failures('bad'), 1);
    assert.equal(queue.failures('good'), 0);
    await queue.shutdown();
  });

  it('honours requeueAfter and backoff results; the earliest of two delayed adds wins', async () => {
    const clock = new FakeClock();
    const results: (ReconcileResult | undefined)[] = [{ requeueAfterMs: 5000 }, { backoff: true }, undefined];
    const times: number[] = [];
    const start = clock.now().getTime();
    const queue = new WorkQueue(
      async () => {
        times.push(clock.now().getTime() - start);
        return results.shift();
      },
      { workers: 1, baseDelayMs: 300, clock },
    );
    queue.start();
    queue.add('k');
    await settle();
    assert.equal(queue.delayedCount, 1);
    queue.addAfter('k', 9000); // later than the pending 5000: ignored
    clock.advance(4999);
    await settle();
    assert.equal(times.length, 1);
    clock.advance(1);
    await settle();
    assert.equal(times.length, 2);
    clock.advance(300);
    await settle();
    assert.deepEqual(times, [0, 5000, 5300]);
    clock.advance(10_000);
    await settle();
    assert.equal(times.length, 3, 'the dropped 9000 ms add never fired');
    await queue.shutdown();
  });

  it('shutdown finishes in-flight work, drops queued keys and refuses new ones', async () => {
    const gate = deferred();
    const done: string[] = [];
    const queue = new WorkQueue(
      async (key) => {
        if (key === 'slow') await gate.promise;
        done.push(key);
      },
      { workers: 1 },
    );
    queue.start();
    queue.add('slow');
    await settle();
    queue.add('queued');
    const stopped = queue.shutdown();
    queue.add('late');
    let finished = false;
    void stopped.then(() => (finished = true));
    await settle();
    assert.equal(finished, false, 'shutdown waits for the in-flight reconcile');
    gate.resolve();
    await stopped;
    assert.deepEqual(done, ['slow']);
  });

  it('shutdown with drain processes what is already queued', async () => {
    const done: string[] = [];
    const queue = new WorkQueue(async (key) => void done.push(key), { workers: 1 });
    queue.add('a');
    queue.add('b');
    queue.start();
    await queue.shutdown({ drain: true });
    assert.deepEqual(done, ['a', 'b']);
  });

  it('runs different keys in parallel up to the worker count', async () => {
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    const queue = new WorkQueue(
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await gate.promise;
        running--;
      },
      { workers: 3 },
    );
    queue.start();
    for (const key of ['a', 'b', 'c', 'd', 'e']) queue.add(key);
    await settle();
    assert.equal(maxRunning, 3);
    assert.equal(queue.depth, 2);
    gate.resolve();
    await queue.whenIdle();
    await queue.shutdown();
  });
});
