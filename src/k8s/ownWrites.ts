// A controller's own writes, remembered until the cache has caught up with them. Two uses:
// - the update predicate `notOwn`: an informer update carrying a resourceVersion we wrote is our
//   write coming back, not news, and must not enqueue a reconcile;
// - read-your-writes: until the cache shows our latest write, `freshest` returns that write rather
//   than the stale cached copy (which could, e.g., lack a saved CMP transaction).
// A write's watch event can arrive before the write's own answer, when its resourceVersion is not
// known yet: updates seen while one of our writes is in flight (`writing`) are held, and once the
// write has answered, any that was not ours requeues the key. Without that, each write of a failing
// attempt would rerun the reconcile at once and its backoff would grow by attempts nobody asked for.
import { objectKey, type KubeObject } from './meta.js';

interface Written<T> {
  latest: T;
  /** resourceVersions we wrote for this key (their watch events are ours). */
  ours: Set<string>;
  /** resourceVersions older than `latest`: a cached copy at one of them is stale. */
  stale: Set<string>;
}

export class OwnWrites<T extends KubeObject> {
  private readonly byKey = new Map<string, Written<T>>();
  /** resourceVersions of updates seen while a write of ours to the key is in flight. */
  private readonly held = new Map<string, string[]>();

  /** `requeue`: how a held update that turns out not to be ours reaches the controller's queue. */
  constructor(private readonly options: { requeue?: (key: string) => void } = {}) {}

  /**
   * Runs one of our writes of the object stored under `key` (the caller records it afterwards).
   * Updates of that object seen meanwhile are held; after the write, one that is neither this
   * write nor an earlier one of ours requeues the key.
   */
  async writing<R extends T | undefined>(key: string, write: () => Promise<R>): Promise<R> {
    const seen: string[] = [];
    this.held.set(key, seen);
    let written: R | undefined;
    try {
      written = await write();
      return written;
    } finally {
      this.held.delete(key);
      const ours = written?.metadata.resourceVersion;
      const mine = this.byKey.get(key)?.ours;
      if (seen.some((rv) => rv !== ours && !(mine?.has(rv) ?? false))) this.options.requeue?.(key);
    }
  }

  /** Records that we turned `before` into `written` (both carry resourceVersions). */
  record(before: T, written: T): void {
    const key = objectKey(written.metadata);
    const entry = this.byKey.get(key) ?? { latest: written, ours: new Set<string>(), stale: new Set<string>() };
    entry.stale.add(before.metadata.resourceVersion ?? '');
    if (entry.latest !== written) entry.stale.add(entry.latest.metadata.resourceVersion ?? '');
    entry.latest = written;
    entry.ours.add(written.metadata.resourceVersion ?? '');
    this.byKey.set(key, entry);
  }

  /** True when `obj` is at a resourceVersion this controller wrote. */
  isOwn(obj: T): boolean {
    const rv = obj.metadata.resourceVersion;
    return rv !== undefined && (this.byKey.get(objectKey(obj.metadata))?.ours.has(rv) ?? false);
  }

  /** The update predicate: everything but our own writes coming back (held while a write is in flight). */
  readonly notOwn = (_previous: T, obj: T): boolean => {
    const held = this.held.get(objectKey(obj.metadata));
    if (held) {
      held.push(obj.metadata.resourceVersion ?? '');
      return false;
    }
    return !this.isOwn(obj);
  };

  /** `cached`, or our later write when the cache has not caught up with it yet. */
  freshest(cached: T): T {
    const key = objectKey(cached.metadata);
    const entry = this.byKey.get(key);
    if (!entry) return cached;
    if (entry.stale.has(cached.metadata.resourceVersion ?? '')) return entry.latest;
    // The cache holds our latest write or something newer: it has caught up.
    this.byKey.delete(key);
    return cached;
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }
}
