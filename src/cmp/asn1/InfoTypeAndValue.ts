// InfoTypeAndValue ::= SEQUENCE {
//     infoType   OBJECT IDENTIFIER,
//     infoValue  ANY DEFINED BY infoType  OPTIONAL }
// GenMsgContent ::= GenRepContent ::= SEQUENCE OF InfoTypeAndValue   (RFC 9810 §5.3.19)
import * as asn1js from 'asn1js';
import { CmpDecodeError } from '../errors.js';
import { type Asn1Node, derOf, embed, objectIdentifier, sequence } from './der.js';

/** id-it-caCerts (RFC 9810 §5.3.19.2): asks for / returns CA certificates. */
export const ID_IT_CA_CERTS = '1.3.6.1.5.5.7.4.17';
/** id-it-implicitConfirm: in generalInfo, the sender asks for (request) or grants (response) implicit confirmation. */
export const ID_IT_IMPLICIT_CONFIRM = '1.3.6.1.5.5.7.4.13';
/** id-it-confirmWaitTime. */
export const ID_IT_CONFIRM_WAIT_TIME = '1.3.6.1.5.5.7.4.14';

export interface InfoTypeAndValue {
  infoType: string;
  /** DER of infoValue, when present. */
  infoValue?: Uint8Array;
}

export function encodeInfoTypeAndValue(itav: InfoTypeAndValue): asn1js.Sequence {
  const value: Asn1Node[] = [new asn1js.ObjectIdentifier({ value: itav.infoType })];
  if (itav.infoValue) value.push(embed(itav.infoValue));
  return new asn1js.Sequence({ value });
}

export function decodeInfoTypeAndValue(node: Asn1Node, what = 'InfoTypeAndValue'): InfoTypeAndValue {
  const items = sequence(node, what);
  if (items.length < 1 || items.length > 2) throw new CmpDecodeError(`${what}: expected 1 or 2 elements`);
  const itav: InfoTypeAndValue = { infoType: objectIdentifier(items[0], `${what}.infoType`) };
  if (items[1]) itav.infoValue = derOf(items[1]);
  return itav;
}

export function encodeGenMsgContent(items: readonly InfoTypeAndValue[]): asn1js.Sequence {
  return new asn1js.Sequence({ value: items.map(encodeInfoTypeAndValue) });
}

export function decodeGenMsgContent(node: Asn1Node, what = 'GenMsgContent'): InfoTypeAndValue[] {
  return sequence(node, what).map((item, i) => decodeInfoTypeAndValue(item, `${what}[${i}]`));
}

/** infoValue of a caCerts genp: SEQUENCE SIZE (1..MAX) OF CMPCertificate, as DER certificates. */
export function encodeCaCertsValue(certificates: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(new asn1js.Sequence({ value: certificates.map(embed) }).toBER(false));
}

/** Reads the certificates of a caCerts infoValue. */
export function decodeCaCertsValue(der: Uint8Array): Uint8Array[] {
  return sequence(parseValue(der), 'caCerts').map((item) => derOf(item));
}

function parseValue(der: Uint8Array): Asn1Node {
  return embed(der);
}
