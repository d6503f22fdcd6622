// The thin shell around the pure keystore reconcile. The queue key is the target Secret
// (`namespace/name`). Informers: Certificates in full; Secrets and ConfigMaps as metadata only,
// indexed referencing → referenced, so a change of a password Secret or trust source requeues
// its dependants at once. Full content is read (GET) only for the target and what it references.
// Writes carry the resourceVersion they were computed from; on 409 the whole computation runs
// again on the fresh Secret (cert-manager may have re-issued in between).
import { performance } from 'node:perf_hooks';
import type { KubeApi } from '../../k8s/apiClient.js';
import { isConflict, isNotFound } from '../../k8s/apiError.js';
import type { EventSink } from '../../k8s/events.js';
import type { Informer } from '../../k8s/informer.js';
import { errorFields, silentLogger, type Logger } from '../../k8s/logger.js';
import { CONFIG_MAPS, objectPath, SECRETS } from '../../k8s/resources.js';
import type { Certificate } from '../../api/certManager.js';
import { objectKey, referenceTo, splitKey, type ConfigMap, type KubeObject, type ObjectReference, type Secret } from '../../k8s/meta.js';
import { WorkQueue, type ReconcileResult } from '../../k8s/workqueue.js';
import { generatePassword } from '../../keystore/index.js';
import { optsIn, referencedObjects } from '../../api/keystoreAnnotations.js';
import type { KeystoreMetricsSink } from './metrics.js';
import { reconcileKeystore, requestOf, type KeystoreSource } from './reconcile.js';
import { applyStorePatch } from './target.js';

export interface KeystoreControllerOptions {
  api: KubeApi;
  certificates: Informer<Certificate>;
  /** Secrets, metadata only. */
  secrets: Informer<KubeObject>;
  /** ConfigMaps, metadata only. */
  configMaps: Informer<KubeObject>;
  events: EventSink;
  workers?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  logger?: Logger;
  metrics?: KeystoreMetricsSink;
  newPassword?: () => string;
}

const BY_TARGET = 'keystore-target';
const BY_REFERENCE = 'keystore-reference';
const CONFLICT_ATTEMPTS = 5;

/** `secret:ns/name` / `configmap:ns/name`: what an index of referenced objects is keyed by. */
function referenceKeys(namespace: string | undefined, annotations: Record<string, string> | undefined, source: KeystoreSource): string[] {
  if (!optsIn(annotations)) return [];
  const request = requestOf(source);
  if (!request) return [];
  return referencedObjects(request).map((ref) => {
    const [kind, name] = ref.split(':');
    return `${kind}:${namespace ?? ''}/${name}`;
  });
}

export class KeystoreController {
  readonly queue: WorkQueue;
  private readonly logger: Logger;
  private readonly newPassword: () => string;
  /** resourceVersions of our own writes: their watch events need no reconcile. */
  private readonly ownWrites = new Map<string, string>();

  constructor(private readonly options: KeystoreControllerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.newPassword = options.newPassword ?? generatePassword;
    this.queue = new WorkQueue((key) => this.reconcile(key), {
      workers: options.workers ?? 4,
      baseDelayMs: options.baseDelayMs ?? 1000,
      maxDelayMs: options.maxDelayMs ?? 300_000,
      onError: (key, err) => this.logger.warn({ controller: 'keystore', key, ...errorFields(err) }, 'reconcile failed; retrying with backoff'),
    });
    const { certificates, secrets, configMaps } = options;

    certificates.store.addIndex(BY_TARGET, (c) => (optsIn(c.metadata.annotations) && c.spec?.secretName ? [`${c.metadata.namespace}/${c.spec.secretName}`] : []));
    certificates.store.addIndex(BY_REFERENCE, (c) => referenceKeys(c.metadata.namespace, c.metadata.annotations, { kind: 'Certificate', certificate: c }));
    secrets.store.addIndex(BY_REFERENCE, (s) => referenceKeys(s.metadata.namespace, s.metadata.annotations, { kind: 'Secret', secret: s }));

    const enqueueCertificate = (c: Certificate): void => {
      if (optsIn(c.metadata.annotations) && c.spec?.secretName) this.queue.add(`${c.metadata.namespace}/${c.spec.secretName}`);
    };
    certificates.addHandlers({
      add: enqueueCertificate,
      // cert-manager's status writes do not matter; annotations and spec (generation) do.
      update: (old, c) => {
        if (old.metadata.generation !== c.metadata.generation || JSON.stringify(old.metadata.annotations ?? {}) !== JSON.stringify(c.metadata.annotations ?? {})) {
          enqueueCertificate(c);
        }
      },
    });

    const dependantsOf = (kind: 'secret' | 'configmap', obj: KubeObject): void => {
      const ref = `${kind}:${objectKey(obj.metadata)}`;
      for (const c of certificates.store.byIndex(BY_REFERENCE, ref)) enqueueCertificate(c);
      for (const s of secrets.store.byIndex(BY_REFERENCE, ref)) this.queue.add(objectKey(s.metadata));
    };
    const secretChanged = (secret: KubeObject, deleted: boolean): void => {
      const key = objectKey(secret.metadata);
      dependantsOf('secret', secret);
      if (deleted) {
        this.ownWrites.delete(key);
        return;
      }
      if (this.ownWrites.get(key) === secret.metadata.resourceVersion) return; // our own write coming back
      if (optsIn(secret.metadata.annotations) || certificates.store.byIndex(BY_TARGET, key).length > 0) this.queue.add(key);
    };
    secrets.addHandlers({ add: (s) => secretChanged(s, false), update: (_old, s) => secretChanged(s, false), delete: (s) => secretChanged(s, true) });
    const configMapChanged = (cm: KubeObject): void => dependantsOf('configmap', cm);
    configMaps.addHandlers({ add: configMapChanged, update: (_old, cm) => configMapChanged(cm), delete: configMapChanged });
  }

  start(): void {
    this.queue.start();
  }

  async shutdown(): Promise<void> {
    await this.queue.shutdown();
  }

  private async get<T extends KubeObject>(resource: typeof SECRETS, namespace: string, name: string): Promise<T | undefined> {
    try {
      return await this.options.api.request<T>('GET', objectPath(resource, namespace, name));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The opt-in for a target: an annotated Certificate writing it wins over the Secret's own annotations. */
  private sourceFor(key: string): { source: KeystoreSource; reference: ObjectReference } | undefined {
    const certificates = this.options.certificates.store.byIndex(BY_TARGET, key).sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    if (certificates.length > 0) {
      const certificate = certificates[0];
      return { source: { kind: 'Certificate', certificate }, reference: referenceTo('cert-manager.io/v1', 'Certificate', certificate) };
    }
    const secret = this.options.secrets.store.get(key);
    if (secret && optsIn(secret.metadata.annotations)) {
      return { source: { kind: 'Secret', secret: secret as Secret }, reference: referenceTo('v1', 'Secret', secret) };
    }
    return undefined;
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace = '', name } = splitKey(key);
    for (let attempt = 1; ; attempt++) {
      const found = this.sourceFor(key);
      if (!found) return; // not (or no longer) opted in
      const target = await this.get<Secret>(SECRETS, namespace, name);
      // The Secret-annotation source is read from the full Secret (the cache has metadata only).
      const source: KeystoreSource = found.source.kind === 'Secret' && target ? { kind: 'Secret', secret: target } : found.source;
      const request = requestOf(source);
      const secrets = new Map<string, Secret | undefined>();
      const configMaps = new Map<string, ConfigMap | undefined>();
      if (request && target) {
        for (const ref of referencedObjects(request)) {
          const [kind, refName] = ref.split(':');
          if (kind === 'secret') secrets.set(refName, await this.get<Secret>(SECRETS, namespace, refName));
          else configMaps.set(refName, await this.get<ConfigMap>(CONFIG_MAPS, namespace, refName));
        }
      }
      const started = performance.now();
      const result = reconcileKeystore({ source, target, secrets, configMaps, newPassword: this.newPassword });
      const seconds = (performance.now() - started) / 1000;
      if (result.action === 'none') {
        if (result.outcome === 'unchanged') this.options.metrics?.skipped();
        this.logger.debug({ controller: 'keystore', key, why: result.why }, 'nothing to write');
        return;
      }
      if (result.action === 'fail') {
        this.options.metrics?.failed(result.reason);
        this.logger.info({ controller: 'keystore', key, reason: result.reason }, 'stores not built; the old stores stay');
        await this.record(found.reference, result.events);
        return;
      }
      try {
        const written = await applyStorePatch(this.options.api, target!, result.patch);
        if (written.metadata.resourceVersion) this.ownWrites.set(key, written.metadata.resourceVersion);
      } catch (err) {
        // cert-manager (or a user) wrote in between: compute again from the fresh Secret.
        if (isConflict(err) && attempt < CONFLICT_ATTEMPTS) continue;
        throw err;
      }
      this.options.metrics?.built(seconds);
      this.logger.info({ controller: 'keystore', key, formats: result.desired.formats, removed: result.desired.remove }, 'stores written');
      await this.record(found.reference, result.events);
      return;
    }
  }

  private async record(reference: ObjectReference, events: readonly { type: 'Normal' | 'Warning'; reason: string; message: string }[]): Promise<void> {
    for (const event of events) await this.options.events.record(reference, event);
  }
}
