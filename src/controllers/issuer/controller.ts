// The thin shell around the pure issuer reconcile: watches both issuer kinds and (as metadata
// only) the Secrets they name; reads a referenced Secret's key names when checking; probes
// through the signer; writes status with conflict retry. A change of a referenced Secret
// forces a re-check, so fixing a password Secret makes the issuer Ready without a spec edit.
// A Ready issuer is checked again at least hourly (and once after a restart), so the CA
// certificates its check keeps in status.caCertificates follow a root rollover (SPEC §2).
import { realClock, type Clock } from '../../k8s/clock.js';
import { Controller, type ControllerOptions } from '../../k8s/controller.js';
import { generationChanged } from '../../k8s/predicates.js';
import type { KubeApi } from '../../k8s/apiClient.js';
import type { EventSink } from '../../k8s/events.js';
import type { Informer } from '../../k8s/informer.js';
import { getObject } from '../../k8s/read.js';
import { apiVersionOf, SECRETS } from '../../k8s/resources.js';
import { patchStatusWithRetry, type MergePatch } from '../../k8s/status.js';
import {
  CLUSTER_CMPV2_ISSUERS,
  CMPV2_ISSUERS,
  issuerKey,
  parseIssuerSpec,
  referencedSecrets,
  type CMPv2Issuer,
  type IssuerKind,
} from '../../api/cmpv2Issuer.js';
import { objectKey, referenceTo, type KubeObject, type Secret } from '../../k8s/meta.js';
import type { ReconcileResult } from '../../k8s/workqueue.js';
import type { SignerFactory } from '../../signer/signer.js';
import { issuerSecretsNamespace } from '../../signer/issuerView.js';
import { reconcileIssuer, type CheckOutcome, type IssuerReconcileInput } from './reconcile.js';

export interface IssuerControllerOptions extends ControllerOptions {
  api: KubeApi;
  issuers: Informer<CMPv2Issuer>;
  clusterIssuers: Informer<CMPv2Issuer>;
  /** Secrets, metadata only; changes of referenced ones force a re-check. Optional. */
  secrets?: Informer<KubeObject>;
  signers: SignerFactory;
  events: EventSink;
  clusterResourceNamespace: string;
  onOutcome?: (issuer: string, outcome: string) => void;
}

const BY_SECRET = 'secret';
/** A Ready issuer's check (and its CA certificates) is refreshed at least this often. */
export const ISSUER_REFRESH_MS = 60 * 60 * 1000;

function parseQueueKey(key: string): { kind: IssuerKind; namespace?: string; name: string } {
  const [kind, namespace, ...rest] = key.split('/');
  return { kind: kind as IssuerKind, namespace: namespace || undefined, name: rest.join('/') };
}

export class IssuerController extends Controller {
  private readonly clock: Clock;
  /** Keys to check again even if Ready for their generation (a referenced Secret changed, a signer blamed the issuer). */
  private readonly forced = new Set<string>();
  /** When each issuer's next refresh check is due (ms); an issuer not in it (e.g. after a restart) is due now. */
  private readonly refreshAt = new Map<string, number>();

  constructor(private readonly options: IssuerControllerOptions) {
    super('issuer', { workers: 1, ...options });
    this.clock = options.clock ?? realClock;
    const kinds = [
      [options.issuers, 'CMPv2Issuer'],
      [options.clusterIssuers, 'ClusterCMPv2Issuer'],
    ] as const;
    for (const [informer, kind] of kinds) {
      informer.store.addIndex(BY_SECRET, (issuer) => {
        const parsed = parseIssuerSpec(issuer.spec);
        if (!parsed.ok) return [];
        const namespace = issuerSecretsNamespace(kind, issuer, options.clusterResourceNamespace);
        return referencedSecrets(parsed.value).map((ref) => `${namespace}/${ref.name}`);
      });
      // Our own status writes come back as updates: only a spec change (generation) matters.
      this.watch(informer, { keys: (issuer) => [issuerKey(kind, issuer.metadata.namespace, issuer.metadata.name ?? '')], update: generationChanged });
    }
    if (options.secrets) {
      // A referenced Secret changed: re-check the issuers naming it, even if Ready.
      this.watch(options.secrets, {
        keys: (secret) =>
          kinds.flatMap(([informer, kind]) =>
            informer.store
              .byIndex(BY_SECRET, objectKey(secret.metadata))
              .map((issuer) => this.force(issuerKey(kind, issuer.metadata.namespace, issuer.metadata.name ?? ''))),
          ),
      });
    }
  }

  private force(key: string): string {
    this.forced.add(key);
    return key;
  }

  /** Checks an issuer again even if it is Ready for its generation. */
  recheck(kind: IssuerKind, namespace: string | undefined, name: string): void {
    this.queue.add(this.force(issuerKey(kind, namespace, name)));
  }

  /** Key names of a Secret (one GET: the Secret watch is metadata only); undefined when absent. */
  private async secretKeys(namespace: string, name: string, signal?: AbortSignal): Promise<string[] | undefined> {
    const secret = await getObject<Secret>(this.options.api, SECRETS, namespace, name, signal);
    return secret ? Object.keys(secret.data ?? {}) : undefined;
  }

  async reconcile(key: string, signal?: AbortSignal): Promise<ReconcileResult | void> {
    const { kind, namespace, name } = parseQueueKey(key);
    const informer = kind === 'ClusterCMPv2Issuer' ? this.options.clusterIssuers : this.options.issuers;
    const cached = informer.store.getByName(namespace, name);
    if (!cached) {
      this.forced.delete(key);
      this.refreshAt.delete(key);
      return;
    }
    const issuer: CMPv2Issuer = { ...cached, kind };
    const refreshDue = this.clock.now().getTime() >= (this.refreshAt.get(key) ?? 0);
    const force = this.forced.delete(key) || refreshDue;
    const keys = new Map<string, string[] | undefined>();
    const parsed = parseIssuerSpec(issuer.spec);
    if (parsed.ok) {
      const secretsNamespace = issuerSecretsNamespace(kind, issuer, this.options.clusterResourceNamespace);
      for (const ref of referencedSecrets(parsed.value)) {
        keys.set(`${secretsNamespace}/${ref.name}`, await this.secretKeys(secretsNamespace, ref.name, signal));
      }
    }
    const base: IssuerReconcileInput = {
      issuer,
      now: this.clock.now(),
      clusterResourceNamespace: this.options.clusterResourceNamespace,
      secretKeys: (ns, n) => keys.get(`${ns}/${n}`),
      force,
    };
    let result = reconcileIssuer(base);
    if (result.action === 'ignore') return; // checked (or failed) at this generation
    let checkOutcome: CheckOutcome | undefined;
    if (result.action === 'check') {
      try {
        const learned = await this.options.signers.forIssuer(result.view).check(result.view, signal);
        checkOutcome = learned?.caCertificatesPem !== undefined ? { ok: true, caCertificatesPem: learned.caCertificatesPem } : { ok: true };
      } catch (error) {
        checkOutcome = { ok: false, error };
      }
      result = reconcileIssuer({ ...base, now: this.clock.now(), checkOutcome });
      if (result.action !== 'update') return;
    }
    const update = result;
    let events = update.events;
    const resource = kind === 'ClusterCMPv2Issuer' ? CLUSTER_CMPV2_ISSUERS : CMPV2_ISSUERS;
    if (update.status) {
      await patchStatusWithRetry<CMPv2Issuer>(
        this.options.api,
        resource,
        { namespace: kind === 'ClusterCMPv2Issuer' ? undefined : namespace, name },
        (fresh) => {
          if (fresh === cached) return update.status as unknown as MergePatch;
          // The spec moved on while we probed: the next generation gets its own check.
          if (fresh.metadata.generation !== issuer.metadata.generation) return undefined;
          const again = reconcileIssuer({ ...base, issuer: { ...fresh, kind }, checkOutcome });
          events = again.action === 'update' ? again.events : [];
          return again.action === 'update' ? (again.status as unknown as MergePatch | undefined) : undefined;
        },
        { current: cached },
      );
      const ready = update.status.conditions.find((c) => c.type === 'Ready');
      this.logger.info({ controller: this.name, kind, namespace, name, reason: ready?.reason, message: ready?.message }, `issuer ${update.outcome}`);
    }
    for (const event of events) await this.options.events.record(referenceTo(apiVersionOf(resource), kind, issuer), event);
    this.options.onOutcome?.(namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`, update.outcome);
    if (update.outcome === 'checked') {
      this.refreshAt.set(key, this.clock.now().getTime() + ISSUER_REFRESH_MS);
      return { backoff: update.backoff, requeueAfterMs: ISSUER_REFRESH_MS };
    }
    return { backoff: update.backoff };
  }
}
