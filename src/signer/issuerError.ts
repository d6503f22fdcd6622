// Returned by a signer when the fault lies with the issuer, not the request (a referenced
// Secret vanished, credentials refused): the request waits as Pending and the issuer is
// checked again, so its own status shows the problem.

export class IssuerError extends Error {
  override readonly name = 'IssuerError';
}
