// List + watch for one kind, kept in a Store. We do not use client-node's ListWatch: it stops
// for good on any watch error other than 410, cannot send the metadata-only `Accept` header,
// asks for no bookmarks, does not page its lists and gives update handlers no old object.
//
// Per namespace (or once for all): list (paged) → watch from the list's resourceVersion with
// bookmarks → on a normal end, watch again from the last resourceVersion seen → on 410 Gone,
// list again and diff against the store (deletions missed while away become delete events).
import { sleep, realClock, type Clock } from './clock.js';
import type { KubeApi, QueryValue, WatchEvent } from './apiClient.js';
import { ApiError } from './apiError.js';
import { collectionPath, type ResourceType } from './resources.js';
import { Store } from './store.js';
import { objectKey, type KubeList, type KubeObject } from './meta.js';

/** `Accept` headers asking the API server for `PartialObjectMetadata` instead of full objects. */
export const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
export const METADATA_WATCH_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(previous: T, obj: T): void;
  delete?(obj: T): void;
}

export interface InformerOptions<T extends KubeObject> {
  api: KubeApi;
  resource: ResourceType;
  /** Watch only these namespaces (one list/watch each); empty or absent = all namespaces. */
  namespaces?: readonly string[];
  labelSelector?: string;
  fieldSelector?: string;
  /** List and watch `PartialObjectMetadata` only: no data, spec or status is transferred or kept. */
  metadataOnly?: boolean;
  /** Shrinks each object before it is stored; default drops managedFields and last-applied. */
  transform?: (obj: KubeObject) => T;
  pageSize?: number;
  /** Server-side watch timeout; default a random 5–10 minutes so watches do not end together. */
  watchTimeoutSeconds?: number;
  /** First retry delay after an error (doubles up to 30 s). */
  retryBaseMs?: number;
  clock?: Clock;
  onError?: (err: unknown, scope: string) => void;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The default transform: what no controller of ours reads and can be large. */
export function dropBulkyMetadata<T extends KubeObject>(obj: KubeObject): T {
  const metadata = { ...obj.metadata };
  delete metadata.managedFields;
  if (metadata.annotations && LAST_APPLIED in metadata.annotations) {
    const annotations = { ...metadata.annotations };
    delete annotations[LAST_APPLIED];
    metadata.annotations = annotations;
  }
  return { ...obj, metadata } as T;
}

const MAX_RETRY_MS = 30_000;

export class Informer<T extends KubeObject> {
  readonly store = new Store<T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly scopes: (string | undefined)[];
  private readonly synced = new Set<string | undefined>();
  private readonly syncWaiters: (() => void)[] = [];
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  private readonly transform: (obj: KubeObject) => T;
  private readonly clock: Clock;
  /** Lists done (first and re-lists), for metrics and tests. */
  listCount = 0;

  constructor(private readonly options: InformerOptions<T>) {
    const namespaces = options.namespaces ?? [];
    this.scopes = options.resource.namespaced && namespaces.length > 0 ? [...new Set(namespaces)] : [undefined];
    this.transform = options.transform ?? dropBulkyMetadata;
    this.clock = options.clock ?? realClock;
  }

  addHandlers(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
  }

  start(): void {
    if (this.loops.length > 0) return;
    this.loops = this.scopes.map((scope) => this.run(scope));
  }

  /** True once every namespace has been listed. */
  hasSynced(): boolean {
    return this.synced.size === this.scopes.length;
  }

  waitForSync(): Promise<void> {
    if (this.hasSynced()) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error('informer stopped'));
    await Promise.allSettled(this.loops);
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(scope: string | undefined): Promise<void> {
    const label = `${this.options.resource.plural}${scope ? ` in ${scope}` : ''}`;
    let resourceVersion = '';
    let failures = 0;
    while (!this.stopped) {
      try {
        if (!resourceVersion) {
          resourceVersion = await this.list(scope);
          this.markSynced(scope);
        }
        resourceVersion = await this.watch(scope, resourceVersion);
        failures = 0;
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof ApiError && err.isGone) {
          resourceVersion = ''; // too old: list again, at once
          continue;
        }
        this.options.onError?.(err, label);
        const delay = Math.min(MAX_RETRY_MS, (this.options.retryBaseMs ?? 1000) * 2 ** failures);
        failures += 1;
        try {
          await sleep(this.clock, delay * (0.8 + Math.random() * 0.4), this.abort.signal);
        } catch {
          return;
        }
      }
    }
  }

  private query(extra: Record<string, QueryValue>): Record<string, QueryValue> {
    return { labelSelector: this.options.labelSelector, fieldSelector: this.options.fieldSelector, ...extra };
  }

  /** Lists page by page, replaces this scope's part of the store, returns the list's resourceVersion. */
  private async list(scope: string | undefined): Promise<string> {
    const path = collectionPath(this.options.resource, scope);
    const seen = new Set<string>();
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.options.api.request<KubeList<KubeObject>>('GET', path, {
        query: this.query({ limit: this.options.pageSize ?? 500, continue: continueToken }),
        accept: this.options.metadataOnly ? METADATA_LIST_ACCEPT : undefined,
        signal: this.abort.signal,
      });
      for (const item of page.items ?? []) {
        const obj = this.transform(item);
        seen.add(objectKey(obj.metadata));
        this.apply(obj);
      }
      resourceVersion = page.metadata?.resourceVersion ?? '';
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken);
    this.listCount += 1;
    for (const key of this.store.keys()) {
      const obj = this.store.get(key)!;
      if (!seen.has(key) && (scope === undefined || obj.metadata.namespace === scope)) this.removeAndNotify(key);
    }
    return resourceVersion;
  }

  /** Watches until the server ends the stream; returns the last resourceVersion seen. */
  private async watch(scope: string | undefined, since: string): Promise<string> {
    let resourceVersion = since;
    let gone = false;
    const timeoutSeconds = this.options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
    const onEvent = (event: WatchEvent): void => {
      if (event.type === 'ERROR') {
        const code = (event.object as { code?: unknown }).code;
        if (code === 410) gone = true;
        else throw new Error(`watch error: ${String((event.object as { message?: unknown }).message ?? code)}`);
        return;
      }
      const obj = this.transform(event.object as unknown as KubeObject);
      resourceVersion = obj.metadata.resourceVersion ?? resourceVersion;
      if (event.type === 'BOOKMARK') return;
      if (event.type === 'DELETED') this.removeAndNotify(objectKey(obj.metadata), obj);
      else this.apply(obj);
    };
    // The server ends the watch after timeoutSeconds; our own deadline a little later covers a
    // connection that died silently (no FIN), after which we would otherwise wait forever.
    const deadline = AbortSignal.timeout((timeoutSeconds + 30) * 1000);
    await this.options.api.watch(
      collectionPath(this.options.resource, scope),
      this.query({ resourceVersion: since, allowWatchBookmarks: true, timeoutSeconds }),
      onEvent,
      { accept: this.options.metadataOnly ? METADATA_WATCH_ACCEPT : undefined, signal: AbortSignal.any([this.abort.signal, deadline]) },
    );
    if (gone) throw new ApiError(410, 'Expired', 'watch resourceVersion too old');
    return resourceVersion;
  }

  private apply(obj: T): void {
    const previous = this.store.upsert(obj);
    if (!previous) {
      this.notify((h) => h.add?.(obj));
    } else if (previous.metadata.resourceVersion !== obj.metadata.resourceVersion) {
      this.notify((h) => h.update?.(previous, obj));
    }
  }

  private removeAndNotify(key: string, final?: T): void {
    const previous = this.store.remove(key);
    if (previous) this.notify((h) => h.delete?.(final ?? previous));
  }

  /** A failing handler must not stop the watch or the other handlers. */
  private notify(call: (handlers: InformerHandlers<T>) => void): void {
    for (const h of this.handlers) {
      try {
        call(h);
      } catch (err) {
        this.options.onError?.(err, `${this.options.resource.plural} handler`);
      }
    }
  }

  private markSynced(scope: string | undefined): void {
    this.synced.add(scope);
    if (this.hasSynced()) for (const resolve of this.syncWaiters.splice(0)) resolve();
  }
}
