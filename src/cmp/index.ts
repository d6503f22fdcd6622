/**
 * The CMP library (RFC 9810 CMPv2, RFC 4211 CRMF, RFC 9811 HTTP transfer): no Kubernetes code.
 *
 * Layers, bottom up:
 * - `asn1/*`       one file per CMP/CRMF type: `encodeX(value) → asn1js node`, `decodeX(node) → value`.
 *                  `decodePKIMessage(bytes)` throws only {@link CmpDecodeError} and keeps the received
 *                  header/body DER (`message.received`) so protection is checked over the exact bytes.
 *                  `encodePKIMessage(message)` gives DER.
 * - `header.ts`    {@link buildHeader} (pvno 2, NULL-DN defaults, messageTime, implicitConfirm), nonces.
 * - `messages.ts`  one builder per body: {@link buildCertReqMsg} (signature POP over DER(CertRequest)),
 *                  p10crBody, certConfBody, pollReqBody, genmCaCertsBody, and for servers
 *                  certResponseBody/issuedCertResponse, pollRepBody, genpCaCertsBody, pkiconfBody, errorBody;
 *                  {@link verifySignaturePop} for a CA checking a POP.
 * - `pbm.ts`       password-based MAC with iteration bounds 100..100 000.
 * - `protection.ts` {@link protectMessage} (PBM or signature: sender = signer subject, senderKID = SKI,
 *                  signer + chain in extraCerts) and {@link verifyProtection} (secret or trust anchors).
 * - `csr.ts`       CSR parsing/verification and {@link certTemplateFromCsr}.
 * - `verify.ts`    {@link checkResponse}: the ordered checks on every answer; `status.ts` texts/classes.
 * - `transport.ts` {@link CmpTransport} and {@link HttpTransport} (HTTP/HTTPS, mTLS, timeout, size cap).
 * - `client.ts`    {@link CmpClient}: `enroll()` (blocking, polls), `startEnrollment()`/`continueEnrollment()`
 *                  (non-blocking steps with a serializable {@link CmpTransactionState}), `getCaCertificates()`.
 *
 * A server answers a request like this:
 * ```ts
 * const req = decodePKIMessage(bytes);                 // CmpDecodeError → answer an error message
 * verifyProtection(req, { secret });                   // CmpProtocolError → error with badMessageCheck
 * const header = buildHeader({ transactionID: req.header.transactionID!, senderNonce: newNonce(),
 *                              recipNonce: req.header.senderNonce, recipient: req.header.sender });
 * const rsp = protectMessage({ header, body: certResponseBody('ip', { caPubs, response: [...] }),
 *                              extraCerts: [intermediate] }, { type: 'pbm', secret });
 * return encodePKIMessage(rsp);
 * ```
 */
export * from './errors.js';
export * from './asn1/der.js';
export * from './asn1/PKIFreeText.js';
export * from './asn1/PKIStatusInfo.js';
export * from './asn1/InfoTypeAndValue.js';
export * from './asn1/AttributeTypeAndValue.js';
export * from './asn1/CertId.js';
export * from './asn1/CertTemplate.js';
export * from './asn1/ProofOfPossession.js';
export * from './asn1/CertRequest.js';
export * from './asn1/CertReqMessages.js';
export * from './asn1/CertRepMessage.js';
export * from './asn1/CertConfirmContent.js';
export * from './asn1/PollContent.js';
export * from './asn1/ErrorMsgContent.js';
export * from './asn1/PBMParameter.js';
export * from './asn1/PKIHeader.js';
export * from './asn1/PKIBody.js';
export * from './asn1/PKIMessage.js';
export * from './header.js';
export * from './messages.js';
export * from './pbm.js';
export * from './signature.js';
export * from './chain.js';
export * from './certificates.js';
export * from './protection.js';
export * from './csr.js';
export * from './names.js';
export * from './transport.js';
export * from './status.js';
export * from './verify.js';
export * from './result.js';
export * from './client.js';
