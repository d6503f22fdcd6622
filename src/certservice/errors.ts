// The answers CertService gives when it cannot sign, as typed errors: each carries the HTTP status
// and the `errorMessage` text of ONAP CertService's CertificationExceptionAdvice, word for word, so
// clients that match on them keep working. The cause stays attached for the log, never for the client.

/** One failed request: the status and the `errorMessage` the client receives. */
export class CertServiceAnswerError extends Error {
  override readonly name = 'CertServiceAnswerError';
  readonly status: number;
  /** Short outcome label for metrics and logs (`bad_csr`, `unknown_ca`, …). */
  readonly outcome: string;
  constructor(status: number, errorMessage: string, outcome: string, options?: { cause?: unknown }) {
    super(errorMessage, options);
    this.status = status;
    this.outcome = outcome;
  }
}

export const CSR_FORMAT_TEXT = 'Wrong certificate signing request (CSR) format';
export const KEY_FORMAT_TEXT = 'Wrong key (PK) format';
export const CERTIFICATE_FORMAT_TEXT = 'Wrong certificate format';
export const CA_NOT_FOUND_TEXT = 'Certification authority not found for given CAName';
export const CMP_SERVER_ERROR_PREFIX = 'CMPv2 server returned following error: ';
export const CMP_CLIENT_ERROR_PREFIX = 'Exception occurred during call to cmp client: ';

/** 400: the CSR header is missing, not base64 of a PEM CSR, or its signature does not verify. */
export const csrFormatError = (cause?: unknown) => new CertServiceAnswerError(400, CSR_FORMAT_TEXT, 'bad_csr', { cause });
/** 400: PK / OLD_PK missing, not a PKCS#8 body, an unsupported key, or not the key of the CSR / old certificate. */
export const keyFormatError = (cause?: unknown) => new CertServiceAnswerError(400, KEY_FORMAT_TEXT, 'bad_key', { cause });
/** 400: OLD_CERT missing or not base64 of a PEM certificate. */
export const certificateFormatError = (cause?: unknown) => new CertServiceAnswerError(400, CERTIFICATE_FORMAT_TEXT, 'bad_certificate', { cause });
/** 404: no server with this caName in the configuration. */
export const caNotFoundError = () => new CertServiceAnswerError(404, CA_NOT_FOUND_TEXT, 'unknown_ca');
/** 500: the CA answered with a rejection or an error message (its statusString and failInfo). */
export const cmpServerError = (text: string, cause?: unknown) => new CertServiceAnswerError(500, CMP_SERVER_ERROR_PREFIX + text, 'ca_rejected', { cause });
/** 500: the CA could not be reached, timed out, or answered something we must not accept. */
export const cmpClientError = (text: string, cause?: unknown) => new CertServiceAnswerError(500, CMP_CLIENT_ERROR_PREFIX + text, 'cmp_error', { cause });
/** 503: no usable configuration is loaded (the reason is the config problem). */
export const notReadyError = (reason: string) => new CertServiceAnswerError(503, reason, 'not_ready');
/** 503: more requests are waiting than the server takes. */
export const overloadedError = () => new CertServiceAnswerError(503, 'Too many certification requests in progress; retry later', 'overloaded');
