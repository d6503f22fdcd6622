// The thin shell around the pure keystore reconcile. The queue key is the target Secret
// (`namespace/name`). Informers: Certificates in full; Secrets and ConfigMaps as metadata only,
// indexed referencing → referenced, so a change of a password Secret or trust source requeues
// its dependants at once. Full content is read (GET) only for the target and what it references.
// Writes carry the resourceVersion they were computed from; on 409 the whole computation runs
// again on the fresh Secret (cert-manager may have re-issued in between).
import { performance } from 'node:perf_hooks';
import type { KubeApi } from '../../k8s/apiClient.js';
import { isConflict } from '../../k8s/apiError.js';
import { metadataIdentity } from '../../k8s/cache.js';
import { Controller, type ControllerOptions } from '../../k8s/controller.js';
import { OwnWrites } from '../../k8s/ownWrites.js';
import { generationOrAnnotationsChanged } from '../../k8s/predicates.js';
import { getObject } from '../../k8s/read.js';
import type { EventSink } from '../../k8s/events.js';
import type { Informer } from '../../k8s/informer.js';
import { apiVersionOf, CONFIG_MAPS, SECRETS } from '../../k8s/resources.js';
import { CERTIFICATES, type Certificate } from '../../api/certManager.js';
import { objectKey, referenceTo, splitKey, type ConfigMap, type KubeObject, type ObjectReference, type Secret } from '../../k8s/meta.js';
import type { ReconcileResult } from '../../k8s/workqueue.js';
import { generatePassword } from '../../keystore/index.js';
import { optsIn, referencedObjects } from '../../api/keystoreAnnotations.js';
import type { KeystoreMetricsSink } from './metrics.js';
import { reconcileKeystore, requestOf, type KeystoreSource } from './reconcile.js';
import { applyStorePatch } from './target.js';

export interface KeystoreControllerOptions extends ControllerOptions {
  api: KubeApi;
  certificates: Informer<Certificate>;
  /** Secrets, metadata only. */
  secrets: Informer<KubeObject>;
  /** ConfigMaps, metadata only. */
  configMaps: Informer<KubeObject>;
  events: EventSink;
  keystoreMetrics?: KeystoreMetricsSink;
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

/** The target Secret an annotated Certificate writes, as a queue key. */
function targetOf(c: Certificate): string[] {
  return optsIn(c.metadata.annotations) && c.spec?.secretName ? [`${c.metadata.namespace}/${c.spec.secretName}`] : [];
}

export class KeystoreController extends Controller {
  private readonly newPassword: () => string;
  /** Our store writes: their watch events need no reconcile. */
  private readonly ownWrites = new OwnWrites<KubeObject>();

  constructor(private readonly options: KeystoreControllerOptions) {
    super('keystore', { workers: 4, ...options });
    this.newPassword = options.newPassword ?? generatePassword;
    const { certificates, secrets, configMaps } = options;

    certificates.store.addIndex(BY_TARGET, targetOf);
    certificates.store.addIndex(BY_REFERENCE, (c) => referenceKeys(c.metadata.namespace, c.metadata.annotations, { kind: 'Certificate', certificate: c }));
    secrets.store.addIndex(BY_REFERENCE, (s) => referenceKeys(s.metadata.namespace, s.metadata.annotations, { kind: 'Secret', secret: s }));

    // cert-manager's status writes do not matter; annotations and spec (generation) do.
    this.watch(certificates, { keys: targetOf, update: generationOrAnnotationsChanged });
    // A referenced password Secret or trust source changed: requeue its dependants (on our own
    // writes too: a target Secret may be another's trust source).
    const dependantsOf =
      (kind: 'secret' | 'configmap') =>
      (obj: KubeObject): string[] => {
        const ref = `${kind}:${objectKey(obj.metadata)}`;
        return [
          ...certificates.store.byIndex(BY_REFERENCE, ref).flatMap(targetOf),
          ...secrets.store.byIndex(BY_REFERENCE, ref).map((s) => objectKey(s.metadata)),
        ];
      };
    this.watch(secrets, { keys: dependantsOf('secret') });
    this.watch(configMaps, { keys: dependantsOf('configmap') });
    // The target itself (annotated, or written by an annotated Certificate), but not our own write coming back.
    this.watch(secrets, {
      keys: (secret) => {
        const key = objectKey(secret.metadata);
        return optsIn(secret.metadata.annotations) || certificates.store.byIndex(BY_TARGET, key).length > 0 ? [key] : [];
      },
      update: this.ownWrites.notOwn,
    });
  }

  /** The opt-in for a target: an annotated Certificate writing it wins over the Secret's own annotations. */
  private sourceFor(key: string): { source: KeystoreSource; reference: ObjectReference } | undefined {
    const certificates = this.options.certificates.store.byIndex(BY_TARGET, key).sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    if (certificates.length > 0) {
      const certificate = certificates[0];
      return { source: { kind: 'Certificate', certificate }, reference: referenceTo(apiVersionOf(CERTIFICATES), CERTIFICATES.kind, certificate) };
    }
    const secret = this.options.secrets.store.get(key);
    if (secret && optsIn(secret.metadata.annotations)) {
      return { source: { kind: 'Secret', secret: secret as Secret }, reference: referenceTo(apiVersionOf(SECRETS), SECRETS.kind, secret) };
    }
    return undefined;
  }

  async reconcile(key: string, signal?: AbortSignal): Promise<ReconcileResult | void> {
    const { namespace = '', name } = splitKey(key);
    for (let attempt = 1; ; attempt++) {
      const found = this.sourceFor(key);
      if (!found) {
        this.ownWrites.forget(key);
        return; // not (or no longer) opted in
      }
      const target = await getObject<Secret>(this.options.api, SECRETS, namespace, name, signal);
      if (!target) this.ownWrites.forget(key);
      // The Secret-annotation source is read from the full Secret (the cache has metadata only).
      const source: KeystoreSource = found.source.kind === 'Secret' && target ? { kind: 'Secret', secret: target } : found.source;
      const request = requestOf(source);
      const secrets = new Map<string, Secret | undefined>();
      const configMaps = new Map<string, ConfigMap | undefined>();
      if (request && target) {
        for (const ref of referencedObjects(request)) {
          const [kind, refName] = ref.split(':');
          if (kind === 'secret') secrets.set(refName, await getObject<Secret>(this.options.api, SECRETS, namespace, refName, signal));
          else configMaps.set(refName, await getObject<ConfigMap>(this.options.api, CONFIG_MAPS, namespace, refName, signal));
        }
      }
      const started = performance.now();
      const result = await reconcileKeystore({ source, target, secrets, configMaps, newPassword: this.newPassword });
      const seconds = (performance.now() - started) / 1000;
      if (result.action === 'none') {
        if (result.outcome === 'unchanged') this.options.keystoreMetrics?.skipped();
        this.logger.debug({ controller: this.name, key, why: result.why }, 'nothing to write');
        return;
      }
      if (result.action === 'fail') {
        this.options.keystoreMetrics?.failed(result.reason);
        this.logger.info({ controller: this.name, key, reason: result.reason }, 'stores not built; the old stores stay');
        await this.record(found.reference, result.events);
        return;
      }
      try {
        const written = await applyStorePatch(this.options.api, target!, result.patch);
        this.ownWrites.record(metadataIdentity(target!), metadataIdentity(written));
      } catch (err) {
        // cert-manager (or a user) wrote in between: compute again from the fresh Secret.
        if (isConflict(err) && attempt < CONFLICT_ATTEMPTS) continue;
        throw err;
      }
      this.options.keystoreMetrics?.built(seconds);
      this.logger.info({ controller: this.name, key, formats: result.desired.formats, removed: result.desired.remove }, 'stores written');
      await this.record(found.reference, result.events);
      return;
    }
  }

  private async record(reference: ObjectReference, events: readonly { type: 'Normal' | 'Warning'; reason: string; message: string }[]): Promise<void> {
    for (const event of events) await this.options.events.record(reference, event);
  }
}
