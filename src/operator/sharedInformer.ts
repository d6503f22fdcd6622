// One metadata-only Secret informer for both loops when they watch every namespace: the
// Secrets of a cluster are the largest list the operator keeps, so it is kept once.
import type { KubeApi } from '../k8s/apiClient.js';
import { Informer } from '../k8s/informer.js';
import type { Logger } from '../k8s/logger.js';
import type { Runnable } from '../k8s/manager.js';
import { SECRETS } from '../k8s/resources.js';
import type { KubeObject } from '../k8s/meta.js';

/** What either loop reads of a Secret's metadata: identity, version and annotations. */
export function secretIdentity(obj: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion, annotations } = obj.metadata;
  return { metadata: { name, namespace, uid, resourceVersion, annotations } };
}

export function sharedSecretInformer(api: KubeApi, logger: Logger): Informer<KubeObject> {
  return new Informer<KubeObject>({
    api,
    resource: SECRETS,
    metadataOnly: true,
    transform: secretIdentity,
    onError: (err, scope) => logger.warn({ scope, error: err instanceof Error ? err.message : String(err) }, 'watch failed; retrying'),
  });
}

/** The shared informer as the Manager drives it: started with the loops' caches, stopped last of its own. */
export class InformerRunnable implements Runnable {
  constructor(private readonly informer: Informer<KubeObject>) {}

  startInformers(): void {
    this.informer.start();
  }

  hasSynced(): boolean {
    return this.informer.hasSynced();
  }

  async startControllers(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync();
  }

  async shutdown(): Promise<void> {
    await this.informer.stop();
  }
}
