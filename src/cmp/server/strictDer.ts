// CMP messages are DER (RFC 9810 §5). asn1js also reads BER and tolerates some inconsistent
// lengths, so a damaged message can decode to the same content as an intact one; the server
// accepts a request only when re-encoding what was read gives back exactly the bytes received.
import { parseDer, toDer } from '../asn1/der.js';
import { sameBytes } from '../certificates.js';

/** True when `bytes` is one DER element that re-encodes to itself. */
export function isCanonicalDer(bytes: Uint8Array): boolean {
  try {
    return sameBytes(toDer(parseDer(bytes, 'request')), bytes);
  } catch {
    return false;
  }
}
