// The thin shell around the pure CertificateRequest reconcile: the generic controller feeds it
// keys, the reconcile decides, this file does the I/O it asks for (sign, annotate, patch status,
// record Events) and nothing else. Writes are recomputed from a fresh copy on conflict —
// the reconcile is pure, so rerunning it with the same signing outcome is safe. Our own writes
// do not re-enqueue (the OwnWrites predicate), a rerun before the cache has caught up starts
// from our own latest write, and a CA's checkAfter is honoured whatever wakes the request.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { issuerView } from '../../signer/issuerView.js';
import { formatTime } from '../../k8s/conditions.js';
import { parseDuration } from '../../k8s/duration.js';
import { IssuerError } from '../../signer/errors.js';
import { realClock, type Clock } from '../../k8s/clock.js';
import { Controller, type ControllerMetrics, type ControllerOptions } from '../../k8s/controller.js';
import { OwnWrites } from '../../k8s/ownWrites.js';
import type { KubeApi } from '../../k8s/apiClient.js';
import type { EventSink } from '../../k8s/events.js';
import type { Informer } from '../../k8s/informer.js';
import { keyedChangesPatch, patchStatusWithRetry, patchWithRetry } from '../../k8s/status.js';
import { CERTIFICATE_REQUESTS, type CertificateRequest } from '../../api/certManager.js';
import { issuerKey, ISSUER_GROUP, ISSUER_KINDS, parseIssuerSpec, TRANSACTION_ANNOTATION, type CMPv2Issuer, type IssuerKind } from '../../api/cmpv2Issuer.js';
import { objectKey, referenceTo } from '../../k8s/meta.js';
import { apiVersionOf } from '../../k8s/resources.js';
import type { ReconcileResult } from '../../k8s/workqueue.js';
import type { RequestView } from '../../signer/requestView.js';
import type { SignedCertificate, SignerFactory, SignHooks, TransactionIntent } from '../../signer/signer.js';
import { setPending } from './transitions.js';
import {
  decideTransaction,
  holderText,
  readTransactionRecord,
  restartMessage,
  TransactionHeldError,
  writeTransactionRecord,
  type FoundRecord,
  type Holder,
  type TransactionDecision,
} from './transactionRecord.js';
import { reconcileCertificateRequest, type RequestReconcileInput, type SignOutcome, type Update } from './reconcile.js';

/** Counters the `run` command maps onto Prometheus metrics. */
export interface RequestMetrics extends ControllerMetrics {
  outcome(issuer: string, outcome: Update['outcome'], reason: string): void;
  signed(issuer: string, seconds: number, ok: boolean): void;
}

export interface CertificateRequestControllerOptions extends ControllerOptions {
  api: KubeApi;
  requests: Informer<CertificateRequest>;
  issuers: Informer<CMPv2Issuer>;
  clusterIssuers: Informer<CMPv2Issuer>;
  signers: SignerFactory;
  events: EventSink;
  maxRetryDurationMs: number;
  clusterResourceNamespace: string;
  metrics?: RequestMetrics;
  /** Called when a signer blamed the issuer (IssuerError): re-check it. */
  recheckIssuer?: (kind: IssuerKind, namespace: string | undefined, name: string) => void;
  /** Who we are in transaction records; default this host's name and a new incarnation. */
  holder?: Holder;
  /** Test-only fault points (the operator sets it from CMPV2_OPERATOR_TEST_HOLD); production has none. */
  hold?: (point: HoldPoint, key: string) => Promise<void>;
}

/** Where a fault test may stop the operator: record written; the CA's answer to the request or to a poll not read yet; the certificate in hand, status not written. */
export type HoldPoint = 'recorded' | 'in-flight' | 'polling' | 'answered';

/** The Event when a new transaction replaces one whose answer was never recorded. */
export const TRANSACTION_RESTARTED = 'TransactionRestarted';

/** How long another pod's unanswered attempt may still be in flight: the request and the certConf, each up to the CA timeout, and a margin. */
function holdMs(timeoutMs: number): number {
  return 2 * timeoutMs + 15_000;
}

const BY_ISSUER = 'issuer';

function isFinal(r: CertificateRequest): boolean {
  const ready = r.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' || (ready?.status === 'False' && (ready.reason === 'Failed' || ready.reason === 'Denied'));
}

export class CertificateRequestController extends Controller {
  private readonly clock: Clock;
  /** Our annotation and status writes: not news when they come back, and fresher than a stale cache. */
  private readonly ownWrites = new OwnWrites<CertificateRequest>({ requeue: (key) => this.queue.add(key) });
  /**
   * Certificates signed whose final status write has not succeeded yet (by key, with the uid):
   * a failed status write must not make a rerun enroll twice.
   */
  private readonly signedNotWritten = new Map<string, { uid: string | undefined; value: SignedCertificate }>();
  /**
   * When a CA answered `waiting`, the earliest time to poll it again (its checkAfter): whatever
   * wakes the request sooner (an issuer update, a label edit, a watch event of our own write that
   * arrives before the write's response) must not make us poll early.
   */
  private readonly pollNotBefore = new Map<string, number>();
  private readonly holder: Holder;

  constructor(private readonly options: CertificateRequestControllerOptions) {
    super('certificaterequest', options);
    this.clock = options.clock ?? realClock;
    this.holder = options.holder ?? { pod: hostname(), incarnation: randomUUID().slice(0, 8) };
    const { requests, issuers, clusterIssuers } = options;
    requests.store.addIndex(BY_ISSUER, (r) => {
      const ref = r.spec?.issuerRef;
      return ref?.group === ISSUER_GROUP && ref.kind ? [issuerKey(ref.kind, r.metadata.namespace, ref.name)] : [];
    });
    this.watch(requests, { update: this.ownWrites.notOwn });
    // An issuer appearing, changing or becoming Ready brings its waiting requests back.
    for (const [informer, kind] of [
      [issuers, 'CMPv2Issuer'],
      [clusterIssuers, 'ClusterCMPv2Issuer'],
    ] as const) {
      this.watch(informer, {
        keys: (issuer) =>
          requests.store.byIndex(BY_ISSUER, issuerKey(kind, issuer.metadata.namespace, issuer.metadata.name ?? '')).map((r) => objectKey(r.metadata)),
      });
    }
  }

  private issuerFor(request: CertificateRequest): CMPv2Issuer | undefined {
    const ref = request.spec?.issuerRef;
    if (!ref || !(ISSUER_KINDS as readonly string[]).includes(ref.kind ?? '')) return undefined;
    return ref.kind === 'ClusterCMPv2Issuer'
      ? this.options.clusterIssuers.store.getByName(undefined, ref.name)
      : this.options.issuers.store.getByName(request.metadata.namespace, ref.name);
  }

  /** One reconcile of the request stored under `key`. */
  async reconcile(key: string, signal?: AbortSignal): Promise<ReconcileResult | void> {
    const cached = this.options.requests.store.get(key);
    if (!cached) {
      this.ownWrites.forget(key);
      this.signedNotWritten.delete(key);
      this.pollNotBefore.delete(key);
      return; // deleted
    }
    const request = this.ownWrites.freshest(cached);
    const notBefore = this.pollNotBefore.get(key);
    const nowMs = this.clock.now().getTime();
    if (notBefore !== undefined && nowMs < notBefore && !isFinal(request)) return { requeueAfterMs: notBefore - nowMs };
    this.pollNotBefore.delete(key);
    const issuer = this.issuerFor(request);
    const base: RequestReconcileInput = {
      request,
      issuer,
      now: this.clock.now(),
      maxRetryDurationMs: this.options.maxRetryDurationMs,
      holder: holderText(this.holder),
    };
    const first = reconcileCertificateRequest(base);
    if (first.action === 'ignore') {
      if (isFinal(request)) this.signedNotWritten.delete(key);
      // Not ours, final, or waiting for an event (and, for a new unapproved request, a recheck).
      return first.recheckAfterMs !== undefined ? { requeueAfterMs: first.recheckAfterMs } : undefined;
    }
    let outcome: SignOutcome | undefined;
    let result: Update;
    let input = base;
    if (first.action === 'sign') {
      outcome = await this.sign(key, request, issuer!, first.view, first.issuerKind, signal);
      // Another holder's attempt may be in flight, or the record changed under us: nothing was sent.
      if (!outcome.ok && outcome.error instanceof TransactionHeldError) return { requeueAfterMs: outcome.error.ms };
      if (outcome.ok) await this.options.hold?.('answered', key);
      // The outcome is written onto our own record write, not onto the copy from before it.
      input = { ...base, request: this.ownWrites.freshest(request), now: this.clock.now(), signOutcome: outcome };
      const second = reconcileCertificateRequest(input);
      if (second.action !== 'update') return;
      result = second;
    } else {
      result = first;
    }
    await this.apply(key, input.request, input, result);
    // The final status is written (and remembered as our write): the kept certificate is no longer needed.
    if (result.outcome !== 'pending') this.signedNotWritten.delete(key);
    // The metric's issuer label: Kind/namespace/name, or Kind/name for a cluster issuer.
    const { kind: refKind, name: refName } = request.spec.issuerRef;
    const issuerName = refKind === 'ClusterCMPv2Issuer' ? `${refKind}/${refName}` : `${refKind}/${request.metadata.namespace}/${refName}`;
    const ready = result.status?.conditions.find((c) => c.type === 'Ready');
    this.options.metrics?.outcome(issuerName, result.outcome, ready?.reason ?? result.outcome);
    if (result.recheckIssuer && issuer) {
      this.options.recheckIssuer?.(request.spec.issuerRef.kind as IssuerKind, issuer.metadata.namespace, issuer.metadata.name ?? '');
    }
    if (result.requeueAfterMs !== undefined) this.pollNotBefore.set(key, this.clock.now().getTime() + result.requeueAfterMs);
    return { requeueAfterMs: result.requeueAfterMs, backoff: result.backoff };
  }

  private async sign(
    key: string,
    request: CertificateRequest,
    issuer: CMPv2Issuer,
    requestView: RequestView,
    kind: IssuerKind,
    signal?: AbortSignal,
  ): Promise<SignOutcome> {
    const kept = this.signedNotWritten.get(key);
    if (kept && kept.uid === request.metadata.uid) return { ok: true, value: kept.value };
    const spec = parseIssuerSpec(issuer.spec);
    if (!spec.ok) return { ok: false, error: new IssuerError(`the issuer's spec is invalid: ${spec.error}`) };
    const timeoutMs = spec.value.backend === 'cmp' ? parseDuration(spec.value.cmp.timeout) : 30_000;
    const found = readTransactionRecord(request.metadata.annotations?.[TRANSACTION_ANNOTATION]);
    const decision = decideTransaction(found, this.holder, this.clock.now(), holdMs(timeoutMs));
    if (decision.action === 'wait') return { ok: false, error: new TransactionHeldError(decision.holder, decision.ms) };
    const signingIssuer = issuerView({ issuer, kind, spec: spec.value, clusterResourceNamespace: this.options.clusterResourceNamespace });
    const label = signingIssuer.namespace ? `${kind}/${signingIssuer.namespace}/${signingIssuer.name}` : `${kind}/${signingIssuer.name}`;
    const view = { ...requestView, resumeState: decision.action === 'poll' ? decision.transaction : undefined };
    let intent: TransactionIntent | undefined;
    const hooks: SignHooks = {
      beforeSend: async (planned) => {
        await this.recordTransaction(key, request, found, decision, planned, timeoutMs);
        intent = planned;
      },
      ...(this.options.hold ? { answered: (sent: TransactionIntent) => this.options.hold!(sent.kind === 'poll' ? 'polling' : 'in-flight', key) } : {}),
    };
    const started = this.clock.now().getTime();
    try {
      const value = await this.options.signers.forIssuer(signingIssuer).sign(view, signingIssuer, signal, hooks);
      this.signedNotWritten.set(key, { uid: request.metadata.uid, value });
      this.options.metrics?.signed(label, (this.clock.now().getTime() - started) / 1000, true);
      return { ok: true, value };
    } catch (error) {
      if (!(error instanceof TransactionHeldError)) this.options.metrics?.signed(label, (this.clock.now().getTime() - started) / 1000, false);
      return { ok: false, error, ...(intent ? { intent } : {}) };
    }
  }

  /**
   * The write-ahead record (SPEC §3): written against the request's resourceVersion before anything
   * is sent. On a conflict the fresh copy is looked at: the same record as decided on → write
   * again; any other → someone else moved first, nothing is sent (TransactionHeldError) and the
   * request is decided again. A new transaction replacing an unanswered one is said in the
   * condition and a Warning Event.
   */
  private async recordTransaction(
    key: string,
    request: CertificateRequest,
    found: FoundRecord,
    decision: TransactionDecision,
    intent: TransactionIntent,
    timeoutMs: number,
  ): Promise<void> {
    const { api } = this.options;
    const ref = { namespace: request.metadata.namespace, name: request.metadata.name ?? '' };
    const decidedOn = request.metadata.annotations?.[TRANSACTION_ANNOTATION];
    const now = this.clock.now();
    const record = writeTransactionRecord({
      version: 2,
      phase: intent.kind === 'poll' ? 'polling' : 'sending',
      holder: holderText(this.holder),
      at: formatTime(now),
      ...(intent.transaction !== undefined ? { transaction: intent.transaction } : {}),
    });
    const written = await this.ownWrites.writing(key, () =>
      patchWithRetry<CertificateRequest>(
        api,
        CERTIFICATE_REQUESTS,
        ref,
        (fresh) => {
          if (fresh !== request) {
            const again = decideTransaction(readTransactionRecord(fresh.metadata.annotations?.[TRANSACTION_ANNOTATION]), this.holder, now, holdMs(timeoutMs));
            if (isFinal(fresh) || fresh.metadata.annotations?.[TRANSACTION_ANNOTATION] !== decidedOn) {
              const holder = found.state === 'found' ? found.record.holder : 'another operator';
              throw new TransactionHeldError(again.action === 'wait' ? again.holder : holder, again.action === 'wait' ? again.ms : 1000);
            }
          }
          return { metadata: { annotations: { [TRANSACTION_ANNOTATION]: record } } };
        },
        { current: request },
      ),
    );
    if (written) this.ownWrites.record(request, written);
    if (decision.action === 'restart') {
      const message = restartMessage(decision.previous);
      const pending = setPending(written ?? request, now, message, true);
      if (pending.status) {
        const status = pending.status;
        const afterStatus = await this.ownWrites.writing(key, () =>
          patchStatusWithRetry<CertificateRequest>(api, CERTIFICATE_REQUESTS, ref, () => status as unknown as Record<string, unknown>, {
            current: written ?? request,
          }),
        );
        if (afterStatus && written) this.ownWrites.record(written, afterStatus);
      }
      this.logger.warn({ controller: this.name, namespace: ref.namespace, name: ref.name }, message);
      const target = referenceTo(apiVersionOf(CERTIFICATE_REQUESTS), CERTIFICATE_REQUESTS.kind, request);
      await this.options.events.record(target, { type: 'Warning', reason: TRANSACTION_RESTARTED, message });
    }
    await this.options.hold?.('recorded', key);
  }

  /** Writes annotations (first: the transaction state must outlive a failed status write), then status, then Events. */
  private async apply(key: string, request: CertificateRequest, input: RequestReconcileInput, result: Update): Promise<void> {
    const { api } = this.options;
    const ref = { namespace: request.metadata.namespace, name: request.metadata.name ?? '' };
    let current: CertificateRequest = request;
    if (result.annotations) {
      const annotations = result.annotations;
      const written = await this.ownWrites.writing(key, () =>
        patchWithRetry<CertificateRequest>(api, CERTIFICATE_REQUESTS, ref, (fresh) => keyedChangesPatch(fresh, { annotations }), { current }),
      );
      if (written) {
        this.ownWrites.record(current, written);
        current = written;
      }
    }
    let events = result.events;
    if (result.status) {
      const before = current;
      const written = await this.ownWrites.writing(key, () =>
        patchStatusWithRetry<CertificateRequest>(
          api,
          CERTIFICATE_REQUESTS,
          ref,
          (fresh) => {
            if (fresh === before) return result.status as unknown as Record<string, unknown>;
            const again = reconcileCertificateRequest({ ...input, request: fresh });
            events = again.action === 'update' ? again.events : [];
            return again.action === 'update' ? (again.status as unknown as Record<string, unknown> | undefined) : undefined;
          },
          { current },
        ),
      );
      if (written) this.ownWrites.record(before, written);
    }
    const target = referenceTo(apiVersionOf(CERTIFICATE_REQUESTS), CERTIFICATE_REQUESTS.kind, request);
    for (const event of events) await this.options.events.record(target, event);
    const ready = result.status?.conditions.find((c) => c.type === 'Ready');
    if (ready) {
      this.logger.info(
        { controller: this.name, namespace: ref.namespace, name: ref.name, reason: ready.reason, message: ready.message },
        `CertificateRequest ${result.outcome}`,
      );
    }
  }
}
