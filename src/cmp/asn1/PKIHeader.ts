// PKIHeader ::= SEQUENCE {                         -- RFC 9810 §5.1.1, EXPLICIT TAGS
//     pvno           INTEGER { cmp1999(1), cmp2000(2), cmp2021(3) },
//     sender         GeneralName,
//     recipient      GeneralName,
//     messageTime    [0] GeneralizedTime         OPTIONAL,   -- EXPLICIT, no fractional seconds
//     protectionAlg  [1] AlgorithmIdentifier     OPTIONAL,   -- EXPLICIT
//     senderKID      [2] KeyIdentifier           OPTIONAL,   -- EXPLICIT OCTET STRING
//     recipKID       [3] KeyIdentifier           OPTIONAL,
//     transactionID  [4] OCTET STRING            OPTIONAL,
//     senderNonce    [5] OCTET STRING            OPTIONAL,
//     recipNonce     [6] OCTET STRING            OPTIONAL,
//     freeText       [7] PKIFreeText             OPTIONAL,
//     generalInfo    [8] SEQUENCE SIZE (1..MAX) OF InfoTypeAndValue OPTIONAL }
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CmpDecodeError } from '../errors.js';
import {
  type Asn1Node,
  explicit,
  explicitInner,
  generalizedTime,
  generalizedTimeNode,
  guarded,
  integer,
  integerNode,
  octetString,
  sequence,
  taggedFields,
} from './der.js';
import { decodeInfoTypeAndValue, encodeInfoTypeAndValue, type InfoTypeAndValue } from './InfoTypeAndValue.js';
import { decodePKIFreeText, encodePKIFreeText } from './PKIFreeText.js';

/** pvno we send: cmp2000. OpenSSL 3.0 rejects cmp2021 (3). */
export const PVNO_CMP2000 = 2;
/** pvno cmp2021: needed when a certConf carries hashAlg (RFC 9810 §7). */
export const PVNO_CMP2021 = 3;

export interface PKIHeader {
  pvno: number;
  sender: pkijs.GeneralName;
  recipient: pkijs.GeneralName;
  messageTime?: Date;
  protectionAlg?: pkijs.AlgorithmIdentifier;
  senderKID?: Uint8Array;
  recipKID?: Uint8Array;
  transactionID?: Uint8Array;
  senderNonce?: Uint8Array;
  recipNonce?: Uint8Array;
  freeText?: string[];
  generalInfo?: InfoTypeAndValue[];
}

/** The NULL-DN as a GeneralName: directoryName [4] holding an empty RDNSequence, `A4 02 30 00`. */
export function nullDnGeneralName(): pkijs.GeneralName {
  // Built from DER: pkijs would encode an empty name it made itself as 30 02 31 00.
  return new pkijs.GeneralName({ type: 4, value: pkijs.RelativeDistinguishedNames.fromBER(new Uint8Array([0x30, 0x00])) });
}

/** A directoryName GeneralName for a name. */
export function directoryName(name: pkijs.RelativeDistinguishedNames): pkijs.GeneralName {
  return new pkijs.GeneralName({ type: 4, value: name });
}

export function encodePKIHeader(h: PKIHeader): asn1js.Sequence {
  const value: Asn1Node[] = [integerNode(h.pvno), h.sender.toSchema() as Asn1Node, h.recipient.toSchema() as Asn1Node];
  const octets = (n: number, bytes?: Uint8Array) => {
    if (bytes) value.push(explicit(n, new asn1js.OctetString({ valueHex: bytes })));
  };
  if (h.messageTime) value.push(explicit(0, generalizedTimeNode(h.messageTime)));
  if (h.protectionAlg) value.push(explicit(1, h.protectionAlg.toSchema()));
  octets(2, h.senderKID);
  octets(3, h.recipKID);
  octets(4, h.transactionID);
  octets(5, h.senderNonce);
  octets(6, h.recipNonce);
  if (h.freeText?.length) value.push(explicit(7, encodePKIFreeText(h.freeText)));
  if (h.generalInfo?.length) value.push(explicit(8, new asn1js.Sequence({ value: h.generalInfo.map(encodeInfoTypeAndValue) })));
  return new asn1js.Sequence({ value });
}

function generalName(node: Asn1Node, what: string): pkijs.GeneralName {
  return guarded(what, () => {
    const name = new pkijs.GeneralName({ schema: node });
    if (name.type === undefined || name.value === undefined) throw new CmpDecodeError(`${what}: not a GeneralName`);
    return name;
  });
}

export function decodePKIHeader(node: Asn1Node, what = 'PKIHeader'): PKIHeader {
  const items = sequence(node, what);
  if (items.length < 3) throw new CmpDecodeError(`${what}: expected pvno, sender and recipient`);
  const h: PKIHeader = {
    pvno: integer(items[0], `${what}.pvno`, 0, 255),
    sender: generalName(items[1], `${what}.sender`),
    recipient: generalName(items[2], `${what}.recipient`),
  };
  const fields = taggedFields(items.slice(3), [0, 1, 2, 3, 4, 5, 6, 7, 8], what);
  const inner = (n: number, name: string) => {
    const field = fields.get(n);
    return field ? explicitInner(field, n, `${what}.${name}`) : undefined;
  };
  const t = inner(0, 'messageTime');
  if (t) h.messageTime = generalizedTime(t, `${what}.messageTime`);
  const alg = inner(1, 'protectionAlg');
  if (alg) h.protectionAlg = guarded(`${what}.protectionAlg`, () => new pkijs.AlgorithmIdentifier({ schema: alg }));
  const octets = (n: number, name: string) => {
    const v = inner(n, name);
    return v ? octetString(v, `${what}.${name}`) : undefined;
  };
  const senderKID = octets(2, 'senderKID');
  if (senderKID) h.senderKID = senderKID;
  const recipKID = octets(3, 'recipKID');
  if (recipKID) h.recipKID = recipKID;
  const transactionID = octets(4, 'transactionID');
  if (transactionID) h.transactionID = transactionID;
  const senderNonce = octets(5, 'senderNonce');
  if (senderNonce) h.senderNonce = senderNonce;
  const recipNonce = octets(6, 'recipNonce');
  if (recipNonce) h.recipNonce = recipNonce;
  const freeText = inner(7, 'freeText');
  if (freeText) h.freeText = decodePKIFreeText(freeText, `${what}.freeText`);
  const info = inner(8, 'generalInfo');
  if (info) h.generalInfo = sequence(info, `${what}.generalInfo`).map((i, k) => decodeInfoTypeAndValue(i, `${what}.generalInfo[${k}]`));
  return h;
}
