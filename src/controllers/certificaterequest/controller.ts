// The thin shell around the pure CertificateRequest reconcile: informers feed the queue,
// the reconcile decides, this file does the I/O it asks for (sign, annotate, patch status,
// record Events) and nothing else. Writes are recomputed from a fresh copy on conflict —
// the reconcile is pure, so rerunning it with the same signing outcome is safe.
import { CERTIFICATE_REQUESTS } from '../../api/certManager.js';
import { realClock, type Clock } from '../../k8s/clock.js';
import type { KubeApi } from '../../k8s/apiClient.js';
import type { EventSink } from '../../k8s/events.js';
import type { Informer } from '../../k8s/informer.js';
import { errorFields, silentLogger, type Logger } from '../../k8s/logger.js';
import { keyedChangesPatch, patchStatusWithRetry, patchWithRetry } from '../../k8s/status.js';
import type { CertificateRequest } from '../../api/certManager.js';
import { parseIssuerSpec, ISSUER_KINDS, type CMPv2Issuer, type IssuerKind, ISSUER_GROUP } from '../../api/cmpv2Issuer.js';
import { objectKey, referenceTo } from '../../k8s/meta.js';
import { WorkQueue, type ReconcileResult } from '../../k8s/workqueue.js';
import { IssuerError } from '../../signer/issuerError.js';
import type { RequestView } from '../../signer/requestView.js';
import type { IssuerView, SignedCertificate, SignerFactory } from '../../signer/signer.js';
import { issuerSecretsNamespace } from '../issuer/reconcile.js';
import { reconcileCertificateRequest, type RequestReconcileInput, type SignOutcome, type Update } from './reconcile.js';

/** Counters the `run` command maps onto Prometheus metrics. */
export interface RequestMetrics {
  outcome(issuer: string, outcome: Update['outcome'], reason: string): void;
  signed(issuer: string, seconds: number, ok: boolean): void;
}

export interface CertificateRequestControllerOptions {
  api: KubeApi;
  requests: Informer<CertificateRequest>;
  issuers: Informer<CMPv2Issuer>;
  clusterIssuers: Informer<CMPv2Issuer>;
  signers: SignerFactory;
  events: EventSink;
  maxRetryDurationMs: number;
  clusterResourceNamespace: string;
  clock?: Clock;
  workers?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  logger?: Logger;
  metrics?: RequestMetrics;
  /** Called when a signer blamed the issuer (IssuerError): re-check it. */
  recheckIssuer?: (kind: IssuerKind, namespace: string | undefined, name: string) => void;
}

const BY_ISSUER = 'issuer';

function isFinal(r: CertificateRequest): boolean {
  const ready = r.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' || (ready?.status === 'False' && (ready.reason === 'Failed' || ready.reason === 'Denied'));
}

/** The index value naming an issuer: `Kind/namespace/name` (empty namespace when cluster-scoped). */
export function issuerIndexKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${kind === 'ClusterCMPv2Issuer' ? '' : (namespace ?? '')}/${name}`;
}

export class CertificateRequestController {
  readonly queue: WorkQueue;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly abort = new AbortController();
  /**
   * Certificates signed whose request the cache does not yet show final: neither a failed
   * status write nor a rerun on a stale cache may enroll twice. Dropped when the informer
   * delivers the final request (or its deletion).
   */
  private readonly signedNotWritten = new Map<string, SignedCertificate>();
  /**
   * What we last wrote per key, and the resourceVersions it supersedes: until the informer
   * catches up, a rerun starts from our own write rather than the stale cached copy (which
   * would lack the saved CMP transaction and start a second enrollment).
   */
  private readonly written = new Map<string, { object: CertificateRequest; supersedes: Set<string> }>();
  /**
   * When a CA answered `waiting`, the earliest time to poll again (its checkAfter). Our own
   * annotation and status writes come back as informer updates; without this they would poll at once.
   */
  private readonly pollNotBefore = new Map<string, number>();

  constructor(private readonly options: CertificateRequestControllerOptions) {
    this.clock = options.clock ?? realClock;
    this.logger = options.logger ?? silentLogger;
    this.queue = new WorkQueue((key) => this.reconcile(key), {
      workers: options.workers,
      baseDelayMs: options.baseDelayMs,
      maxDelayMs: options.maxDelayMs,
      clock: this.clock,
      onError: (key, err) => this.logger.warn({ controller: 'certificaterequest', key, ...errorFields(err) }, 'reconcile failed; retrying with backoff'),
    });
    const { requests, issuers, clusterIssuers } = options;
    requests.store.addIndex(BY_ISSUER, (r) => {
      const ref = r.spec?.issuerRef;
      return ref?.group === ISSUER_GROUP && ref.kind ? [issuerIndexKey(ref.kind, r.metadata.namespace, ref.name)] : [];
    });
    const enqueue = (r: CertificateRequest): void => this.queue.add(objectKey(r.metadata));
    requests.addHandlers({
      add: enqueue,
      update: (_old, r) => {
        if (isFinal(r)) this.signedNotWritten.delete(r.metadata.uid ?? objectKey(r.metadata));
        enqueue(r);
      },
      delete: (r) => {
        this.signedNotWritten.delete(r.metadata.uid ?? objectKey(r.metadata));
        this.written.delete(objectKey(r.metadata));
      },
    });
    // An issuer appearing, changing or becoming Ready brings its waiting requests back.
    const requeueFor = (kind: IssuerKind) => (issuer: CMPv2Issuer) => {
      for (const r of requests.store.byIndex(BY_ISSUER, issuerIndexKey(kind, issuer.metadata.namespace, issuer.metadata.name ?? ''))) enqueue(r);
    };
    for (const [informer, kind] of [[issuers, 'CMPv2Issuer'], [clusterIssuers, 'ClusterCMPv2Issuer']] as const) {
      const requeue = requeueFor(kind);
      informer.addHandlers({ add: requeue, update: (_old, i) => requeue(i), delete: requeue });
    }
  }

  start(): void {
    this.queue.start();
  }

  /** Stops taking work; in-flight reconciles finish (signers see the abort signal). */
  async shutdown(): Promise<void> {
    const stopping = this.queue.shutdown();
    this.abort.abort(new Error('shutting down'));
    await stopping;
  }

  /** The cached request, or our own later write when the cache has not caught up with it. */
  private freshest(key: string): CertificateRequest | undefined {
    const cached = this.options.requests.store.get(key);
    const ours = this.written.get(key);
    if (!cached || !ours) return cached;
    if (ours.supersedes.has(cached.metadata.resourceVersion ?? '')) return ours.object;
    this.written.delete(key); // the cache has our write or something newer
    return cached;
  }

  private issuerFor(request: CertificateRequest): CMPv2Issuer | undefined {
    const ref = request.spec?.issuerRef;
    if (!ref || !(ISSUER_KINDS as readonly string[]).includes(ref.kind ?? '')) return undefined;
    return ref.kind === 'ClusterCMPv2Issuer'
      ? this.options.clusterIssuers.store.getByName(undefined, ref.name)
      : this.options.issuers.store.getByName(request.metadata.namespace, ref.name);
  }

  /** One reconcile of the request stored under `key`. */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const request = this.freshest(key);
    if (!request) {
      this.pollNotBefore.delete(key);
      return; // deleted
    }
    const notBefore = this.pollNotBefore.get(key);
    const nowMs = this.clock.now().getTime();
    if (notBefore !== undefined && nowMs < notBefore && !isFinal(request)) return { requeueAfterMs: notBefore - nowMs };
    this.pollNotBefore.delete(key);
    const issuer = this.issuerFor(request);
    const base: RequestReconcileInput = { request, issuer, now: this.clock.now(), maxRetryDurationMs: this.options.maxRetryDurationMs };
    const first = reconcileCertificateRequest(base);
    if (first.action === 'ignore') return; // not ours, final, or waiting for an event
    let outcome: SignOutcome | undefined;
    let result: Update;
    if (first.action === 'sign') {
      outcome = await this.sign(request, issuer!, first.view, first.issuerKind);
      const second = reconcileCertificateRequest({ ...base, now: this.clock.now(), signOutcome: outcome });
      if (second.action !== 'update') return;
      result = second;
    } else {
      result = first;
    }
    await this.apply(request, { ...base, signOutcome: outcome }, result);
    const issuerName = `${request.spec.issuerRef.kind}/${request.spec.issuerRef.name}`;
    const ready = result.status?.conditions.find((c) => c.type === 'Ready');
    this.options.metrics?.outcome(issuerName, result.outcome, ready?.reason ?? result.outcome);
    if (result.recheckIssuer && issuer) {
      this.options.recheckIssuer?.(request.spec.issuerRef.kind as IssuerKind, issuer.metadata.namespace, issuer.metadata.name ?? '');
    }
    if (result.requeueAfterMs !== undefined) this.pollNotBefore.set(key, this.clock.now().getTime() + result.requeueAfterMs);
    return { requeueAfterMs: result.requeueAfterMs, backoff: result.backoff };
  }

  private async sign(request: CertificateRequest, issuer: CMPv2Issuer, view: RequestView, kind: IssuerKind): Promise<SignOutcome> {
    const uid = request.metadata.uid ?? objectKey(request.metadata);
    const kept = this.signedNotWritten.get(uid);
    if (kept) return { ok: true, value: kept };
    const spec = parseIssuerSpec(issuer.spec);
    if (!spec.ok) return { ok: false, error: new IssuerError(`the issuer's spec is invalid: ${spec.error}`) };
    const issuerView: IssuerView = {
      kind,
      name: issuer.metadata.name ?? '',
      namespace: kind === 'ClusterCMPv2Issuer' ? undefined : issuer.metadata.namespace,
      secretsNamespace: issuerSecretsNamespace({ ...issuer, kind }, this.options.clusterResourceNamespace),
      generation: issuer.metadata.generation ?? 0,
      spec: spec.value,
    };
    const started = this.clock.now().getTime();
    try {
      const value = await this.options.signers.forIssuer(issuerView).sign(view, issuerView, this.abort.signal);
      this.signedNotWritten.set(uid, value);
      this.options.metrics?.signed(`${kind}/${issuerView.name}`, (this.clock.now().getTime() - started) / 1000, true);
      return { ok: true, value };
    } catch (error) {
      this.options.metrics?.signed(`${kind}/${issuerView.name}`, (this.clock.now().getTime() - started) / 1000, false);
      return { ok: false, error };
    }
  }

  /** Writes annotations (first: the transaction state must outlive a failed status write), then status, then Events. */
  private async apply(request: CertificateRequest, input: RequestReconcileInput, result: Update): Promise<void> {
    const { api } = this.options;
    const ref = { namespace: request.metadata.namespace, name: request.metadata.name ?? '' };
    const key = objectKey(request.metadata);
    const supersedes = new Set([request.metadata.resourceVersion ?? '', ...(this.written.get(key)?.supersedes ?? [])]);
    const remember = (object: CertificateRequest): void => {
      this.written.set(key, { object, supersedes: new Set(supersedes) });
      supersedes.add(object.metadata.resourceVersion ?? '');
    };
    let current: CertificateRequest = request;
    if (result.annotations) {
      const annotations = result.annotations;
      const written = await patchWithRetry<CertificateRequest>(api, CERTIFICATE_REQUESTS, ref, (fresh) => keyedChangesPatch(fresh, { annotations }), { current });
      if (written) {
        remember(written);
        current = written;
      }
    }
    let events = result.events;
    if (result.status) {
      const written = await patchStatusWithRetry<CertificateRequest>(
        api,
        CERTIFICATE_REQUESTS,
        ref,
        (fresh) => {
          if (fresh === current) return result.status as unknown as Record<string, unknown>;
          const again = reconcileCertificateRequest({ ...input, request: fresh });
          events = again.action === 'update' ? again.events : [];
          return again.action === 'update' ? (again.status as unknown as Record<string, unknown> | undefined) : undefined;
        },
        { current },
      );
      if (written) remember(written);
    }
    const target = referenceTo('cert-manager.io/v1', 'CertificateRequest', request);
    for (const event of events) await this.options.events.record(target, event);
    const ready = result.status?.conditions.find((c) => c.type === 'Ready');
    if (ready) {
      this.logger.info(
        { controller: 'certificaterequest', namespace: ref.namespace, name: ref.name, reason: ready.reason, message: ready.message },
        `CertificateRequest ${result.outcome}`,
      );
    }
  }
}
