// The work queue between informers and reconcilers, with client-go's guarantees:
// a key is queued at most once however often it is added; a key is never processed by two
// workers at once (added while in flight, it runs again after); failures back off per key
// (base · 2^n, capped); a success forgets the key's failures.
import { realClock, type CancelTimer, type Clock } from './clock.js';

/** What a reconcile asks of the queue when it returns normally. */
export interface ReconcileResult {
  /** Run again after this delay (e.g. poll a CA that answered `waiting`). */
  requeueAfterMs?: number;
  /** Run again with this key's exponential backoff, without treating it as an error. */
  backoff?: boolean;
}

export type ReconcileFunction = (key: string) => Promise<ReconcileResult | void>;

export interface WorkQueueOptions {
  workers?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  clock?: Clock;
  /** Called when a reconcile throws; the key is then retried with backoff. */
  onError?: (key: string, err: unknown) => void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { at: number; cancel: CancelTimer }>();
  private readonly failureCounts = new Map<string, number>();
  private readonly waiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private workers: Promise<void>[] = [];
  private shuttingDown = false;
  private draining = false;
  private readonly clock: Clock;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly reconcile: ReconcileFunction,
    private readonly options: WorkQueueOptions = {},
  ) {
    this.clock = options.clock ?? realClock;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 300_000;
  }

  /** Keys waiting to be processed (the queue-depth metric). */
  get depth(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  /** Keys waiting for a delayed add. */
  get delayedCount(): number {
    return this.delayed.size;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // queued again when the running reconcile ends
    this.queue.push(key);
    this.waiters.shift()?.();
  }

  /** Adds `key` after `ms`; of several pending delayed adds for one key the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now().getTime() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    existing?.cancel();
    const cancel = this.clock.setTimer(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, cancel });
  }

  /** Adds `key` after its backoff delay and counts one more failure. */
  addRateLimited(key: string): void {
    const failures = this.failureCounts.get(key) ?? 0;
    this.failureCounts.set(key, failures + 1);
    this.addAfter(key, this.backoffDelay(failures));
  }

  /** The delay of the (n+1)-th consecutive failure. */
  backoffDelay(failures: number): number {
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(failures, 40));
  }

  failures(key: string): number {
    return this.failureCounts.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failureCounts.delete(key);
  }

  start(): void {
    if (this.workers.length > 0) return;
    const count = Math.max(1, this.options.workers ?? 2);
    for (let i = 0; i < count; i++) this.workers.push(this.work());
  }

  /**
   * Stops taking new keys. In-flight reconciles always finish; with `drain`, keys already
   * queued are processed too. Delayed adds are dropped (the next leader lists again).
   */
  async shutdown(options: { drain?: boolean } = {}): Promise<void> {
    this.shuttingDown = true;
    this.draining = options.drain ?? false;
    for (const { cancel } of this.delayed.values()) cancel();
    this.delayed.clear();
    if (!this.draining) {
      for (const key of this.queue.splice(0)) this.dirty.delete(key);
    }
    for (const wake of this.waiters.splice(0)) wake();
    await Promise.all(this.workers);
  }

  /** Resolves when nothing is queued or in flight (delayed adds aside); for tests. */
  whenIdle(): Promise<void> {
    if (this.queue.length === 0 && this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async next(): Promise<string | undefined> {
    for (;;) {
      if (this.shuttingDown && !this.draining) return undefined;
      const key = this.queue.shift();
      if (key !== undefined) return key;
      if (this.shuttingDown) return undefined;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.next();
      if (key === undefined) return;
      this.dirty.delete(key);
      this.processing.add(key);
      try {
        const result = await this.reconcile(key);
        if (result?.backoff) {
          this.addRateLimited(key);
        } else {
          this.forget(key);
          if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
        }
      } catch (err) {
        this.options.onError?.(key, err);
        this.addRateLimited(key);
      } finally {
        this.processing.delete(key);
        if (this.dirty.has(key) && !(this.shuttingDown && !this.draining)) {
          this.queue.push(key);
          this.waiters.shift()?.();
        } else if (this.dirty.has(key)) {
          this.dirty.delete(key);
        }
        if (this.queue.length === 0 && this.processing.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      }
    }
  }
}
