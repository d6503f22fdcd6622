// X.500 names as DER for the development CA: building its own names (with the attribute table
// and encoding of ../names.ts) and reading the names of a certificate.
import * as pkijs from 'pkijs';
import { ATTRIBUTE_OIDS, encodeNameDer, type AttributeShortName } from '../names.js';

/** DER of a Name with one attribute per RDN, in the given order (most significant first). */
export function encodeName(attributes: Array<[AttributeShortName, string]>): Uint8Array {
  // One RDN per attribute: pkijs would put every attribute into one multi-valued RDN.
  return encodeNameDer(attributes.map(([type, value]) => [ATTRIBUTE_OIDS[type], value] as const));
}

/** The subject Name of a certificate, as DER exactly as it appears in the certificate. */
export function subjectNameOf(certificate: Uint8Array): Uint8Array {
  const parsed = pkijs.Certificate.fromBER(certificate);
  return new Uint8Array(parsed.subject.toSchema().toBER());
}

/** The issuer Name of a certificate, as DER. */
export function issuerNameOf(certificate: Uint8Array): Uint8Array {
  const parsed = pkijs.Certificate.fromBER(certificate);
  return new Uint8Array(parsed.issuer.toSchema().toBER());
}
