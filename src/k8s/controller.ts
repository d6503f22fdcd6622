// The generic controller (controller-runtime's `internal/controller`): it owns the work queue,
// the workers, the AbortSignal handed to every reconcile, the reconcile-error log and metric,
// and the event handlers that turn informer events into queue keys, filtered by predicates.
// A concrete controller registers its watches and implements `reconcile(key, signal)`, which
// returns `{ requeueAfterMs }`, `{ backoff }` or nothing, and knows nothing of queues.
import type { Clock } from './clock.js';
import type { Informer } from './informer.js';
import { errorFields, silentLogger, type Logger } from './logger.js';
import { objectKey, type KubeObject } from './meta.js';
import type { UpdatePredicate } from './predicates.js';
import { WorkQueue, type ReconcileResult } from './workqueue.js';

/** Counters a controller reports into (the operator maps them onto Prometheus). */
export interface ControllerMetrics {
  reconcileError(controller: string): void;
}

export interface ControllerOptions {
  workers?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  clock?: Clock;
  logger?: Logger;
  metrics?: ControllerMetrics;
}

/** The queue settings every controller starts from; `run` sets the worker counts per controller. */
export const CONTROLLER_DEFAULTS = { workers: 2, baseDelayMs: 500, maxDelayMs: 300_000 } as const;

export interface WatchOptions<T extends KubeObject> {
  /** The queue keys an event of `obj` concerns; default the object's own `namespace/name`. */
  keys?: (obj: T) => readonly string[];
  /** Updates that pass; default every update whose resourceVersion changed. */
  update?: UpdatePredicate<T>;
}

export abstract class Controller {
  readonly queue: WorkQueue;
  protected readonly logger: Logger;
  private readonly abort = new AbortController();

  constructor(
    /** The `controller` label of logs and metrics. */
    readonly name: string,
    options: ControllerOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    const metrics = options.metrics;
    this.queue = new WorkQueue((key) => this.reconcile(key, this.abort.signal), {
      workers: options.workers ?? CONTROLLER_DEFAULTS.workers,
      baseDelayMs: options.baseDelayMs ?? CONTROLLER_DEFAULTS.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? CONTROLLER_DEFAULTS.maxDelayMs,
      clock: options.clock,
      onError: (key, err) => {
        metrics?.reconcileError(name);
        this.logger.warn({ controller: name, key, ...errorFields(err) }, 'reconcile failed; retrying with backoff');
      },
    });
  }

  /** One reconcile of `key`; throwing retries it with backoff. `signal` aborts on shutdown. */
  abstract reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void>;

  /** Enqueues the keys of every add, passing update and delete of `informer`'s objects. */
  protected watch<T extends KubeObject>(informer: Informer<T>, options: WatchOptions<T> = {}): void {
    const keys = options.keys ?? ((obj: T) => [objectKey(obj.metadata)]);
    const enqueue = (obj: T): void => {
      for (const key of keys(obj)) this.queue.add(key);
    };
    const passes = options.update;
    informer.addHandlers({
      add: enqueue,
      update: (previous, obj) => {
        if (!passes || passes(previous, obj)) enqueue(obj);
      },
      delete: enqueue,
    });
  }

  start(): void {
    this.queue.start();
  }

  /** Stops taking work; in-flight reconciles see the abort signal and finish. */
  async shutdown(): Promise<void> {
    const stopping = this.queue.shutdown();
    this.abort.abort(new Error('shutting down'));
    await stopping;
  }
}
