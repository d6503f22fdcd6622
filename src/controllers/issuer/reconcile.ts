// The CMPv2Issuer / ClusterCMPv2Issuer reconcile as a pure function (SPEC §2): validate the
// spec, find the referenced Secrets, then probe the server (the shell does the probe and calls
// again with its outcome). Ready reasons: Checked (True), Pending (False, retried),
// Failed (False, waits for a spec change). Every condition carries observedGeneration. A check
// that learned the CA certificates (a verified genm) writes them to status.caCertificates.
import { CONDITION_READY } from '../../api/certManager.js';
import { ISSUER_REASON, parseIssuerSpec, referencedSecrets, type CMPv2Issuer, type IssuerKind } from '../../api/cmpv2Issuer.js';
import { conditionUnchanged, findCondition, setCondition, type Condition } from '../../k8s/conditions.js';
import type { EventRecord } from '../../k8s/events.js';
import { failureDetails, PermanentError } from '../../signer/errors.js';
import { issuerSecretsNamespace, issuerView, type IssuerView } from '../../signer/issuerView.js';

/** What the shell knows of a referenced Secret: only which keys it has (never the values). */
export type SecretKeysLookup = (namespace: string, name: string) => readonly string[] | undefined;

/** `caCertificatesPem`: the self-signed certificates of a verified genm answer; undefined leaves status.caCertificates as it is. */
export type CheckOutcome = { ok: true; caCertificatesPem?: string } | { ok: false; error: unknown };

export interface IssuerReconcileInput {
  issuer: CMPv2Issuer;
  now: Date;
  /** Namespace of ClusterCMPv2Issuer Secrets (`--cluster-resource-namespace`). */
  clusterResourceNamespace: string;
  secretKeys: SecretKeysLookup;
  /** Re-check even when Ready for this generation (a referenced Secret changed). */
  force?: boolean;
  checkOutcome?: CheckOutcome;
}

export interface IssuerStatusPatch {
  conditions: Condition[];
  observedGeneration?: number;
  caCertificates?: string;
}

export type IssuerReconcileResult =
  | { action: 'ignore'; why: string }
  | { action: 'check'; view: IssuerView }
  | {
      action: 'update';
      status?: IssuerStatusPatch;
      events: EventRecord[];
      backoff?: boolean;
      outcome: 'checked' | 'pending' | 'failed';
    };

export function reconcileIssuer(input: IssuerReconcileInput): IssuerReconcileResult {
  const { issuer, now } = input;
  const generation = issuer.metadata.generation;
  const ready = findCondition(issuer.status?.conditions, CONDITION_READY);
  const observed = ready?.observedGeneration ?? issuer.status?.observedGeneration;

  const set = (
    status: 'True' | 'False',
    reason: string,
    message: string,
    outcome: 'checked' | 'pending' | 'failed',
    backoff = false,
    caCertificates?: string,
  ): IssuerReconcileResult => {
    const wanted = { type: CONDITION_READY, status, reason, message, observedGeneration: generation };
    const conditionSame = conditionUnchanged(issuer.status?.conditions, wanted) && issuer.status?.observedGeneration === generation;
    const rootsSame = caCertificates === undefined || caCertificates === issuer.status?.caCertificates;
    const patch: IssuerStatusPatch = { conditions: setCondition(issuer.status?.conditions, wanted, now), observedGeneration: generation };
    if (!rootsSame) patch.caCertificates = caCertificates;
    return {
      action: 'update',
      status: conditionSame && rootsSame ? undefined : patch,
      events: conditionSame ? [] : [{ type: status === 'True' ? 'Normal' : 'Warning', reason, message }],
      backoff,
      outcome,
    };
  };

  // 1. Done for this generation: Checked, or Failed on a spec that has not changed since.
  if (!input.force && !input.checkOutcome && observed === generation && ready) {
    if (ready.status === 'True') return { action: 'ignore', why: 'checked at this generation' };
    if (ready.reason === ISSUER_REASON.failed) return { action: 'ignore', why: 'failed at this generation; waits for a spec change' };
  }
  // 2. The spec: exactly one backend, every field valid. Failing here waits for a spec change.
  const parsed = parseIssuerSpec(issuer.spec);
  if (!parsed.ok) return set('False', ISSUER_REASON.failed, `Invalid spec: ${parsed.error}`, 'failed');
  // 3. Referenced Secrets and keys present. A Secret event requeues us (no backoff needed).
  const kind = (issuer.kind ?? 'CMPv2Issuer') as IssuerKind;
  const namespace = issuerSecretsNamespace(kind, issuer, input.clusterResourceNamespace);
  for (const ref of referencedSecrets(parsed.value)) {
    const keys = input.secretKeys(namespace, ref.name);
    if (keys === undefined) return set('False', ISSUER_REASON.pending, `Secret ${namespace}/${ref.name} (${ref.field}) not found`, 'pending');
    const missing = ref.keys.filter((k) => !keys.includes(k));
    if (missing.length > 0) {
      return set('False', ISSUER_REASON.pending, `Secret ${namespace}/${ref.name} (${ref.field}) has no key ${missing.join(', ')}`, 'pending');
    }
  }
  // 4. Probe the server.
  const outcome = input.checkOutcome;
  if (!outcome) {
    const view = issuerView({ issuer, kind, spec: parsed.value, clusterResourceNamespace: input.clusterResourceNamespace });
    return { action: 'check', view };
  }
  if (outcome.ok) return set('True', ISSUER_REASON.checked, 'The issuer is ready: its server answered the probe', 'checked', false, outcome.caCertificatesPem);
  const { message } = failureDetails(outcome.error);
  // A permanent problem (e.g. a CA that refuses our credentials) waits for a change; anything else retries.
  if (outcome.error instanceof PermanentError) return set('False', ISSUER_REASON.failed, `Check failed: ${message}`, 'failed');
  return set('False', ISSUER_REASON.pending, `Check failed, will retry: ${message}`, 'pending', true);
}
