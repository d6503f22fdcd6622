// The ordered checks on every response (cf. OpenSSL cmp_vfy): protection (unprotected or
// unverifiable only for negative answers, which are then marked unverified), pvno, body type,
// transactionID, recipNonce. Each mismatch says what was expected and what arrived.
import { bodyTypeName, type PKIBodyName } from './asn1/PKIBody.js';
import { PVNO_CMP2000 } from './asn1/PKIHeader.js';
import type { PKIMessage } from './asn1/PKIMessage.js';
import { CmpProtocolError } from './errors.js';
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

/** Runs the checks in order; throws CmpProtocolError at the first failure. */
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
  // 2. pvno
  if (message.header.pvno !== PVNO_CMP2000) {
    throw new CmpProtocolError(`unexpected pvno: expected ${PVNO_CMP2000}, got ${message.header.pvno}`);
  }
  // 3. body type
  const type = bodyTypeName(message.body);
  if (type !== 'error' && !expected.bodyTypes.includes(type as PKIBodyName)) {
    throw new CmpProtocolError(`unexpected answer: expected ${expected.bodyTypes.join(' or ')}, got ${type}`);
  }
  // 4. transactionID — a negative answer that left it out (e.g. the CA could not parse our request)
  //    is still reported, unverified; a different value never passes.
  if (negative && message.header.transactionID === undefined) {
    verified = false;
    unverifiedReason ??= 'the answer carries no transactionID';
  } else if (!equal(message.header.transactionID, expected.transactionID)) {
    throw new CmpProtocolError(`transactionID mismatch: expected ${hex(expected.transactionID)}, got ${hex(message.header.transactionID)}`);
  }
  // 5. recipNonce = our senderNonce (same exception as above)
  if (negative && message.header.recipNonce === undefined) {
    verified = false;
    unverifiedReason ??= 'the answer carries no recipNonce';
  } else if (!equal(message.header.recipNonce, expected.senderNonce)) {
    throw new CmpProtocolError(`recipNonce mismatch: expected ${hex(expected.senderNonce)}, got ${hex(message.header.recipNonce)}`);
  }
  return { message, verified, ...(unverifiedReason ? { unverifiedReason } : {}) };
}
