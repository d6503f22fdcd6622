// A controller's own writes, remembered until the cache has caught up with them. Two uses:
// - the update predicate `notOwn`: an informer update carrying a resourceVersion we wrote is our
//   write coming back, not news, and must not enqueue a reconcile;
// - read-your-writes: until the cache shows our latest write, `freshest` returns that write rather
//   than the stale cached copy (which could, e.g., lack a saved CMP transaction).
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

  /** The update predicate: everything but our own writes coming back. */
  readonly notOwn = (_previous: T, obj: T): boolean => !this.isOwn(obj);

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
