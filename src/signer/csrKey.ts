// Whether the key in cert-manager's key Secret is still the one a request's CSR was made with.
// cert-manager at times re-issues at once and writes the next key into the same Secret; a request
// signed or sent with that key would be refused by the CA for good (badPOP), so signers check
// first and treat a mismatch as "retry" (the retry sees the request's replacement).
import { createPublicKey, type KeyObject } from 'node:crypto';

/** True when `key` is the private half of the SubjectPublicKeyInfo `spki` (both as node re-encodes them). */
export function isKeyOfSpki(key: KeyObject, spki: Uint8Array): boolean {
  const der = (k: KeyObject) => k.export({ format: 'der', type: 'spki' });
  try {
    return der(createPublicKey(key)).equals(der(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' })));
  } catch {
    return false;
  }
}

/** The retryable error of a key Secret that no longer holds the CSR's key; names the Secret, never the key. */
export function keyMovedError(where: string): Error {
  return new Error(`the private key in ${where} is not the one this request's CSR was made with (cert-manager is replacing it); will retry`);
}
