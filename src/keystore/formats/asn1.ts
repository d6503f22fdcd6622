// Small typed helpers over asn1js for reading PKCS#12 and JKS structures: walk a parsed tree
// with checks that turn every surprise into a StoreReadError (never a crash).
import * as asn1js from 'asn1js';
import { StoreReadError } from '../errors.js';

export type Node = asn1js.AsnType;

/** Parses exactly one DER/BER value; `what` names it in errors. */
export function parse(bytes: Uint8Array, what: string): Node {
  const { offset, result } = asn1js.fromBER(bytes);
  if (offset === -1 || result.error) throw new StoreReadError(`${what} is not valid ASN.1`);
  return result;
}

/** Children of a SEQUENCE/SET (or any constructed value), at least `min` of them. */
export function children(node: Node | undefined, what: string, min = 0): Node[] {
  const value = (node as asn1js.Constructed | undefined)?.valueBlock?.value;
  if (!node || !node.idBlock.isConstructed || !Array.isArray(value) || value.length < min) {
    throw new StoreReadError(`${what} has an unexpected structure`);
  }
  return value;
}

export function readOid(node: Node | undefined, what: string): string {
  if (!(node instanceof asn1js.ObjectIdentifier)) throw new StoreReadError(`${what}: expected an OBJECT IDENTIFIER`);
  return node.valueBlock.toString();
}

/** A non-negative INTEGER read from its bytes (asn1js's valueDec reads some 4-byte values as 0). */
export function readInt(node: Node | undefined, what: string): number {
  if (!(node instanceof asn1js.Integer)) throw new StoreReadError(`${what}: expected an INTEGER`);
  const bytes = node.valueBlock.valueHexView;
  if (bytes.length === 0) throw new StoreReadError(`${what}: empty INTEGER`);
  if (bytes[0] & 0x80) throw new StoreReadError(`${what}: negative INTEGER`);
  let value = 0;
  for (const byte of bytes) {
    value = value * 256 + byte;
    if (!Number.isSafeInteger(value)) throw new StoreReadError(`${what}: INTEGER out of range`);
  }
  return value;
}

/** Bytes of an OCTET STRING or of an IMPLICIT-tagged one, primitive or constructed (BER). */
export function readOctets(node: Node | undefined, what: string): Buffer {
  if (!node) throw new StoreReadError(`${what}: missing`);
  if (!node.idBlock.isConstructed) {
    return Buffer.from((node as asn1js.OctetString).valueBlock.valueHexView);
  }
  return Buffer.concat(children(node, what).map((part) => readOctets(part, what)));
}

/** The single value inside `[n] EXPLICIT`. */
export function readExplicit(node: Node | undefined, tagNumber: number, what: string): Node {
  if (!node || node.idBlock.tagClass !== 3 || node.idBlock.tagNumber !== tagNumber) {
    throw new StoreReadError(`${what}: expected [${tagNumber}]`);
  }
  return children(node, what, 1)[0];
}

export function readBmp(node: Node | undefined, what: string): string {
  if (!(node instanceof asn1js.BmpString)) throw new StoreReadError(`${what}: expected a BMPString`);
  return node.valueBlock.value;
}
