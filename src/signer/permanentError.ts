// Returned by a signer when retrying cannot help (the CA rejected the request, its answer
// failed a check): the request becomes Failed with this message and is never retried.

export class PermanentError extends Error {
  override readonly name = 'PermanentError';
}
