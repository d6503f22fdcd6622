// The ordered checks on every response (cf. OpenSSL cmp_vfy): protection, pvno, body type,
// transactionID, recipNonce. Each mismatch says what was expected and what arrived.
// A negative answer whose protection is missing or does not verify is reported (marked
// unverified) only when its transactionID and recipNonce are ours; one that does not match is
// ignored like noise on the wire: a CmpTransportError, so the caller retries (SPEC §3).
import { bodyTypeName, type PKIBodyName } from './asn1/PKIBody.js';
import { PVNO_CMP2000, PVNO_CMP2021 } from './asn1/PKIHeader.js';
import type { PKIMessage } from './asn1/PKIMessage.js';
import { CmpProtocolError, CmpTransportError } from './errors.js';
import { protectionType, type ProtectionTrust, verifyProtection } from './protection.js';
import { isNegativeAnswer } from './status.js';

export interface ResponseExpectation {
  /** Body types that answer the request; `error` is always accepted. */
  bodyTypes: readonly PKIBodyName[];
  transactionID: Uint8Array;
  /** The senderNonce of our request: the response's recipNonce must equal it. */
  senderNonce: Uint8Array;
  trust: ProtectionTrust;
}

export interface CheckedResponse {
  message: PKIMessage;
  /** False when a negative answer was accepted without (valid) protection. */
  verified: boolean;
  /** Why protection could not be verified, when `verified` is false. */
  unverifiedReason?: string;
}

const hex = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('hex') : '(absent)');
const equal = (a: Uint8Array | undefined, b: Uint8Array) => a !== undefined && Buffer.from(a).equals(Buffer.from(b));

/** Runs the checks in order; throws CmpProtocolError at the first failure (CmpTransportError for unverifiable noise). */
export function checkResponse(message: PKIMessage, expected: ResponseExpectation): CheckedResponse {
  const negative = isNegativeAnswer(message.body);
  let verified = true;
  let unverifiedReason: string | undefined;
  // 1. protection
  if (protectionType(message) === 'none') {
    if (!negative) throw new CmpProtocolError(`unprotected ${bodyTypeName(message.body)} answer refused (only negative answers may be unprotected)`);
    verified = false;
    unverifiedReason = 'the answer is not protected';
  } else {
    try {
      verifyProtection(message, expected.trust);
    } catch (err) {
      if (!negative || !(err instanceof CmpProtocolError)) throw err;
      verified = false;
      unverifiedReason = err.message;
    }
  }
  // 2. transactionID and recipNonce. An unverified negative answer that is not bound to our
  //    request could come from anyone on the path: it must not fail the request.
  const idMatches = equal(message.header.transactionID, expected.transactionID);
  const nonceMatches = equal(message.header.recipNonce, expected.senderNonce);
  if (!verified && (!idMatches || !nonceMatches)) {
    const what = !idMatches
      ? `transactionID ${hex(message.header.transactionID)} is not ours (${hex(expected.transactionID)})`
      : `recipNonce ${hex(message.header.recipNonce)} is not our senderNonce (${hex(expected.senderNonce)})`;
    throw new CmpTransportError(`ignored an unverified negative answer (${unverifiedReason}): its ${what}`);
  }
  // 3. pvno: cmp2000 or cmp2021
  if (message.header.pvno !== PVNO_CMP2000 && message.header.pvno !== PVNO_CMP2021) {
    throw new CmpProtocolError(`unexpected pvno: expected ${PVNO_CMP2000} or ${PVNO_CMP2021}, got ${message.header.pvno}`);
  }
  // 4. body type
  const type = bodyTypeName(message.body);
  if (type !== 'error' && !expected.bodyTypes.includes(type as PKIBodyName)) {
    throw new CmpProtocolError(`unexpected answer: expected ${expected.bodyTypes.join(' or ')}, got ${type}`);
  }
  if (!idMatches) {
    throw new CmpProtocolError(`transactionID mismatch: expected ${hex(expected.transactionID)}, got ${hex(message.header.transactionID)}`);
  }
  if (!nonceMatches) {
    throw new CmpProtocolError(`recipNonce mismatch: expected ${hex(expected.senderNonce)}, got ${hex(message.header.recipNonce)}`);
  }
  return { message, verified, ...(unverifiedReason ? { unverifiedReason } : {}) };
}
