// PKIBody ::= CHOICE {                             -- RFC 9810 §5.1.2, every alternative [n] EXPLICIT
//     ir [0] CertReqMessages,   ip [1] CertRepMessage,  cr [2] CertReqMessages,  cp [3] CertRepMessage,
//     p10cr [4] CertificationRequest,                   kur [7] CertReqMessages, kup [8] CertRepMessage,
//     pkiconf [19] PKIConfirmContent (NULL),            genm [21] GenMsgContent, genp [22] GenRepContent,
//     error [23] ErrorMsgContent,  certConf [24] CertConfirmContent,
//     pollReq [25] PollReqContent, pollRep [26] PollRepContent,  … }
// A discriminated union on `type`; alternatives this library does not handle decode as `unsupported`
// so a server can answer them with an error instead of failing to parse.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CmpDecodeError } from '../errors.js';
import { type CertConfirmContent, decodeCertConfirmContent, encodeCertConfirmContent } from './CertConfirmContent.js';
import { type CertRepMessage, decodeCertRepMessage, encodeCertRepMessage } from './CertRepMessage.js';
import { type CertReqMessages, decodeCertReqMessages, encodeCertReqMessages } from './CertReqMessages.js';
import { type Asn1Node, derOf, embed, explicit, explicitInner, guarded, nullValue } from './der.js';
import { decodeErrorMsgContent, encodeErrorMsgContent, type ErrorMsgContent } from './ErrorMsgContent.js';
import { decodeGenMsgContent, encodeGenMsgContent, type InfoTypeAndValue } from './InfoTypeAndValue.js';
import {
  decodePollRepContent,
  decodePollReqContent,
  encodePollRepContent,
  encodePollReqContent,
  type PollRepContent,
  type PollReqContent,
} from './PollContent.js';

/** Tag numbers of every PKIBody alternative (RFC 9810). */
export const PKI_BODY_TAGS = {
  ir: 0,
  ip: 1,
  cr: 2,
  cp: 3,
  p10cr: 4,
  popdecc: 5,
  popdecr: 6,
  kur: 7,
  kup: 8,
  krr: 9,
  krp: 10,
  rr: 11,
  rp: 12,
  ccr: 13,
  ccp: 14,
  ckuann: 15,
  cann: 16,
  rann: 17,
  crlann: 18,
  pkiconf: 19,
  nested: 20,
  genm: 21,
  genp: 22,
  error: 23,
  certConf: 24,
  pollReq: 25,
  pollRep: 26,
} as const;
export type PKIBodyName = keyof typeof PKI_BODY_TAGS;

const NAME_OF_TAG = new Map<number, PKIBodyName>(Object.entries(PKI_BODY_TAGS).map(([k, v]) => [v, k as PKIBodyName]));

export type PKIBody =
  | { type: 'ir' | 'cr' | 'kur'; content: CertReqMessages }
  | { type: 'ip' | 'cp' | 'kup'; content: CertRepMessage }
  /** DER of the PKCS#10 CertificationRequest. */
  | { type: 'p10cr'; csr: Uint8Array }
  | { type: 'pkiconf' }
  | { type: 'genm' | 'genp'; content: InfoTypeAndValue[] }
  | { type: 'error'; content: ErrorMsgContent }
  | { type: 'certConf'; content: CertConfirmContent }
  | { type: 'pollReq'; content: PollReqContent }
  | { type: 'pollRep'; content: PollRepContent }
  /** A body type this library does not implement; `name` is its RFC name. */
  | { type: 'unsupported'; name: string; tag: number };

/** The RFC name of a body's type, also for unsupported ones. */
export function bodyTypeName(body: PKIBody): string {
  return body.type === 'unsupported' ? body.name : body.type;
}

export function encodePKIBody(body: PKIBody): asn1js.Constructed {
  switch (body.type) {
    case 'ir':
    case 'cr':
    case 'kur':
      return explicit(PKI_BODY_TAGS[body.type], encodeCertReqMessages(body.content));
    case 'ip':
    case 'cp':
    case 'kup':
      return explicit(PKI_BODY_TAGS[body.type], encodeCertRepMessage(body.content));
    case 'p10cr':
      return explicit(PKI_BODY_TAGS.p10cr, embed(body.csr));
    case 'pkiconf':
      return explicit(PKI_BODY_TAGS.pkiconf, new asn1js.Null());
    case 'genm':
    case 'genp':
      return explicit(PKI_BODY_TAGS[body.type], encodeGenMsgContent(body.content));
    case 'error':
      return explicit(PKI_BODY_TAGS.error, encodeErrorMsgContent(body.content));
    case 'certConf':
      return explicit(PKI_BODY_TAGS.certConf, encodeCertConfirmContent(body.content));
    case 'pollReq':
      return explicit(PKI_BODY_TAGS.pollReq, encodePollReqContent(body.content));
    case 'pollRep':
      return explicit(PKI_BODY_TAGS.pollRep, encodePollRepContent(body.content));
    case 'unsupported':
      throw new CmpDecodeError(`cannot encode unsupported body type ${body.name}`);
  }
}

export function decodePKIBody(node: Asn1Node, what = 'PKIBody'): PKIBody {
  if (node.idBlock.tagClass !== 3) throw new CmpDecodeError(`${what}: expected a context-tagged body`);
  const tag = node.idBlock.tagNumber;
  const name = NAME_OF_TAG.get(tag);
  if (!name) throw new CmpDecodeError(`${what}: unknown body type [${tag}]`);
  const inner = explicitInner(node, tag, `${what}.${name}`);
  const at = `${what}.${name}`;
  switch (name) {
    case 'ir':
    case 'cr':
    case 'kur':
      return { type: name, content: decodeCertReqMessages(inner, at) };
    case 'ip':
    case 'cp':
    case 'kup':
      return { type: name, content: decodeCertRepMessage(inner, at) };
    case 'p10cr':
      guarded(at, () => new pkijs.CertificationRequest({ schema: inner }));
      return { type: 'p10cr', csr: derOf(inner) };
    case 'pkiconf':
      nullValue(inner, at);
      return { type: 'pkiconf' };
    case 'genm':
    case 'genp':
      return { type: name, content: decodeGenMsgContent(inner, at) };
    case 'error':
      return { type: 'error', content: decodeErrorMsgContent(inner, at) };
    case 'certConf':
      return { type: 'certConf', content: decodeCertConfirmContent(inner, at) };
    case 'pollReq':
      return { type: 'pollReq', content: decodePollReqContent(inner, at) };
    case 'pollRep':
      return { type: 'pollRep', content: decodePollRepContent(inner, at) };
    default:
      return { type: 'unsupported', name, tag };
  }
}
