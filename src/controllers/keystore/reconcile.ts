// The keystore reconcile as a pure function: the opt-in (a Certificate's or the Secret's own
// annotations), the target Secret and what it references in; the patch to send, the Events to
// record and the outcome for the metrics out. The shell (controller.ts) does the reads and writes.
import type { EventRecord } from '../../k8s/events.js';
import type { MergePatch } from '../../k8s/status.js';
import type { Certificate } from '../../api/certManager.js';
import type { ConfigMap, Secret } from '../../k8s/meta.js';
import {
  BUILT_REASON,
  FAILURE_REASON,
  parseKeystoreRequest,
  TLS_SECRET_TYPE,
  type FailureReason,
  type KeystoreRequest,
} from '../../api/keystoreAnnotations.js';
import { computeDesired, type CertManagerFormat, type DesiredStores } from './desired.js';
import { storePatch } from './target.js';

/** Where the opt-in comes from: an annotated Certificate (target: spec.secretName) or the Secret itself. */
export type KeystoreSource = { kind: 'Certificate'; certificate: Certificate } | { kind: 'Secret'; secret: Secret };

export interface KeystoreReconcileInput {
  source: KeystoreSource;
  /** The target Secret, full content; undefined when it does not exist (yet). */
  target: Secret | undefined;
  secrets: ReadonlyMap<string, Secret | undefined>;
  configMaps: ReadonlyMap<string, ConfigMap | undefined>;
  newPassword: () => string;
}

export type KeystoreReconcileResult =
  /** Nothing to write: not opted in, no target or certificate yet, or the stores are current. */
  | { action: 'none'; outcome: 'waiting' | 'unchanged'; why: string; events: EventRecord[] }
  /** Nothing written, old stores stay; events say why. */
  | { action: 'fail'; outcome: 'failed'; reason: FailureReason; events: EventRecord[] }
  | { action: 'write'; outcome: 'built'; patch: MergePatch; desired: DesiredStores; events: EventRecord[] };

function annotationsOf(source: KeystoreSource): Record<string, string> | undefined {
  return source.kind === 'Certificate' ? source.certificate.metadata.annotations : source.secret.metadata.annotations;
}

/** Formats the Certificate asks cert-manager to create itself. */
export function certManagerFormats(certificate: Certificate): CertManagerFormat[] {
  const keystores = certificate.spec?.keystores;
  const formats: CertManagerFormat[] = [];
  if (keystores?.jks?.create === true) formats.push('jks');
  if (keystores?.pkcs12?.create === true) formats.push('pkcs12');
  return formats;
}

/** The parsed request, when the source opts in with valid annotations. */
export function requestOf(source: KeystoreSource): KeystoreRequest | undefined {
  const parsed = parseKeystoreRequest(annotationsOf(source));
  return parsed?.ok ? parsed.value : undefined;
}

export async function reconcileKeystore(input: KeystoreReconcileInput): Promise<KeystoreReconcileResult> {
  const { source, target } = input;
  // 1. The opt-in: absent → nothing to do; invalid → say which annotation and how to fix it.
  const parsed = parseKeystoreRequest(annotationsOf(source));
  if (!parsed) return { action: 'none', outcome: 'waiting', why: 'not opted in', events: [] };
  if (!parsed.ok) {
    return {
      action: 'fail',
      outcome: 'failed',
      reason: FAILURE_REASON.invalidAnnotations,
      events: [{ type: 'Warning', reason: FAILURE_REASON.invalidAnnotations, message: `${parsed.error}; no stores are written until it is fixed` }],
    };
  }
  // 2. The target: cert-manager creates it on first issuance; its Secret event requeues us.
  if (!target) return { action: 'none', outcome: 'waiting', why: 'the target Secret does not exist yet', events: [] };
  if (source.kind === 'Secret' && target.type !== TLS_SECRET_TYPE) {
    const message = `Secret ${target.metadata.namespace ?? ''}/${target.metadata.name ?? ''} has type ${target.type ?? '(none)'}; the keystore annotations work on ${TLS_SECRET_TYPE} Secrets (or annotate the Certificate that writes it)`;
    return {
      action: 'fail',
      outcome: 'failed',
      reason: FAILURE_REASON.notTlsSecret,
      events: [{ type: 'Warning', reason: FAILURE_REASON.notTlsSecret, message }],
    };
  }
  // 3. Compute the stores.
  const desired = await computeDesired({
    request: parsed.value,
    certManagerFormats: source.kind === 'Certificate' ? certManagerFormats(source.certificate) : [],
    target,
    secrets: input.secrets,
    configMaps: input.configMaps,
    newPassword: input.newPassword,
  });
  if (desired.status === 'waiting') return { action: 'none', outcome: 'waiting', why: desired.why, events: [] };
  if (desired.status === 'failed') {
    return {
      action: 'fail',
      outcome: 'failed',
      reason: desired.reason,
      events: [...desired.warnings, { type: 'Warning', reason: desired.reason, message: desired.message }],
    };
  }
  // 4. Write only what differs; an unchanged hash writes nothing.
  const patch = storePatch(target, desired);
  if (!patch) return { action: 'none', outcome: 'unchanged', why: 'the stores match their inputs (hash unchanged)', events: [] };
  const what = desired.formats.length > 0 ? `built ${desired.formats.join(', ')} stores` : 'no stores of its own to build';
  const removed = desired.remove.length > 0 ? `; removed ${desired.remove.join(', ')}` : '';
  const built: EventRecord = {
    type: 'Normal',
    reason: BUILT_REASON,
    message: `The operator ${what} in Secret ${target.metadata.namespace ?? ''}/${target.metadata.name ?? ''}${removed}`,
  };
  return { action: 'write', outcome: 'built', patch, desired, events: [...desired.warnings, built] };
}
