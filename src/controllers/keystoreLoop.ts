// The keystore loop assembled: informers for Certificates (full) and for Secrets and
// ConfigMaps (metadata only — the operator never caches the content of every Secret), the
// keystore controller, start after the caches sync, shutdown finishing in-flight work.
// `cmpv2-operator run --controllers keystore` builds one of these.
import { CERTIFICATES } from '../api/certManager.js';
import type { Registry } from 'prom-client';
import type { KubeApi } from '../k8s/apiClient.js';
import type { EventSink } from '../k8s/events.js';
import { Informer } from '../k8s/informer.js';
import type { Logger } from '../k8s/logger.js';
import { CONFIG_MAPS, SECRETS } from '../k8s/resources.js';
import type { Certificate } from '../api/certManager.js';
import type { KubeObject } from '../k8s/meta.js';
import { KeystoreController } from './keystore/controller.js';
import { KeystoreMetrics, type KeystoreMetricsSink } from './keystore/metrics.js';

export interface KeystoreLoopOptions {
  api: KubeApi;
  events: EventSink;
  /** Watch only these namespaces; empty = all. */
  namespaces: readonly string[];
  /** A metadata-only Secret informer shared with the issuer loop; one is made when absent. */
  secrets?: Informer<KubeObject>;
  workers?: number;
  logger?: Logger;
  /** Registry to register the keystore metrics on (or a ready sink). */
  registry?: Registry;
  metrics?: KeystoreMetricsSink;
}

/** Keeps only what the keystore loop reads from a metadata-only object: name, version, annotations. */
function slimMetadata(obj: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion, annotations } = obj.metadata;
  return { metadata: { name, namespace, uid, resourceVersion, annotations } };
}

export class KeystoreLoop {
  readonly certificates: Informer<Certificate>;
  readonly secrets: Informer<KubeObject>;
  readonly configMaps: Informer<KubeObject>;
  readonly controller: KeystoreController;
  private readonly ownsSecrets: boolean;

  constructor(options: KeystoreLoopOptions) {
    const { api, namespaces, logger } = options;
    const onError = (err: unknown, scope: string): void => logger?.warn({ scope, error: err instanceof Error ? err.message : String(err) }, 'watch failed; retrying');
    this.certificates = new Informer<Certificate>({ api, resource: CERTIFICATES, namespaces, onError });
    this.ownsSecrets = options.secrets === undefined;
    this.secrets = options.secrets ?? new Informer<KubeObject>({ api, resource: SECRETS, namespaces, metadataOnly: true, transform: slimMetadata, onError });
    this.configMaps = new Informer<KubeObject>({ api, resource: CONFIG_MAPS, namespaces, metadataOnly: true, transform: slimMetadata, onError });
    this.controller = new KeystoreController({
      api,
      certificates: this.certificates,
      secrets: this.secrets,
      configMaps: this.configMaps,
      events: options.events,
      workers: options.workers,
      logger,
      metrics: options.metrics ?? (options.registry ? new KeystoreMetrics(options.registry) : undefined),
    });
  }

  private informers(): Informer<KubeObject>[] {
    const list = [this.certificates, this.configMaps] as unknown as Informer<KubeObject>[];
    return this.ownsSecrets ? [...list, this.secrets] : list;
  }

  /** Starts the watches (not the workers): readiness can follow `hasSynced` on followers too. */
  startInformers(): void {
    for (const informer of this.informers()) informer.start();
  }

  hasSynced(): boolean {
    return this.informers().every((i) => i.hasSynced()) && this.secrets.hasSynced();
  }

  /** Waits for the caches, then runs the controller (on the leader). */
  async startControllers(): Promise<void> {
    this.startInformers();
    await Promise.all([...this.informers(), this.secrets].map((i) => i.waitForSync()));
    this.controller.start();
  }

  /** Queue depth, for the metrics. */
  queueDepths(): { keystore: number } {
    return { keystore: this.controller.queue.depth };
  }

  /** Finishes in-flight reconciles, then stops the watches. */
  async shutdown(): Promise<void> {
    await this.controller.shutdown();
    await Promise.all(this.informers().map((i) => i.stop()));
  }
}
