// A minimal DER writer for the store writers. Why not asn1js here: building and serialising
// asn1js objects costs more than the key derivation itself for a 20-CA truststore, and the
// writers only need a handful of shapes (SEQUENCE, SET, OID, OCTET STRING, INTEGER, BMPString,
// context tags) over bytes they already hold. Readers still use asn1js.

/** Tag byte + DER length + content. */
export function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let header: Buffer;
  if (length < 0x80) {
    header = Buffer.from([tag, length]);
  } else {
    const bytes: number[] = [];
    for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
    header = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([header, content]);
}

export const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
export const setOf = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
export const octetString = (bytes: Uint8Array): Buffer => tlv(0x04, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
export const nullValue = (): Buffer => Buffer.from([0x05, 0x00]);
/** `[n] EXPLICIT` (constructed context tag) around encoded values. */
export const explicitTag = (n: number, ...items: Buffer[]): Buffer => tlv(0xa0 | n, Buffer.concat(items));
/** `[n] IMPLICIT OCTET STRING` (primitive context tag). */
export const implicitOctets = (n: number, bytes: Buffer): Buffer => tlv(0x80 | n, bytes);

/** A non-negative INTEGER. */
export function integer(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('DER integer must be a non-negative safe integer');
  const bytes: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  if (bytes.length === 0 || bytes[0] & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

const oidCache = new Map<string, Buffer>();

/** OBJECT IDENTIFIER from dotted text (memoised: the writers use a fixed set). */
export function objectIdentifier(dotted: string): Buffer {
  let encoded = oidCache.get(dotted);
  if (!encoded) {
    const arcs = dotted.split('.').map(Number);
    if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new RangeError(`bad OID ${dotted}`);
    const bytes: number[] = [];
    const base128 = (value: number): void => {
      const group = [value & 0x7f];
      for (let n = Math.floor(value / 128); n > 0; n = Math.floor(n / 128)) group.unshift(0x80 | (n & 0x7f));
      bytes.push(...group);
    };
    base128(arcs[0] * 40 + arcs[1]);
    for (const arc of arcs.slice(2)) base128(arc);
    encoded = tlv(0x06, Buffer.from(bytes));
    oidCache.set(dotted, encoded);
  }
  return encoded;
}

/** BMPString (UTF-16BE), the type of PKCS#9 friendlyName. */
export function bmpString(text: string): Buffer {
  const out = Buffer.allocUnsafe(text.length * 2);
  for (let i = 0; i < text.length; i++) out.writeUInt16BE(text.charCodeAt(i), i * 2);
  return tlv(0x1e, out);
}

/** AlgorithmIdentifier with given encoded parameters (NULL when absent). */
export const algorithmIdentifier = (oid: string, parameters: Buffer = nullValue()): Buffer => sequence(objectIdentifier(oid), parameters);
