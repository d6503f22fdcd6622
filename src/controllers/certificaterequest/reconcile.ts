// The CertificateRequest reconcile as a pure function (SPEC §3, issuer-lib's gate order):
// objects and the signer's outcome in, status patch + Events + requeue out. The shell calls it
// once; when it answers `sign`, the shell signs and calls it again with the outcome. Because it
// is pure, the shell can rerun it on a fresh copy after a write conflict.
import { pollDelayMs } from '../../cmp/checkAfter.js';
import { findCondition, formatTime, hasCondition } from '../../k8s/conditions.js';
import { formatDuration } from '../../k8s/duration.js';
import type { EventRecord } from '../../k8s/events.js';
import { CONDITION_APPROVED, CONDITION_DENIED, CONDITION_READY, REASON, type CertificateRequest } from '../../api/certManager.js';
import { ISSUER_GROUP, ISSUER_KINDS, TRANSACTION_ANNOTATION, type CMPv2Issuer, type IssuerKind } from '../../api/cmpv2Issuer.js';
import { answerMayBeLost, failureDetails, IssuerError, PendingError, PermanentError } from '../../signer/errors.js';
import { InvalidRequestError, toRequestView, type RequestView } from '../../signer/requestView.js';
import type { SignedCertificate, TransactionIntent } from '../../signer/signer.js';
import { writeTransactionRecord } from './transactionRecord.js';
import { setDenied, setFailed, setIssued, setPending, type RequestStatusPatch, type Transition } from './transitions.js';

/**
 * What signing gave. `intent` is set when the transaction was recorded and sent (the write-ahead
 * hook ran): only then does a failure change the record.
 */
export type SignOutcome = { ok: true; value: SignedCertificate } | { ok: false; error: unknown; intent?: TransactionIntent };

export interface RequestReconcileInput {
  request: CertificateRequest;
  /** The issuer named by `spec.issuerRef`, from the cache; undefined when it does not exist. */
  issuer: CMPv2Issuer | undefined;
  now: Date;
  maxRetryDurationMs: number;
  /** Set on the second call, after the shell has signed. */
  signOutcome?: SignOutcome;
  /** Who we are in transaction records (transactionRecord.ts `holderText`). */
  holder?: string;
}

/** Not for us, already final, or waiting: write nothing. */
export interface Ignore {
  action: 'ignore';
  why: string;
  /** Look again after this delay (an event may bring the request back sooner). */
  recheckAfterMs?: number;
}

/** Every gate passed: sign `view` with `issuer`, then reconcile again with the outcome. */
export interface Sign {
  action: 'sign';
  view: RequestView;
  issuerKind: IssuerKind;
}

export interface Update {
  action: 'update';
  /** Merge patch for the status subresource; undefined when nothing changes. */
  status?: RequestStatusPatch;
  /** Annotations to set (string) or remove (null) on the request. */
  annotations?: Record<string, string | null>;
  events: EventRecord[];
  /** Poll again after this delay (CA answered `waiting`). */
  requeueAfterMs?: number;
  /** Retry with the key's exponential backoff. */
  backoff?: boolean;
  /** The signer blamed the issuer: re-check it. */
  recheckIssuer?: boolean;
  /** One word for logs and metrics: pending, issued, failed, denied. */
  outcome: 'pending' | 'issued' | 'failed' | 'denied';
}

export type RequestReconcileResult = Ignore | Sign | Update;

/** How long a new request may wait for its approval before it is marked Pending. */
export const APPROVAL_GRACE_MS = 5_000;

/** Default poll delay when a `waiting` answer names none. */
export const DEFAULT_POLL_MS = 10_000;

function update(transition: Transition, outcome: Update['outcome'], extra: Partial<Update> = {}): Update {
  return { action: 'update', status: transition.status, events: transition.events, outcome, ...extra };
}

/** True when the issuer's Ready condition is True for its current generation. */
export function issuerIsReady(issuer: CMPv2Issuer): boolean {
  const readyCondition = findCondition(issuer.status?.conditions, CONDITION_READY);
  if (readyCondition?.status !== 'True') return false;
  const generation = issuer.metadata.generation;
  const observed = readyCondition.observedGeneration ?? issuer.status?.observedGeneration;
  return generation === undefined || observed === undefined || observed === generation;
}

export function reconcileCertificateRequest(input: RequestReconcileInput): RequestReconcileResult {
  const { request, issuer, now } = input;
  const conditions = request.status?.conditions;
  const issuerRef = request.spec?.issuerRef;

  // 1. Only our group and kinds.
  if (issuerRef?.group !== ISSUER_GROUP || !(ISSUER_KINDS as readonly string[]).includes(issuerRef.kind ?? '')) {
    return { action: 'ignore', why: 'issuerRef is not a CMPv2Issuer or ClusterCMPv2Issuer' };
  }
  // 2. Final states stay final.
  if (hasCondition(conditions, CONDITION_READY, 'True')) return { action: 'ignore', why: 'already Ready' };
  if (hasCondition(conditions, CONDITION_READY, 'False', REASON.failed)) return { action: 'ignore', why: 'already Failed' };
  if (hasCondition(conditions, CONDITION_READY, 'False', REASON.denied)) return { action: 'ignore', why: 'already Denied' };
  // 3. Denied: terminal, never sent to the CA.
  if (hasCondition(conditions, CONDITION_DENIED, 'True')) return update(setDenied(request, now), 'denied');
  // 4. Not approved yet: wait for the approver's update event. An approver in the cluster answers
  // within moments (cert-manager's, approver-policy), so only a request still unapproved after
  // APPROVAL_GRACE_MS is marked Pending (once): a status write and an Event saved on every request
  // that is approved at once, as cert-manager's own issuers write nothing while they wait.
  if (!hasCondition(conditions, CONDITION_APPROVED, 'True')) {
    if (findCondition(conditions, CONDITION_READY)) return { action: 'ignore', why: 'waiting for approval' };
    const created = Date.parse(request.metadata.creationTimestamp ?? '');
    const age = Number.isNaN(created) ? APPROVAL_GRACE_MS : now.getTime() - created;
    // A creation time ahead of our clock (skew) still gets its recheck within one grace.
    if (age < APPROVAL_GRACE_MS) return { action: 'ignore', why: 'waiting for approval', recheckAfterMs: Math.min(APPROVAL_GRACE_MS, APPROVAL_GRACE_MS - age) };
    return update(setPending(request, now, 'Waiting for the CertificateRequest to be approved'), 'pending');
  }
  // 5. The request must be signable at all.
  let view: RequestView;
  try {
    view = toRequestView(request);
  } catch (err) {
    if (err instanceof InvalidRequestError) return update(setFailed(request, now, `Invalid request: ${err.message}`), 'failed');
    throw err;
  }
  // 6. Issuer missing or not Ready: wait; the issuer's own events requeue us (no requeue here).
  const issuerName = `${issuerRef.kind} ${issuerRef.name}`;
  if (!issuer) return update(setPending(request, now, `${issuerName} not found; waiting for it to be created`, true), 'pending');
  if (!issuerIsReady(issuer)) {
    const why = findCondition(issuer.status?.conditions, CONDITION_READY)?.message;
    return update(setPending(request, now, `${issuerName} is not Ready${why ? `: ${why}` : ''}`, true), 'pending');
  }
  // 7. Sign (the shell does the I/O and calls us again).
  const outcome = input.signOutcome;
  if (!outcome) return { action: 'sign', view, issuerKind: issuerRef.kind as IssuerKind };
  return afterSigning(input, outcome);
}

/**
 * The transaction record after a failed exchange (transactionRecord.ts): a waiting answer is
 * recorded for polling; a failure that proves the CA never acted (nothing sent, an HTTP-level
 * refusal) takes the record back to where it was before the attempt; any other failure leaves
 * the unanswered record, so the next attempt says that a new transaction replaces it.
 */
function recordAfterFailure(input: RequestReconcileInput, outcome: SignOutcome & { ok: false }): Record<string, string | null> | undefined {
  const waiting = (transaction: string) => ({
    [TRANSACTION_ANNOTATION]: writeTransactionRecord({
      version: 2,
      phase: 'waiting',
      holder: input.holder ?? 'unknown/unknown',
      at: formatTime(input.now),
      transaction,
    }),
  });
  const { error, intent } = outcome;
  if (error instanceof PendingError) return error.resumeState !== undefined ? waiting(error.resumeState) : undefined;
  if (!intent || answerMayBeLost(error)) return undefined;
  return intent.kind === 'poll' && intent.transaction ? waiting(intent.transaction) : { [TRANSACTION_ANNOTATION]: null };
}

function afterSigning(input: RequestReconcileInput, outcome: SignOutcome): Update {
  const { request, now } = input;
  if (outcome.ok) {
    // Issued: certificate and roots written (the record of the transaction stays, for the record);
    // what the signer must name (roots taken from extraCerts on request, skipped caPubs entries)
    // goes into Events beside it.
    const issued = setIssued(request, now, outcome.value.chainPem, outcome.value.caPem);
    const notes = issued.events.length > 0 ? (outcome.value.notes ?? []) : [];
    return update({ ...issued, events: [...issued.events, ...notes] }, 'issued');
  }
  const error = outcome.error;
  const { message } = failureDetails(error);
  const annotations = recordAfterFailure(input, outcome);
  if (error instanceof PermanentError) {
    // The CA said no (or its answer failed a check): terminal.
    return update(setFailed(request, now, message), 'failed', { annotations });
  }
  const created = Date.parse(request.metadata.creationTimestamp ?? '');
  const elapsed = Number.isNaN(created) ? 0 : now.getTime() - created;
  if (elapsed >= input.maxRetryDurationMs) {
    // Retried long enough (SPEC §3.7: waiting answers count too): terminal.
    const limit = formatDuration(input.maxRetryDurationMs);
    return update(setFailed(request, now, `Gave up after the maximum retry duration (${limit}): ${message}`), 'failed', { annotations });
  }
  if (error instanceof PendingError) {
    // The CA is working on it: poll again after its checkAfter, the transaction recorded first.
    return update(setPending(request, now, `Waiting for the CA: ${message}`), 'pending', {
      annotations,
      // checkAfter clamped by the shared rule: ≥ 1 s, ≤ the time left before the max-retry duration, ≤ a timer's range.
      requeueAfterMs: pollDelayMs(
        error.retryAfterMs === undefined ? undefined : error.retryAfterMs / 1000,
        input.maxRetryDurationMs - elapsed,
        DEFAULT_POLL_MS,
      ),
    });
  }
  if (error instanceof IssuerError) {
    // The issuer is at fault: wait as Pending, re-check the issuer, retry with backoff.
    return update(setPending(request, now, `Issuer problem: ${message}`, true), 'pending', { backoff: true, recheckIssuer: true, annotations });
  }
  // Transport errors, timeouts, 5xx: retry with backoff.
  return update(setPending(request, now, `Signing failed, will retry: ${message}`, true), 'pending', { backoff: true, annotations });
}
