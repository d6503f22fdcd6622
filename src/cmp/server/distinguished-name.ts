// Small helpers for X.500 names as DER: building the CA's own names and printing any name.
import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const ATTRIBUTE_OID: Record<string, string> = { CN: '2.5.4.3', O: '2.5.4.10', OU: '2.5.4.11', C: '2.5.4.6' };

/** DER of a Name with one attribute per RDN, in the given order (most significant first). */
export function encodeName(attributes: Array<[keyof typeof ATTRIBUTE_OID, string]>): Uint8Array {
  // Built with asn1js directly: pkijs would put every attribute into one multi-valued RDN.
  const name = new asn1js.Sequence({
    value: attributes.map(
      ([type, value]) =>
        new asn1js.Set({
          value: [
            new pkijs.AttributeTypeAndValue({
              type: ATTRIBUTE_OID[type],
              // Country is a PrintableString by definition; the rest UTF8String (RFC 5280 §4.1.2.4).
              value: type === 'C' ? new asn1js.PrintableString({ value }) : new asn1js.Utf8String({ value }),
            }).toSchema(),
          ],
        }),
    ),
  });
  return new Uint8Array(name.toBER());
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

/** True when two Name DERs are equal octet for octet (our names are always our own encoding). */
export function sameName(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

/** One-line text of a certificate's subject, for messages and logs. */
export function subjectText(certificate: Uint8Array): string {
  return new X509Certificate(certificate).subject.replace(/\n/g, ', ');
}
