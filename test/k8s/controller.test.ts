// The generic controller: reconcile errors counted and logged in one place, the abort signal
// handed to every reconcile, informer events mapped to keys and filtered by predicates.
import assert from 'node:assert/strict';
import { Controller, type WatchOptions } from '../../src/k8s/controller.js';
import { Informer } from '../../src/k8s/informer.js';
import type { Logger } from '../../src/k8s/logger.js';
import type { KubeObject } from '../../src/k8s/meta.js';
import { generationChanged } from '../../src/k8s/predicates.js';
import { SECRETS } from '../../src/k8s/resources.js';
import { eventually } from './fakeApiServer.js';
import { MemoryApi } from './memoryApiServer.js';

class Recording extends Controller {
  seen: string[] = [];
  signals: AbortSignal[] = [];
  failWith: Error | undefined;
  async reconcile(key: string, signal: AbortSignal): Promise<void> {
    this.seen.push(key);
    this.signals.push(signal);
    if (this.failWith) throw this.failWith;
  }
  watchFor<T extends KubeObject>(informer: Informer<T>, options?: WatchOptions<T>): void {
    this.watch(informer, options);
  }
}

describe('k8s/controller', () => {
  it("a reconcile that throws is counted once per failure under the controller's name, logged, and retried", async () => {
    const counted: string[] = [];
    const warnings: Record<string, unknown>[] = [];
    const logger: Logger = { debug: () => {}, info: () => {}, error: () => {}, warn: (fields) => warnings.push(fields as Record<string, unknown>) };
    const controller = new Recording('issuer', { metrics: { reconcileError: (name) => counted.push(name) }, logger, baseDelayMs: 1, maxDelayMs: 2 });
    controller.failWith = new Error('CA down');
    controller.start();
    controller.queue.add('apps/onap-ca');
    await eventually(() => controller.seen.length >= 3, 2000, 'three attempts');
    await controller.shutdown();
    assert.equal(counted.length, controller.seen.length);
    assert.ok(counted.every((name) => name === 'issuer'));
    assert.deepEqual(
      { controller: warnings[0].controller, key: warnings[0].key, error: warnings[0].error },
      { controller: 'issuer', key: 'apps/onap-ca', error: 'CA down' },
    );
  });

  it("every reconcile gets the controller's signal, aborted on shutdown", async () => {
    const controller = new Recording('keystore', {});
    controller.start();
    controller.queue.add('a/b');
    await eventually(() => controller.seen.length === 1, 2000, 'one reconcile');
    assert.equal(controller.signals[0].aborted, false);
    await controller.shutdown();
    assert.equal(controller.signals[0].aborted, true);
  });

  it('watch: adds, passing updates and deletes enqueue the mapped keys; a failing predicate drops the update', async () => {
    const memory = await MemoryApi.start();
    const informer = new Informer<KubeObject>({ api: memory.fake.api, resource: SECRETS, metadataOnly: true });
    const controller = new Recording('keystore', {});
    controller.watchFor(informer, { keys: (s) => [`mapped/${s.metadata.name}`], update: generationChanged });
    memory.put('secrets', { metadata: { namespace: 'apps', name: 'one' } });
    informer.start();
    await informer.waitForSync();
    controller.start();
    try {
      await eventually(() => controller.seen.includes('mapped/one'), 2000, 'the add');
      memory.put('secrets', { metadata: { namespace: 'apps', name: 'one', annotations: { a: '1' } } }); // no spec change: same generation
      memory.put('secrets', { metadata: { namespace: 'apps', name: 'two' } });
      await eventually(() => controller.seen.includes('mapped/two'), 2000, 'the second add');
      await controller.queue.whenIdle();
      assert.deepEqual(controller.seen, ['mapped/one', 'mapped/two'], 'the update without a generation change was dropped');
      memory.put('secrets', { metadata: { namespace: 'apps', name: 'one' }, spec: { changed: true } }); // the memory API bumps generation
      await eventually(() => controller.seen.length === 3, 2000, 'the passing update');
      memory.remove('secrets', 'apps', 'two');
      await eventually(() => controller.seen.length === 4, 2000, 'the delete');
      assert.deepEqual(controller.seen, ['mapped/one', 'mapped/two', 'mapped/one', 'mapped/two']);
    } finally {
      await controller.shutdown();
      await informer.stop();
      await memory.close();
    }
  });
});
