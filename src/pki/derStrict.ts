// A strict DER well-formedness walk (X.690 §10): definite minimal lengths, low tag numbers, every
// constructed value exactly filled by its children, BOOLEAN of one byte. Java's DER parser is this
// strict when it loads a certificate, so a certificate that fails here breaks a Java truststore.
import { DerFormatError, type Tlv } from './derReader.js';

const MAX_DEPTH = 32;

/** The TLV at `offset` under DER's rules; throws DerFormatError naming `what`. */
export function readStrictTlv(der: Buffer, offset: number, limit: number, what: string): Tlv {
  if (offset + 2 > limit) throw new DerFormatError(`${what} is truncated`);
  const tag = der[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerFormatError(`${what} uses a multi-byte tag`);
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0) throw new DerFormatError(`${what} has an indefinite length`);
    if (count > 4 || start + count > limit) throw new DerFormatError(`${what} has a bad length`);
    if (der[start] === 0) throw new DerFormatError(`${what} has a non-minimal length`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i];
    if (length < 0x80) throw new DerFormatError(`${what} has a non-minimal length`);
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new DerFormatError(`${what} is truncated`);
  return { tag, start, end };
}

/** Checks that der[start, end) is exactly one well-formed DER value (recursively). */
export function checkDerValue(der: Buffer, start: number, end: number, what: string, depth = 0): Tlv {
  const tlv = readStrictTlv(der, start, end, what);
  if (tlv.end !== end) throw new DerFormatError(`${what} has trailing bytes`);
  checkContent(der, tlv, what, depth);
  return tlv;
}

function checkContent(der: Buffer, tlv: Tlv, what: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new DerFormatError(`${what} is nested too deeply`);
  if (tlv.tag === 0x01 && tlv.end - tlv.start !== 1) throw new DerFormatError(`${what} holds a BOOLEAN that is not one byte`);
  if (tlv.tag === 0x02 && tlv.end === tlv.start) throw new DerFormatError(`${what} holds an empty INTEGER`);
  if (tlv.tag === 0x03 && (tlv.end === tlv.start || der[tlv.start] > 7)) throw new DerFormatError(`${what} holds a malformed BIT STRING`);
  if (tlv.tag === 0x06 && (tlv.end === tlv.start || der[tlv.end - 1] & 0x80)) throw new DerFormatError(`${what} holds a malformed OBJECT IDENTIFIER`);
  if ((tlv.tag & 0x20) === 0) return;
  for (let offset = tlv.start; offset < tlv.end;) {
    const child = readStrictTlv(der, offset, tlv.end, what);
    checkContent(der, child, what, depth + 1);
    offset = child.end;
  }
}
