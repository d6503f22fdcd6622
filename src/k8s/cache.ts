// The manager-owned cache (controller-runtime's `pkg/cache`): one informer per resource kind,
// mode (full or metadata only) and set of namespaces, shared by every controller that asks for
// it. Controllers only register handlers and indexes; the cache starts, syncs and stops the
// informers. So when both loops watch Secrets over the same namespaces, the largest list the
// operator keeps exists once.
import type { KubeApi } from './apiClient.js';
import { Informer } from './informer.js';
import { errorFields, silentLogger, type Logger } from './logger.js';
import type { KubeObject } from './meta.js';
import type { ResourceType } from './resources.js';

export interface CacheOptions {
  api: KubeApi;
  /** Namespaces every informer watches unless it asks for others; empty or absent = all. */
  namespaces?: readonly string[];
  logger?: Logger;
  /** First retry delay of a failed list/watch (tests shorten it). */
  retryBaseMs?: number;
}

export interface InformerRequest {
  /** `PartialObjectMetadata` only, shrunk to what controllers read of it (see `metadataIdentity`). */
  metadataOnly?: boolean;
  /** Overrides the cache's namespaces (e.g. the cluster resource namespace added). */
  namespaces?: readonly string[];
}

/** What a controller reads of a metadata-only object: identity, version and annotations. */
export function metadataIdentity(obj: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion, generation, annotations } = obj.metadata;
  return { metadata: { name, namespace, uid, resourceVersion, generation, annotations } };
}

export class Cache {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly logger: Logger;
  private started = false;

  constructor(private readonly options: CacheOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** The shared informer for `resource` in this mode and these namespaces; started at once if the cache runs. */
  informer<T extends KubeObject>(resource: ResourceType, request: InformerRequest = {}): Informer<T> {
    const namespaces = resource.namespaced ? [...new Set(request.namespaces ?? this.options.namespaces ?? [])].sort() : [];
    const mode = request.metadataOnly ? 'metadata' : 'full';
    const key = `${resource.plural}.${resource.group}|${mode}|${namespaces.join(',')}`;
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new Informer<KubeObject>({
        api: this.options.api,
        resource,
        namespaces,
        metadataOnly: request.metadataOnly,
        transform: request.metadataOnly ? metadataIdentity : undefined,
        retryBaseMs: this.options.retryBaseMs,
        onError: (err, scope) => this.logger.warn({ scope, ...errorFields(err) }, 'watch failed; retrying'),
      });
      this.informers.set(key, informer);
      if (this.started) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  /** Starts every informer's list/watch (followers too, so /readyz can follow them). */
  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  hasSynced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced());
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
  }

  /** How many informers the cache holds (one per kind, mode and namespace set). */
  get size(): number {
    return this.informers.size;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
