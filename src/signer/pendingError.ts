// Returned by a signer when the CA has not finished (CMP `waiting`): the request stays
// Pending and is asked again after `retryAfterMs`. `resumeState` is what the signer needs to
// continue the same transaction later (saved on the CertificateRequest, survives restarts).

export class PendingError extends Error {
  override readonly name = 'PendingError';

  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly resumeState?: string,
  ) {
    super(message);
  }
}
