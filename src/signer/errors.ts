// The typed errors of the signer contract (issuer-lib's err_*.go), each saying who may return it
// and what the CertificateRequest controller does with it; anything else a signer throws is
// retried with backoff until the max-retry duration. Every one takes the ES2022 `{ cause }`
// option: a backend wraps its own error instead of rebuilding it from text, so the CA's answer
// (CmpRejectedError.rejection) reaches the controller. `failureDetails` reads that chain.
import { CmpRejectedError, CmpTransportError } from '../cmp/errors.js';
import { CertServiceHttpError } from './certservice/errors.js';

/**
 * The CA has not finished (CMP `waiting`): the request stays Pending and is asked again after
 * `retryAfterMs`. `resumeState` is what the signer needs to continue the same transaction later
 * (saved on the CertificateRequest, survives restarts).
 */
export class PendingError extends Error {
  override readonly name = 'PendingError';

  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly resumeState?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Retrying cannot help (the CA rejected the request, its answer failed a check): the request
 * becomes Failed with this message and is never retried.
 */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
}

/**
 * The fault lies with the issuer, not the request (a referenced Secret vanished, credentials
 * refused): the request waits as Pending and the issuer is checked again, so its own status
 * shows the problem.
 */
export class IssuerError extends Error {
  override readonly name = 'IssuerError';
}

/** A signer failure as the CertificateRequest's condition reports it. */
export interface FailureDetails {
  /** The condition message: the error's own message, naming the CA's failInfo and an unverified answer. */
  message: string;
  /** failInfo bit names of the CA's rejection, e.g. `badPOP`; absent when no CA rejection is in the chain. */
  failInfo?: string[];
  /** statusString texts of the CA's rejection. */
  statusString?: string[];
  /** False when the CA's negative answer could not be verified (e.g. it did not know our secret). */
  verified?: boolean;
}

/** The first CmpRejectedError in `err`'s cause chain (the error itself included). */
function rejectionIn(err: unknown): CmpRejectedError | undefined {
  const seen = new Set<unknown>();
  for (let e = err; e instanceof Error && !seen.has(e); e = e.cause) {
    if (e instanceof CmpRejectedError) return e;
    seen.add(e);
  }
  return undefined;
}

/**
 * Describes a signer failure for the CertificateRequest's condition (SPEC §3: the message carries
 * the CA's statusString and failInfo names; an unverified answer is marked). The facts come from
 * the cause chain, not from the text; the CMP messages already name them, so they are kept as
 * they are and only what they lack is appended.
 */
export function failureDetails(err: unknown): FailureDetails {
  let message = err instanceof Error ? err.message : String(err);
  const rejected = rejectionIn(err);
  if (!rejected) return { message };
  const { failInfo, statusString, verified } = rejected.rejection;
  const unnamed = failInfo.filter((name) => !message.includes(name));
  if (unnamed.length > 0) message += ` (failInfo: ${unnamed.join(', ')})`;
  if (!verified && !message.includes('unverified')) message += ' [unverified answer]';
  return { message, failInfo: [...failInfo], statusString: [...statusString], verified };
}

/**
 * Whether a failed exchange may have reached the CA with its answer lost (SPEC §3, enrolled once):
 * only an error that proves otherwise says no — a CMP transport error that knows the request
 * never left or was refused at the HTTP level, or any HTTP answer of CertService. Anything else
 * (a timeout after sending, an unknown error) may hide an enrolment.
 */
export function answerMayBeLost(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e = err; e instanceof Error && !seen.has(e); e = e.cause) {
    if (e instanceof CmpTransportError) return e.answerLost;
    if (e instanceof CertServiceHttpError) return false;
    seen.add(e);
  }
  return true;
}
