// The native CMP backend behind the Signer contract: the message from enrollmentRequest.ts, a
// client from issuerClient.ts, one step of the exchange (the shutdown signal reaches the
// transport), and every outcome mapped onto the errors of ../errors.ts with the CMP error as
// the cause:
//   issued → chain + roots (SPEC §3: the library's rule, the issuer's genm roots, extraCerts
//   roots only with trustExtraCertsRoots, each named); waiting → PendingError (checkAfter, transaction state to resume);
//   CA rejection, failed response checks → PermanentError; transport trouble → plain Error
//   (retried with backoff until the max-retry duration); issuer Secrets missing → IssuerError.
import { cmpTransactionStateSchema, type CmpTransactionState, type EnrollmentRequest, type EnrollmentStep } from '../../cmp/client.js';
import { CmpDecodeError, CmpProtocolError, CmpRejectedError, CmpTransportError } from '../../cmp/errors.js';
import { HttpTransport, type CmpTransport, type HttpTransportOptions } from '../../cmp/transport.js';
import type { CmpSpec } from '../../api/cmpv2Issuer.js';
import { isSelfSigned, readX509 } from '../../cmp/certificates.js';
import { subjectLine } from '../../pki/certificate.js';
import { formatDuration } from '../../k8s/duration.js';
import { parseCertificateBundle, toPem } from '../../pki/pem.js';
import { IssuerError, PendingError, PermanentError } from '../errors.js';
import type { IssuerView } from '../issuerView.js';
import type { RequestView } from '../requestView.js';
import type { SecretSource } from '../secretSource.js';
import type { IssuerCheckResult, SignedCertificate, Signer, SignHooks, TransactionIntent } from '../signer.js';
import { enrollmentRequest } from './enrollmentRequest.js';
import { issuerCmpClient, type IssuerClientDeps } from './issuerClient.js';

/** Builds the transport for an issuer's endpoint; default HTTP(S). */
export type CmpTransportFactory = (options: HttpTransportOptions) => CmpTransport;

export interface CmpSignerOptions {
  secrets: SecretSource;
  /** Default HTTP(S); the operator wraps it to time exchanges, tests connect an in-process CA. */
  transport?: CmpTransportFactory;
}

const isCmpError = (err: unknown): err is CmpDecodeError | CmpProtocolError | CmpRejectedError | CmpTransportError =>
  err instanceof CmpDecodeError || err instanceof CmpProtocolError || err instanceof CmpRejectedError || err instanceof CmpTransportError;

/**
 * Maps a CMP library error onto the signer contract, the library error kept as `cause`; anything
 * else is returned as it is. The CA's refusal keeps its own words (statusString, failInfo names,
 * the unverified mark); otherwise the library's `retryable` decides: only transport trouble is
 * worth retrying, a decode or protocol failure is permanent.
 */
export function cmpSignerError(err: unknown): unknown {
  if (!isCmpError(err)) return err;
  if (err instanceof CmpRejectedError) return new PermanentError(err.message, { cause: err });
  if (err.retryable) return new Error(`cannot reach the CMP server: ${err.message}`, { cause: err });
  return new PermanentError(`the CA's answer failed a check: ${err.message}`, { cause: err });
}

export class CmpSigner implements Signer {
  private readonly deps: IssuerClientDeps;

  constructor(options: CmpSignerOptions) {
    this.deps = { secrets: options.secrets, transport: options.transport ?? ((o) => new HttpTransport(o)) };
  }

  async sign(view: RequestView, issuer: IssuerView, signal?: AbortSignal, hooks: SignHooks = {}): Promise<SignedCertificate> {
    const spec = this.cmpSpec(issuer);
    const { request, notes: requestNotes } = await enrollmentRequest(view, spec, this.deps.secrets);
    const resume = this.resumable(view.resumeState, request.type);
    const sending: { intent?: TransactionIntent } = {};
    const answered = hooks.answered;
    const deps: IssuerClientDeps = answered
      ? { ...this.deps, transport: (options) => firstAnswerObserved(this.deps.transport(options), () => answered(sending.intent!)) }
      : this.deps;
    const client = await issuerCmpClient(spec, issuer.secretsNamespace, deps, knownRoots(issuer));
    // The transaction is fixed (and recorded by the caller) before anything reaches the CA.
    const planned = resume ? undefined : client.planTransaction(request.type);
    sending.intent = resume ? { kind: 'poll', transaction: JSON.stringify(resume) } : { kind: 'request', transaction: JSON.stringify(planned) };
    await hooks.beforeSend?.(sending.intent);
    let step: EnrollmentStep;
    try {
      step = resume ? await client.continueEnrollment(request, resume, signal) : await client.startEnrollment(request, signal, planned);
    } catch (err) {
      throw cmpSignerError(err);
    }
    switch (step.status) {
      case 'issued': {
        const { chain, trustedRoots, extraRoots, warnings } = step.result;
        const roots = spec.trustExtraCertsRoots ? [...trustedRoots, ...extraRoots] : trustedRoots;
        const notes: NonNullable<SignedCertificate['notes']> = [
          ...requestNotes,
          ...warnings.map((message) => ({ type: 'Warning' as const, reason: 'CaPubsSkipped', message })),
          ...durationNotes(view, request, chain[0]),
        ];
        if (spec.trustExtraCertsRoots && extraRoots.length > 0) {
          const names = extraRoots.map((der) => JSON.stringify(describe(der))).join(', ');
          notes.push({
            type: 'Normal',
            reason: 'ExtraCertsRoots',
            message: `Trusted root(s) taken from the response's extraCerts (spec.cmp.trustExtraCertsRoots): ${names}`,
          });
        }
        return {
          chainPem: chain.map((der) => toPem('CERTIFICATE', der)).join(''),
          caPem: roots.map((der) => toPem('CERTIFICATE', der)).join(''),
          ...(notes.length > 0 ? { notes } : {}),
        };
      }
      case 'waiting': {
        const why = step.reason.length > 0 ? `: ${step.reason.join('; ')}` : '';
        throw new PendingError(
          `the CA is processing the request (checkAfter ${step.checkAfterSeconds}s)${why}`,
          step.checkAfterSeconds * 1000,
          JSON.stringify(step.state),
        );
      }
      case 'rejected':
        throw cmpSignerError(step.error);
    }
  }

  /**
   * genm for the CA certificates: the self-signed ones of a verified answer are returned for the
   * issuer's status.caCertificates (SPEC §2). A CA that refuses genm but answers CMP is
   * reachable, which is enough; the roots then come from the certificate answers alone.
   */
  async check(issuer: IssuerView, signal?: AbortSignal): Promise<IssuerCheckResult> {
    const spec = this.cmpSpec(issuer);
    const client = await issuerCmpClient(spec, issuer.secretsNamespace, this.deps);
    try {
      const { certificates, verified } = await client.getCaCertificatesChecked(signal);
      const roots = verified ? certificates.filter((der) => isSelfSigned(der)) : [];
      return { caCertificatesPem: roots.map((der) => toPem('CERTIFICATE', der)).join('') };
    } catch (err) {
      if (err instanceof CmpRejectedError) {
        // Our credentials refused: retrying will not help until the Secret changes.
        if (err.rejection.failInfo.includes('badMessageCheck'))
          throw new PermanentError(`the CA refused our message protection: ${err.message}`, { cause: err });
        return {};
      }
      throw cmpSignerError(err);
    }
  }

  /** The issuer's signing backend. */
  private cmpSpec(issuer: IssuerView): CmpSpec {
    if (issuer.spec.backend !== 'cmp') throw new IssuerError(`${issuer.kind} ${issuer.name} is not a CMP issuer`);
    return issuer.spec.cmp;
  }

  /** A saved transaction of the same message type, or undefined: an unusable annotation starts afresh. */
  private resumable(state: string | undefined, type: EnrollmentRequest['type']): CmpTransactionState | undefined {
    if (!state) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(state);
    } catch {
      return undefined;
    }
    const parsed = cmpTransactionStateSchema.safeParse(json);
    return parsed.success && parsed.data.type === type ? parsed.data : undefined;
  }
}

/** `transport`, calling `observe` once when the first answer has arrived, before the client reads it. */
function firstAnswerObserved(transport: CmpTransport, observe: () => Promise<void>): CmpTransport {
  let first = true;
  return {
    async send(message, signal) {
      const answer = await transport.send(message, signal);
      if (first) {
        first = false;
        await observe();
      }
      return answer;
    },
    close: () => transport.close?.(),
  };
}

/** The self-signed certificates of the issuer's status.caCertificates, DER; an unreadable status gives none. */
function knownRoots(issuer: IssuerView): Uint8Array[] {
  if (!issuer.caCertificatesPem) return [];
  const { certificates } = parseCertificateBundle(issuer.caCertificatesPem);
  return certificates.map((der) => new Uint8Array(der)).filter((der) => isSelfSigned(der));
}

/** Allowed difference between the asked and the issued lifetime (whole-second encodings, clock steps). */
const LIFETIME_SLACK_MS = 30_000;

/** A Warning when the CA issued another lifetime than the spec.duration sent in the template. */
function durationNotes(view: RequestView, request: EnrollmentRequest, leaf: Uint8Array | undefined): NonNullable<SignedCertificate['notes']> {
  const asked = request.type === 'p10cr' ? undefined : request.validity;
  const cert = leaf ? readX509(leaf) : undefined;
  if (!asked?.notBefore || !asked.notAfter || !cert) return [];
  const askedMs = asked.notAfter.getTime() - asked.notBefore.getTime();
  const issuedMs = Date.parse(cert.validTo) - Date.parse(cert.validFrom);
  if (Math.abs(issuedMs - askedMs) <= LIFETIME_SLACK_MS) return [];
  return [
    {
      type: 'Warning',
      reason: 'DurationNotHonoured',
      message: `spec.duration ${view.duration ?? formatDuration(askedMs)} was asked but the CA issued a certificate valid for ${formatDuration(issuedMs)} (${cert.validFrom} to ${cert.validTo})`,
    },
  ];
}

/** A certificate's subject for an Event. */
function describe(der: Uint8Array): string {
  const cert = readX509(der);
  return cert ? subjectLine(cert) : '(unreadable certificate)';
}
