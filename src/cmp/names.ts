// Distinguished names as text ⇄ pkijs RelativeDistinguishedNames. Accepts OpenSSL's "/CN=a/O=b" and
// RFC 4514's "CN=a,O=b" (most significant first as written by people, e.g. "CN=x,O=y"). The one
// table of attribute short names, also used for the development CA's own names (server/).
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** Attribute types by the short names people write (OpenSSL's and RFC 4514's), upper case. */
export const ATTRIBUTE_OIDS = {
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  SERIALNUMBER: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  STREET: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  TITLE: '2.5.4.12',
  GIVENNAME: '2.5.4.42',
  DC: '0.9.2342.19200300.100.1.25',
  UID: '0.9.2342.19200300.100.1.1',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
} as const satisfies Record<string, string>;
export type AttributeShortName = keyof typeof ATTRIBUTE_OIDS;
const OID_BY_NAME: Readonly<Record<string, string>> = ATTRIBUTE_OIDS;
const SHORT_NAMES = new Map<string, string>(Object.entries(ATTRIBUTE_OIDS).map(([k, v]) => [v, k]));

function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else if (ch === separator) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/** Parses a DN; throws an Error naming the part it cannot read. The empty string is the NULL-DN. */
export function parseDistinguishedName(text: string): pkijs.RelativeDistinguishedNames {
  const trimmed = text.trim();
  const rdns: asn1js.Set[] = [];
  if (trimmed === '' || trimmed === '/') return nameFromRdns(rdns);
  const parts = trimmed.startsWith('/') ? splitUnescaped(trimmed.slice(1), '/') : splitUnescaped(trimmed, ',');
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`cannot read distinguished name part "${part}" (expected TYPE=value)`);
    const type = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    const oid = OID_BY_NAME[type.toUpperCase()] ?? (/^\d+(\.\d+)+$/.test(type) ? type : undefined);
    if (!oid) throw new Error(`unknown attribute type "${type}" in distinguished name`);
    rdns.push(singleAttributeRdn(oid, value));
  }
  return nameFromRdns(rdns);
}

/** An RDN of one attribute: Country is PrintableString (RFC 5280), email and DC IA5String, the rest UTF8String. */
function singleAttributeRdn(oid: string, value: string): asn1js.Set {
  const asn =
    oid === '2.5.4.6'
      ? new asn1js.PrintableString({ value })
      : oid === '1.2.840.113549.1.9.1' || oid === '0.9.2342.19200300.100.1.25'
        ? new asn1js.IA5String({ value })
        : new asn1js.Utf8String({ value });
  return new asn1js.Set({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), asn] })] });
}

/** DER of a Name with one attribute per RDN, in the given order (most significant first). */
export function encodeNameDer(attributes: ReadonlyArray<readonly [oid: string, value: string]>): Uint8Array {
  return new Uint8Array(new asn1js.Sequence({ value: attributes.map(([oid, value]) => singleAttributeRdn(oid, value)) }).toBER(false));
}

// pkijs encodes a RelativeDistinguishedNames it built itself as ONE multi-valued RDN (and the empty
// name as 30 02 31 00); a name parsed from DER re-encodes exactly. So names are always made from DER.
function nameFromRdns(rdns: asn1js.Set[]): pkijs.RelativeDistinguishedNames {
  return pkijs.RelativeDistinguishedNames.fromBER(new asn1js.Sequence({ value: rdns }).toBER(false));
}

/** The NULL-DN (an empty RDNSequence, DER 30 00). */
export function nullDistinguishedName(): pkijs.RelativeDistinguishedNames {
  return nameFromRdns([]);
}

/** Formats a name as "CN=a, O=b" for messages. */
export function formatDistinguishedName(name: pkijs.RelativeDistinguishedNames): string {
  if (name.typesAndValues.length === 0) return '(NULL-DN)';
  return name.typesAndValues.map((tv) => `${SHORT_NAMES.get(tv.type) ?? tv.type}=${(tv.value.valueBlock as { value?: unknown }).value ?? '?'}`).join(', ');
}
