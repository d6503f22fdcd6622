// The thin shell around the pure issuer reconcile: watches both issuer kinds and (as metadata
// only) the Secrets they name; reads a referenced Secret's key names when checking; probes
// through the signer; writes status with conflict retry. A change of a referenced Secret
// forces a re-check, so fixing a password Secret makes the issuer Ready without a spec edit.
import { realClock, type Clock } from '../../k8s/clock.js';
import type { KubeApi } from '../../k8s/apiClient.js';
import { isNotFound } from '../../k8s/apiError.js';
import type { EventSink } from '../../k8s/events.js';
import type { Informer } from '../../k8s/informer.js';
import { errorFields, silentLogger, type Logger } from '../../k8s/logger.js';
import { objectPath, SECRETS } from '../../k8s/resources.js';
import { patchStatusWithRetry, type MergePatch } from '../../k8s/status.js';
import { parseIssuerSpec, referencedSecrets, type CMPv2Issuer, type IssuerKind, CLUSTER_CMPV2_ISSUERS, CMPV2_ISSUERS } from '../../api/cmpv2Issuer.js';
import { referenceTo, type KubeObject, type Secret } from '../../k8s/meta.js';
import { WorkQueue, type ReconcileResult } from '../../k8s/workqueue.js';
import type { SignerFactory } from '../../signer/signer.js';
import { issuerSecretsNamespace, reconcileIssuer, type CheckOutcome, type IssuerReconcileInput } from './reconcile.js';

export interface IssuerControllerOptions {
  api: KubeApi;
  issuers: Informer<CMPv2Issuer>;
  clusterIssuers: Informer<CMPv2Issuer>;
  /** Secrets, metadata only; changes of referenced ones force a re-check. Optional. */
  secrets?: Informer<KubeObject>;
  signers: SignerFactory;
  events: EventSink;
  clusterResourceNamespace: string;
  clock?: Clock;
  workers?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  logger?: Logger;
  onOutcome?: (issuer: string, outcome: string) => void;
}

const BY_SECRET = 'secret';

/** Queue key: `Kind/namespace/name`. */
export function issuerQueueKey(kind: IssuerKind, namespace: string | undefined, name: string): string {
  return `${kind}/${kind === 'ClusterCMPv2Issuer' ? '' : (namespace ?? '')}/${name}`;
}

function parseQueueKey(key: string): { kind: IssuerKind; namespace?: string; name: string } {
  const [kind, namespace, ...rest] = key.split('/');
  return { kind: kind as IssuerKind, namespace: namespace || undefined, name: rest.join('/') };
}

export class IssuerController {
  readonly queue: WorkQueue;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly forced = new Set<string>();
  private readonly abort = new AbortController();

  constructor(private readonly options: IssuerControllerOptions) {
    this.clock = options.clock ?? realClock;
    this.logger = options.logger ?? silentLogger;
    this.queue = new WorkQueue((key) => this.reconcile(key), {
      workers: options.workers ?? 1,
      baseDelayMs: options.baseDelayMs ?? 1000,
      maxDelayMs: options.maxDelayMs ?? 300_000,
      clock: this.clock,
      onError: (key, err) => this.logger.warn({ controller: 'issuer', key, ...errorFields(err) }, 'reconcile failed; retrying with backoff'),
    });
    for (const [informer, kind] of [[options.issuers, 'CMPv2Issuer'], [options.clusterIssuers, 'ClusterCMPv2Issuer']] as const) {
      informer.store.addIndex(BY_SECRET, (issuer) => {
        const parsed = parseIssuerSpec(issuer.spec);
        if (!parsed.ok) return [];
        const namespace = issuerSecretsNamespace({ ...issuer, kind }, options.clusterResourceNamespace);
        return referencedSecrets(parsed.value).map((ref) => `${namespace}/${ref.name}`);
      });
      const enqueue = (issuer: CMPv2Issuer): void => this.queue.add(issuerQueueKey(kind, issuer.metadata.namespace, issuer.metadata.name ?? ''));
      informer.addHandlers({
        add: enqueue,
        // Our own status writes come back as updates: only a spec change (generation) matters.
        update: (old, issuer) => {
          if (old.metadata.generation !== issuer.metadata.generation) enqueue(issuer);
        },
      });
    }
    const secretChanged = (secret: KubeObject): void => {
      const key = `${secret.metadata.namespace}/${secret.metadata.name}`;
      for (const [informer, kind] of [[options.issuers, 'CMPv2Issuer'], [options.clusterIssuers, 'ClusterCMPv2Issuer']] as const) {
        for (const issuer of informer.store.byIndex(BY_SECRET, key)) this.recheck(kind, issuer.metadata.namespace, issuer.metadata.name ?? '');
      }
    };
    options.secrets?.addHandlers({ add: secretChanged, update: (_old, s) => secretChanged(s), delete: secretChanged });
  }

  /** Checks an issuer again even if it is Ready for its generation. */
  recheck(kind: IssuerKind, namespace: string | undefined, name: string): void {
    const key = issuerQueueKey(kind, namespace, name);
    this.forced.add(key);
    this.queue.add(key);
  }

  start(): void {
    this.queue.start();
  }

  async shutdown(): Promise<void> {
    const stopping = this.queue.shutdown();
    this.abort.abort(new Error('shutting down'));
    await stopping;
  }

  /** Key names of a Secret (one GET: the Secret watch is metadata only); undefined when absent. */
  private async secretKeys(namespace: string, name: string): Promise<string[] | undefined> {
    try {
      const secret = await this.options.api.request<Secret>('GET', objectPath(SECRETS, namespace, name));
      return Object.keys(secret.data ?? {});
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { kind, namespace, name } = parseQueueKey(key);
    const informer = kind === 'ClusterCMPv2Issuer' ? this.options.clusterIssuers : this.options.issuers;
    const cached = informer.store.getByName(namespace, name);
    if (!cached) {
      this.forced.delete(key);
      return;
    }
    const issuer: CMPv2Issuer = { ...cached, kind };
    const force = this.forced.delete(key);
    const keys = new Map<string, string[] | undefined>();
    const parsed = parseIssuerSpec(issuer.spec);
    if (parsed.ok) {
      const secretsNamespace = issuerSecretsNamespace(issuer, this.options.clusterResourceNamespace);
      for (const ref of referencedSecrets(parsed.value)) {
        keys.set(`${secretsNamespace}/${ref.name}`, await this.secretKeys(secretsNamespace, ref.name));
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
        await this.options.signers.forIssuer(result.view).check(result.view, this.abort.signal);
        checkOutcome = { ok: true };
      } catch (error) {
        checkOutcome = { ok: false, error };
      }
      result = reconcileIssuer({ ...base, now: this.clock.now(), checkOutcome });
      if (result.action !== 'update') return;
    }
    const update = result;
    let events = update.events;
    if (update.status) {
      const resource = kind === 'ClusterCMPv2Issuer' ? CLUSTER_CMPV2_ISSUERS : CMPV2_ISSUERS;
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
      this.logger.info({ controller: 'issuer', kind, namespace, name, reason: ready?.reason, message: ready?.message }, `issuer ${update.outcome}`);
    }
    const apiVersion = 'certmanager.onap.org/v1';
    for (const event of events) await this.options.events.record(referenceTo(apiVersion, kind, issuer), event);
    this.options.onOutcome?.(`${kind}/${name}`, update.outcome);
    return { backoff: update.backoff };
  }
}
