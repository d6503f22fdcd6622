// PKIStatusInfo as text and as a decision (cf. OpenSSL cmp_status): what a reconcile loop and a
// user need to know about an answer.
import type { PKIBody } from './asn1/PKIBody.js';
import type { PKIStatusInfo } from './asn1/PKIStatusInfo.js';
import { type CmpRejection, CmpRejectedError } from './errors.js';

/** How an answer's status is handled: granted (take the certificate), waiting (poll), rejected (stop). */
export type StatusClass = 'granted' | 'waiting' | 'rejected';

/**
 * accepted, grantedWithMods and the warnings grant; waiting waits; rejection and anything else
 * rejects. keyUpdateWarning only answers a key update: in the answer to another request
 * (`answerType` ip or cp) it is a protocol violation, treated as a rejection (cf. OpenSSL).
 */
export function classifyStatus(info: PKIStatusInfo, answerType?: PKIBody['type']): StatusClass {
  switch (info.status) {
    case 'accepted':
    case 'grantedWithMods':
    case 'revocationWarning':
    case 'revocationNotification':
      return 'granted';
    case 'keyUpdateWarning':
      return answerType === undefined || answerType === 'kup' ? 'granted' : 'rejected';
    case 'waiting':
      return 'waiting';
    default:
      return 'rejected';
  }
}

/** One line: `rejection (badPOP, badRequest): "text"; "more"`. */
export function statusText(info: PKIStatusInfo, extraTexts: readonly string[] = []): string {
  const fail = info.failInfo?.length ? ` (${info.failInfo.join(', ')})` : '';
  const texts = [...(info.statusString ?? []), ...extraTexts].filter((t) => t.trim() !== '');
  const text = texts.length ? `: ${texts.map((t) => JSON.stringify(t.replace(/\s+/g, ' ').trim())).join('; ')}` : '';
  return `${info.status}${fail}${text}`;
}

/** True for answers that only say no: an error message, or a certificate response rejecting every request. */
export function isNegativeAnswer(body: PKIBody): boolean {
  if (body.type === 'error') return true;
  if (body.type === 'ip' || body.type === 'cp' || body.type === 'kup') {
    return body.content.response.length > 0 && body.content.response.every((r) => classifyStatus(r.status, body.type) === 'rejected');
  }
  return false;
}

/** The rejection an answer carries, for CmpRejectedError. */
export function rejectionOf(info: PKIStatusInfo, verified: boolean, details: { errorCode?: number; errorDetails?: string[] } = {}): CmpRejection {
  const rejection: CmpRejection = {
    status: info.status,
    statusString: [...(info.statusString ?? []), ...(details.errorDetails ?? [])],
    failInfo: [...(info.failInfo ?? [])],
    verified,
  };
  if (details.errorCode !== undefined) rejection.errorCode = details.errorCode;
  return rejection;
}

/** A CmpRejectedError with a one-line message naming the CA's text, marked when unverified. */
export function rejectedError(
  what: string,
  info: PKIStatusInfo,
  verified: boolean,
  details: { errorCode?: number; errorDetails?: string[]; unverifiedReason?: string } = {},
): CmpRejectedError {
  const unverified = verified ? '' : ` [unverified answer${details.unverifiedReason ? `: ${details.unverifiedReason}` : ''}]`;
  return new CmpRejectedError(`${what}: ${statusText(info, details.errorDetails)}${unverified}`, rejectionOf(info, verified, details));
}
