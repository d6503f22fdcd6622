// A minimal DER writer for the store writers (src/keystore/formats) and key import. Values are
// built as a tree that knows its sizes and serialised once into one buffer (`encodeDer`), so a
// certificate is copied once, not once per nesting level. Why not asn1js here: building and
// serialising asn1js objects costs more than the key derivation itself for a 20-CA truststore,
// and the writers only need a handful of shapes (SEQUENCE, SET, OID, OCTET STRING, INTEGER,
// BMPString, context tags). Readers use asn1js, or derReader.ts on the hot paths.

/** A DER value: primitive bytes or constructed children; `size` is the content length. */
export interface DerValue {
  readonly tag: number;
  readonly bytes?: Buffer;
  readonly children?: readonly DerValue[];
  readonly size: number;
}

/** Bytes that are already DER (tag -1: written as they are). */
export const rawDer = (bytes: Buffer): DerValue => ({ tag: -1, bytes, size: bytes.length });

function headerLength(size: number): number {
  if (size < 0x80) return 2;
  let count = 0;
  for (let n = size; n > 0; n = Math.floor(n / 256)) count++;
  return 2 + count;
}

const totalLength = (value: DerValue): number => (value.tag === -1 ? value.size : headerLength(value.size) + value.size);

export function primitive(tag: number, bytes: Buffer): DerValue {
  return { tag, bytes, size: bytes.length };
}

export function constructed(tag: number, children: readonly DerValue[]): DerValue {
  let size = 0;
  for (const child of children) size += totalLength(child);
  return { tag, children, size };
}

function write(value: DerValue, out: Buffer, offset: number): number {
  if (value.tag !== -1) {
    out[offset++] = value.tag;
    const size = value.size;
    if (size < 0x80) {
      out[offset++] = size;
    } else {
      const count = headerLength(size) - 2;
      out[offset++] = 0x80 | count;
      for (let i = count - 1; i >= 0; i--) out[offset++] = Math.floor(size / 256 ** i) & 0xff;
    }
  }
  if (value.children) {
    for (const child of value.children) offset = write(child, out, offset);
  } else if (value.bytes) {
    value.bytes.copy(out, offset);
    offset += value.bytes.length;
  }
  return offset;
}

/** Serialises a value tree into one buffer. */
export function encodeDer(value: DerValue): Buffer {
  const out = Buffer.allocUnsafe(totalLength(value));
  write(value, out, 0);
  return out;
}

export const sequence = (...items: DerValue[]): DerValue => constructed(0x30, items);
export const setOf = (...items: DerValue[]): DerValue => constructed(0x31, items);
export const octetString = (bytes: Buffer): DerValue => primitive(0x04, bytes);
const NULL = primitive(0x05, Buffer.alloc(0));
export const nullValue = (): DerValue => NULL;
/** `[n] EXPLICIT` (constructed context tag) around values. */
export const explicitTag = (n: number, ...items: DerValue[]): DerValue => constructed(0xa0 | n, items);
/** `[n] IMPLICIT OCTET STRING` (primitive context tag). */
export const implicitOctets = (n: number, bytes: Buffer): DerValue => primitive(0x80 | n, bytes);
/** BIT STRING with no unused bits. */
export const bitString = (bytes: Buffer): DerValue => primitive(0x03, Buffer.concat([Buffer.from([0]), bytes]));

/** A non-negative INTEGER. */
export function integer(value: number): DerValue {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('DER integer must be a non-negative safe integer');
  const bytes: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  if (bytes.length === 0 || bytes[0] & 0x80) bytes.unshift(0);
  return primitive(0x02, Buffer.from(bytes));
}

/** An INTEGER from an unsigned big-endian magnitude (a zero byte is added when the top bit is set). */
export function unsignedInteger(magnitude: Buffer): DerValue {
  return primitive(0x02, magnitude.length > 0 && magnitude[0] & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude);
}

const oidCache = new Map<string, DerValue>();

/** OBJECT IDENTIFIER from dotted text (memoised: the writers use a fixed set). */
export function objectIdentifier(dotted: string): DerValue {
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
    encoded = primitive(0x06, Buffer.from(bytes));
    oidCache.set(dotted, encoded);
  }
  return encoded;
}

/** BMPString (UTF-16BE), the type of PKCS#9 friendlyName. */
export function bmpString(text: string): DerValue {
  const out = Buffer.allocUnsafe(text.length * 2);
  for (let i = 0; i < text.length; i++) out.writeUInt16BE(text.charCodeAt(i), i * 2);
  return primitive(0x1e, out);
}

/** AlgorithmIdentifier with given parameters (NULL when absent). */
export const algorithmIdentifier = (oid: string, parameters: DerValue = NULL): DerValue => sequence(objectIdentifier(oid), parameters);
