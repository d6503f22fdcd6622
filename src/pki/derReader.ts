// A minimal DER walker for the hot paths (certificate check, key import); the readers of whole
// store files (src/keystore/formats) use asn1js. Definite lengths only; every bound is checked.

/** The bytes are not the DER structure we expected. */
export class DerFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface Tlv {
  tag: number;
  /** Offset of the content. */
  start: number;
  /** Offset after the content. */
  end: number;
}

/** The TLV at `offset`, which must end by `limit`. */
export function readTlv(der: Buffer, offset: number, limit: number, what: string): Tlv {
  if (offset + 2 > limit) throw new DerFormatError(`${what} is truncated`);
  const tag = der[offset];
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw new DerFormatError(`${what} has a bad length`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i];
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new DerFormatError(`${what} is truncated`);
  return { tag, start, end };
}

export function expectTag(tlv: Tlv, tag: number, what: string): Tlv {
  if (tlv.tag !== tag) throw new DerFormatError(`${what}: unexpected tag 0x${tlv.tag.toString(16)}`);
  return tlv;
}

/** The TLVs directly inside a constructed value. */
export function readChildren(der: Buffer, parent: Tlv, what: string): Tlv[] {
  const children: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end;) {
    const child = readTlv(der, offset, parent.end, what);
    children.push(child);
    offset = child.end;
  }
  return children;
}

/** Dotted text of an OBJECT IDENTIFIER's content. */
export function oidText(der: Buffer, tlv: Tlv): string {
  const arcs: number[] = [];
  let value = 0;
  for (let i = tlv.start; i < tlv.end; i++) {
    value = value * 128 + (der[i] & 0x7f);
    if ((der[i] & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}
