// CertRequest ::= SEQUENCE {                     -- RFC 4211 §5
//     certReqId     INTEGER,
//     certTemplate  CertTemplate,
//     controls      Controls  OPTIONAL }         -- SEQUENCE OF AttributeTypeAndValue
// The signature POP is computed over DER(CertRequest), so a decoded request keeps its received bytes.
import * as asn1js from 'asn1js';
import { CmpDecodeError } from '../errors.js';
import { type AttributeTypeAndValue, decodeAttributeTypeAndValues, encodeAttributeTypeAndValue } from './AttributeTypeAndValue.js';
import { type CertTemplate, decodeCertTemplate, encodeCertTemplate } from './CertTemplate.js';
import { type Asn1Node, derOf, integer, integerNode, sequence, toDer } from './der.js';

export interface CertRequest {
  certReqId: number;
  certTemplate: CertTemplate;
  controls?: AttributeTypeAndValue[];
  /** DER of the request exactly as received (decoding only): what a signature POP covers. */
  received?: Uint8Array;
}

export function encodeCertRequest(req: CertRequest): asn1js.Sequence {
  const value: Asn1Node[] = [integerNode(req.certReqId), encodeCertTemplate(req.certTemplate)];
  if (req.controls?.length) value.push(new asn1js.Sequence({ value: req.controls.map(encodeAttributeTypeAndValue) }));
  return new asn1js.Sequence({ value });
}

/** DER of a CertRequest: the received bytes when it was decoded, otherwise a fresh encoding. */
export function certRequestDer(req: CertRequest): Uint8Array {
  return req.received ?? toDer(encodeCertRequest(req));
}

export function decodeCertRequest(node: Asn1Node, what = 'CertRequest'): CertRequest {
  const items = sequence(node, what);
  if (items.length < 2 || items.length > 3) throw new CmpDecodeError(`${what}: expected 2 or 3 elements`);
  const req: CertRequest = {
    certReqId: integer(items[0], `${what}.certReqId`, -1, 2 ** 31 - 1),
    certTemplate: decodeCertTemplate(items[1], `${what}.certTemplate`),
    received: derOf(node),
  };
  if (items[2]) req.controls = decodeAttributeTypeAndValues(items[2], `${what}.controls`);
  return req;
}
