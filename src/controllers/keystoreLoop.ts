// The keystore loop (SPEC §1, §4): the keystore controller, registered with a manager whose
// cache gives it Certificates (full) and Secrets and ConfigMaps (metadata only — the operator
// never caches the content of every Secret). `cmpv2-operator run` adds it to the manager.
import { CERTIFICATES, type Certificate } from '../api/certManager.js';
import type { KubeApi } from '../k8s/apiClient.js';
import type { ControllerMetrics } from '../k8s/controller.js';
import type { EventSink } from '../k8s/events.js';
import type { Logger } from '../k8s/logger.js';
import type { Manager } from '../k8s/manager.js';
import type { KubeObject } from '../k8s/meta.js';
import { CONFIG_MAPS, SECRETS } from '../k8s/resources.js';
import { KeystoreController } from './keystore/controller.js';
import type { KeystoreMetricsSink } from './keystore/metrics.js';

export interface KeystoreLoopOptions {
  api: KubeApi;
  events: EventSink;
  workers?: number;
  logger?: Logger;
  /** The reconcile-error counter. */
  metrics?: ControllerMetrics;
  keystoreMetrics?: KeystoreMetricsSink;
}

/** Registers the keystore controller with `manager`; it starts with it. */
export function addKeystoreLoop(manager: Manager, options: KeystoreLoopOptions): KeystoreController {
  const { cache } = manager;
  const controller = new KeystoreController({
    api: options.api,
    certificates: cache.informer<Certificate>(CERTIFICATES),
    secrets: cache.informer<KubeObject>(SECRETS, { metadataOnly: true }),
    configMaps: cache.informer<KubeObject>(CONFIG_MAPS, { metadataOnly: true }),
    events: options.events,
    workers: options.workers,
    logger: options.logger,
    metrics: options.metrics,
    keystoreMetrics: options.keystoreMetrics,
  });
  manager.add(controller);
  return controller;
}
