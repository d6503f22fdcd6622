// Small typed helpers over asn1js for reading and writing the CMP/CRMF structures. Reading never
// throws anything but CmpDecodeError: each helper checks tag, class and shape before it looks inside.
import * as asn1js from 'asn1js';
import { CmpDecodeError } from '../errors.js';

/** A decoded ASN.1 element. */
export type Asn1Node = asn1js.AsnType;

const UNIVERSAL = 1;
const CONTEXT = 3;

// Resource limits for untrusted input: CMP messages are a few kilobytes, nesting is shallow.
const PARSE_LIMITS: asn1js.FromBerOptions = { maxDepth: 40, parseEmbedded: false };

/** Parses exactly one DER element that fills `bytes`. */
export function parseDer(bytes: Uint8Array, what: string): Asn1Node {
  let parsed: asn1js.FromBerResult;
  try {
    parsed = asn1js.fromBER(bytes, PARSE_LIMITS);
  } catch (err) {
    throw new CmpDecodeError(`${what}: not valid DER (${err instanceof Error ? err.message : String(err)})`);
  }
  if (parsed.offset === -1 || parsed.result.error) {
    throw new CmpDecodeError(`${what}: not valid DER (${parsed.result.error || 'truncated'})`);
  }
  if (parsed.offset !== bytes.byteLength) {
    throw new CmpDecodeError(`${what}: ${bytes.byteLength - parsed.offset} bytes of trailing data`);
  }
  return parsed.result;
}

/** Runs a decoder and turns any foreign exception (pkijs schema errors, RangeError, …) into CmpDecodeError. */
export function guarded<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof CmpDecodeError) throw err;
    throw new CmpDecodeError(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function describeTag(node: Asn1Node): string {
  const { tagClass, tagNumber } = node.idBlock;
  return tagClass === CONTEXT ? `[${tagNumber}]` : tagClass === UNIVERSAL ? `universal ${tagNumber}` : `class ${tagClass} tag ${tagNumber}`;
}

/** True when `node` is context-specific `[n]`. */
export function isContext(node: Asn1Node, n: number): boolean {
  return node.idBlock.tagClass === CONTEXT && node.idBlock.tagNumber === n;
}

/** The received DER of `node`, exactly as it arrived. */
export function derOf(node: Asn1Node): Uint8Array {
  return new Uint8Array(node.valueBeforeDecodeView);
}

function constructedChildren(node: Asn1Node, what: string): Asn1Node[] {
  const value = (node.valueBlock as unknown as { value?: unknown }).value;
  if (!node.idBlock.isConstructed || !Array.isArray(value)) {
    throw new CmpDecodeError(`${what}: expected a constructed element, got ${describeTag(node)}`);
  }
  return value as Asn1Node[];
}

/** Elements of a universal SEQUENCE. */
export function sequence(node: Asn1Node, what: string): Asn1Node[] {
  if (!(node.idBlock.tagClass === UNIVERSAL && node.idBlock.tagNumber === 16)) {
    throw new CmpDecodeError(`${what}: expected SEQUENCE, got ${describeTag(node)}`);
  }
  return constructedChildren(node, what);
}

/** Elements of an IMPLICIT-tagged SEQUENCE `[n]`. */
export function implicitSequence(node: Asn1Node, n: number, what: string): Asn1Node[] {
  if (!isContext(node, n)) throw new CmpDecodeError(`${what}: expected [${n}], got ${describeTag(node)}`);
  return constructedChildren(node, what);
}

/** The one element inside an EXPLICIT tag `[n]`. */
export function explicitInner(node: Asn1Node, n: number, what: string): Asn1Node {
  if (!isContext(node, n)) throw new CmpDecodeError(`${what}: expected [${n}], got ${describeTag(node)}`);
  const inner = constructedChildren(node, what);
  if (inner.length !== 1) throw new CmpDecodeError(`${what}: [${n}] EXPLICIT must hold exactly one element`);
  return inner[0];
}

/** Reads optional trailing context-tagged fields in increasing tag order; rejects unknown or repeated ones. */
export function taggedFields(nodes: Asn1Node[], allowed: readonly number[], what: string): Map<number, Asn1Node> {
  const fields = new Map<number, Asn1Node>();
  let last = -1;
  for (const node of nodes) {
    const n = node.idBlock.tagNumber;
    if (node.idBlock.tagClass !== CONTEXT || !allowed.includes(n)) {
      throw new CmpDecodeError(`${what}: unexpected element ${describeTag(node)}`);
    }
    if (n <= last) throw new CmpDecodeError(`${what}: field [${n}] out of order or repeated`);
    last = n;
    fields.set(n, node);
  }
  return fields;
}

function expectUniversal(node: Asn1Node, tag: number, name: string, what: string): void {
  if (!(node.idBlock.tagClass === UNIVERSAL && node.idBlock.tagNumber === tag)) {
    throw new CmpDecodeError(`${what}: expected ${name}, got ${describeTag(node)}`);
  }
  if (node.idBlock.isConstructed && tag !== 16 && tag !== 17) {
    throw new CmpDecodeError(`${what}: constructed ${name} is not DER`);
  }
}

/** An INTEGER that must lie within [min, max]. */
export function integer(node: Asn1Node, what: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  expectUniversal(node, 2, 'INTEGER', what);
  const bytes = (node as asn1js.Integer).valueBlock.valueHexView;
  if (bytes.byteLength === 0) throw new CmpDecodeError(`${what}: empty INTEGER`);
  if (bytes.byteLength > 8) throw new CmpDecodeError(`${what}: INTEGER out of range`);
  const value = (node as asn1js.Integer).toBigInt();
  if (value < BigInt(min) || value > BigInt(max)) {
    throw new CmpDecodeError(`${what}: ${value} is outside ${min}..${max}`);
  }
  return Number(value);
}

/** The content octets of an INTEGER (two's complement, as encoded), for serial numbers. */
export function integerBytes(node: Asn1Node, what: string): Uint8Array {
  expectUniversal(node, 2, 'INTEGER', what);
  const bytes = (node as asn1js.Integer).valueBlock.valueHexView;
  if (bytes.byteLength === 0) throw new CmpDecodeError(`${what}: empty INTEGER`);
  return new Uint8Array(bytes);
}

/** Content of an OCTET STRING, or of an IMPLICIT `[n]` OCTET STRING when `implicitTag` is given. */
export function octetString(node: Asn1Node, what: string, implicitTag?: number): Uint8Array {
  if (implicitTag === undefined) expectUniversal(node, 4, 'OCTET STRING', what);
  else if (!isContext(node, implicitTag) || node.idBlock.isConstructed) {
    throw new CmpDecodeError(`${what}: expected primitive [${implicitTag}], got ${describeTag(node)}`);
  }
  return new Uint8Array((node.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView);
}

/** BIT STRING content bytes and the number of unused bits in the last byte. */
export function bitString(node: Asn1Node, what: string): { bytes: Uint8Array; unusedBits: number } {
  expectUniversal(node, 3, 'BIT STRING', what);
  const block = (node as asn1js.BitString).valueBlock;
  if (block.unusedBits > 7) throw new CmpDecodeError(`${what}: invalid unused-bits count`);
  return { bytes: new Uint8Array(block.valueHexView), unusedBits: block.unusedBits };
}

/** Dotted OBJECT IDENTIFIER. */
export function objectIdentifier(node: Asn1Node, what: string): string {
  expectUniversal(node, 6, 'OBJECT IDENTIFIER', what);
  const text = (node as asn1js.ObjectIdentifier).valueBlock.toString();
  if (!/^\d+(\.\d+)+$/.test(text)) throw new CmpDecodeError(`${what}: malformed OBJECT IDENTIFIER`);
  return text;
}

/** UTF8String text. */
export function utf8String(node: Asn1Node, what: string): string {
  expectUniversal(node, 12, 'UTF8String', what);
  return (node as asn1js.Utf8String).valueBlock.value;
}

/** NULL. */
export function nullValue(node: Asn1Node, what: string): void {
  expectUniversal(node, 5, 'NULL', what);
  if ((node.valueBlock as unknown as { valueHexView?: Uint8Array }).valueHexView?.byteLength) {
    throw new CmpDecodeError(`${what}: NULL with content`);
  }
}

/** GeneralizedTime as a Date. */
export function generalizedTime(node: Asn1Node, what: string): Date {
  expectUniversal(node, 24, 'GeneralizedTime', what);
  const date = (node as asn1js.GeneralizedTime).toDate();
  if (Number.isNaN(date.getTime())) throw new CmpDecodeError(`${what}: invalid GeneralizedTime`);
  return date;
}

/** Any of the X.509 Time choices (UTCTime or GeneralizedTime). */
export function time(node: Asn1Node, what: string): Date {
  if (node.idBlock.tagClass === UNIVERSAL && node.idBlock.tagNumber === 23) {
    const date = (node as asn1js.UTCTime).toDate();
    if (Number.isNaN(date.getTime())) throw new CmpDecodeError(`${what}: invalid UTCTime`);
    return date;
  }
  return generalizedTime(node, what);
}

/** Re-reads `node` as if its outer tag were `universalTag` — how an IMPLICIT tag is undone. */
export function untagged(node: Asn1Node, universalTag: number, what: string): Asn1Node {
  const bytes = derOf(node);
  if (bytes.byteLength === 0 || (bytes[0] & 0x1f) === 0x1f) throw new CmpDecodeError(`${what}: unsupported tag form`);
  const copy = new Uint8Array(bytes);
  copy[0] = (bytes[0] & 0x20) | universalTag;
  return parseDer(copy, what);
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Embeds an already encoded DER element (a certificate, a CSR) into a structure being built. */
export function embed(der: Uint8Array): Asn1Node {
  return parseDer(der, 'embedded DER');
}

/**
 * DER of a tag-length-value whose content is already encoded parts, joined byte for byte: how the
 * message and ProtectedPart are assembled from received or encoded header/body bytes without
 * parsing them again. `tag` is the single identifier octet (0x30 SEQUENCE, 0xA1 [1] EXPLICIT, …).
 */
export function derTlv(tag: number, parts: readonly Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, p) => n + p.byteLength, 0);
  const lengthOctets: number[] = [];
  if (length < 0x80) lengthOctets.push(length);
  else {
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) lengthOctets.unshift(rest & 0xff);
    lengthOctets.unshift(0x80 | lengthOctets.length);
  }
  const out = new Uint8Array(1 + lengthOctets.length + length);
  out[0] = tag;
  out.set(lengthOctets, 1);
  let at = 1 + lengthOctets.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** `[n] EXPLICIT inner`. */
export function explicit(n: number, inner: Asn1Node): asn1js.Constructed {
  return new asn1js.Constructed({ idBlock: { tagClass: CONTEXT, tagNumber: n }, value: [inner] });
}

/** `[n] IMPLICIT` for a constructed type: keeps the elements, replaces the SEQUENCE tag. */
export function implicitConstructed(n: number, elements: Asn1Node[]): asn1js.Constructed {
  return new asn1js.Constructed({ idBlock: { tagClass: CONTEXT, tagNumber: n }, value: elements });
}

/** `[n] IMPLICIT` for a primitive type with the given content octets. */
export function implicitPrimitive(n: number, content: Uint8Array): asn1js.Primitive {
  return new asn1js.Primitive({ idBlock: { tagClass: CONTEXT, tagNumber: n }, valueHex: content });
}

/** Elements of an encoded SEQUENCE (to re-tag it IMPLICIT). */
export function elementsOf(seq: Asn1Node): Asn1Node[] {
  return (seq.valueBlock as unknown as { value: Asn1Node[] }).value;
}

/** An INTEGER from a JS number. */
export function integerNode(value: number): asn1js.Integer {
  return new asn1js.Integer({ value });
}

/** GeneralizedTime without fractional seconds (OpenSSL and others reject them in CMP). */
export function generalizedTimeNode(date: Date): asn1js.GeneralizedTime {
  const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
  return new asn1js.GeneralizedTime({ valueDate: whole });
}

/** Encodes a node to DER bytes. */
export function toDer(node: Asn1Node): Uint8Array {
  return new Uint8Array(node.toBER(false));
}
