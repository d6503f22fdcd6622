// What can go wrong talking to CertService, as the REST client reports it; the signer maps
// these onto the issuer-lib errors (signer.ts `certServiceSignerError`, which keeps them as `cause`).

/** The server answered with a status other than 200; `errorMessage` is its own text, if it gave one. */
export class CertServiceHttpError extends Error {
  override readonly name = 'CertServiceHttpError';

  constructor(
    readonly status: number,
    readonly errorMessage: string | undefined,
    path: string,
  ) {
    super(`CertService answered HTTP ${status} on ${path}${errorMessage ? `: ${errorMessage}` : ' without an errorMessage'}`);
  }
}

/** No usable answer arrived: connection refused or reset, TLS handshake refused, timeout. */
export class CertServiceTransportError extends Error {
  override readonly name = 'CertServiceTransportError';
}

/** A 200 answer that is not what CertService sends (not JSON, wrong shape, unreadable certificates, too big). */
export class CertServiceResponseError extends Error {
  override readonly name = 'CertServiceResponseError';
}
