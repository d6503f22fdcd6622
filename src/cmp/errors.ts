// Typed errors of the CMP library. Each says who raises it and whether retrying can help:
// CmpDecodeError (bytes are not a CMP message), CmpProtocolError (a well-formed answer we must not
// accept), CmpRejectedError (the CA said no), CmpTransportError (could not talk; retry), and its
// CmpContentTypeError (a 200 answer that is not application/pkixcmp); CmpEncryptedCertificateError
// (a CmpProtocolError: an encrypted certificate we cannot decrypt).

/** Bytes that are not a valid encoding of the expected CMP/CRMF structure. Never retryable. */
export class CmpDecodeError extends Error {
  override readonly name = 'CmpDecodeError';
  readonly retryable = false;
  constructor(message: string) {
    super(message);
  }
}

/**
 * A response that breaks the protocol: bad or missing protection, a nonce or transactionID that
 * does not match, an unexpected body type, a certificate for another key. Permanent.
 */
export class CmpProtocolError extends Error {
  override readonly name = 'CmpProtocolError';
  readonly retryable = false;
  constructor(message: string) {
    super(message);
  }
}

/** Why an encrypted certificate could not be read: no key (p10cr), an algorithm or form we do not support, or decryption failed. */
export type EncryptedCertificateFailure = 'noPrivateKey' | 'unsupported' | 'undecryptable';

/** The CA returned the certificate encrypted (RFC 9810 §5.2.2, indirect POP) and we cannot decrypt it. Permanent. */
export class CmpEncryptedCertificateError extends CmpProtocolError {
  readonly failure: EncryptedCertificateFailure;
  constructor(message: string, failure: EncryptedCertificateFailure) {
    super(message);
    this.failure = failure;
  }
}

/** Details of a CA's negative answer, as carried by PKIStatusInfo. */
export interface CmpRejection {
  /** PKIStatus name, e.g. `rejection`. */
  status: string;
  /** statusString texts from the CA (and errorDetails of an error message). */
  statusString: string[];
  /** failInfo bit names, e.g. `badPOP`. */
  failInfo: string[];
  /** errorCode of an error message, when present. */
  errorCode?: number;
  /** False when the answer's protection could not be verified (e.g. the CA did not know our secret). */
  verified: boolean;
}

/** The CA refused (PKIStatus rejection, an error message, …). Permanent: retrying gives the same answer. */
export class CmpRejectedError extends Error {
  override readonly name = 'CmpRejectedError';
  readonly retryable = false;
  readonly rejection: CmpRejection;
  constructor(message: string, rejection: CmpRejection) {
    super(message);
    this.rejection = rejection;
  }
}

/** The CA could not be reached or answered at the HTTP level (timeout, 5xx, reset). Retryable. */
export class CmpTransportError extends Error {
  override readonly name = 'CmpTransportError';
  readonly retryable = true;
  /** HTTP status when the server answered, otherwise undefined. */
  readonly httpStatus?: number;
  /**
   * True when the whole request went out and no HTTP answer came back (a timeout or a reset after
   * sending, a 200 answer cut short): the CA may have acted on it and its answer is lost. False
   * when the request never left (refused connection, TLS failure) or the server refused it at the
   * HTTP level: nothing was enrolled, so a new transaction cannot double an enrolment.
   */
  readonly answerLost: boolean;
  constructor(message: string, httpStatus?: number, options: { answerLost?: boolean } = {}) {
    super(message);
    this.httpStatus = httpStatus;
    this.answerLost = options.answerLost ?? false;
  }
}

/**
 * An HTTP 200 answer not labelled `application/pkixcmp` (RFC 6712 §3.4; OpenSSL: "unexpected/missing
 * content type"): it is not read as CMP. A transport error (retryable: often a proxy or a wrong URL).
 */
export class CmpContentTypeError extends CmpTransportError {
  /** The Content-Type received (media type only, lower case); undefined when there was none. */
  readonly contentType?: string;
  constructor(message: string, contentType: string | undefined) {
    super(message, 200);
    this.contentType = contentType;
  }
}
