// CertReqMessages ::= SEQUENCE SIZE (1..MAX) OF CertReqMsg      -- RFC 4211 §3
// CertReqMsg ::= SEQUENCE {
//     certReq   CertRequest,
//     popo      ProofOfPossession  OPTIONAL,
//     regInfo   SEQUENCE SIZE(1..MAX) OF AttributeTypeAndValue OPTIONAL }
import * as asn1js from 'asn1js';
import { CmpDecodeError } from '../errors.js';
import { type AttributeTypeAndValue, decodeAttributeTypeAndValues, encodeAttributeTypeAndValue } from './AttributeTypeAndValue.js';
import { type CertRequest, decodeCertRequest, encodeCertRequest } from './CertRequest.js';
import { type Asn1Node, sequence } from './der.js';
import { decodeProofOfPossession, encodeProofOfPossession, type ProofOfPossession } from './ProofOfPossession.js';

export interface CertReqMsg {
  certReq: CertRequest;
  popo?: ProofOfPossession;
  regInfo?: AttributeTypeAndValue[];
}

export type CertReqMessages = CertReqMsg[];

export function encodeCertReqMsg(msg: CertReqMsg): asn1js.Sequence {
  const value: Asn1Node[] = [encodeCertRequest(msg.certReq)];
  if (msg.popo) value.push(encodeProofOfPossession(msg.popo));
  if (msg.regInfo?.length) value.push(new asn1js.Sequence({ value: msg.regInfo.map(encodeAttributeTypeAndValue) }));
  return new asn1js.Sequence({ value });
}

export function decodeCertReqMsg(node: Asn1Node, what = 'CertReqMsg'): CertReqMsg {
  const items = sequence(node, what);
  if (items.length < 1 || items.length > 3) throw new CmpDecodeError(`${what}: expected 1 to 3 elements`);
  const msg: CertReqMsg = { certReq: decodeCertRequest(items[0], `${what}.certReq`) };
  for (const item of items.slice(1)) {
    const universalSequence = item.idBlock.tagClass === 1 && item.idBlock.tagNumber === 16;
    if (!universalSequence && !msg.popo && !msg.regInfo) msg.popo = decodeProofOfPossession(item, `${what}.popo`);
    else if (universalSequence && !msg.regInfo) msg.regInfo = decodeAttributeTypeAndValues(item, `${what}.regInfo`);
    else throw new CmpDecodeError(`${what}: unexpected element`);
  }
  return msg;
}

export function encodeCertReqMessages(msgs: CertReqMessages): asn1js.Sequence {
  return new asn1js.Sequence({ value: msgs.map(encodeCertReqMsg) });
}

export function decodeCertReqMessages(node: Asn1Node, what = 'CertReqMessages'): CertReqMessages {
  const items = sequence(node, what);
  if (items.length === 0) throw new CmpDecodeError(`${what}: empty`);
  return items.map((item, i) => decodeCertReqMsg(item, `${what}[${i}]`));
}
