// PollReqContent ::= SEQUENCE OF SEQUENCE { certReqId INTEGER }            -- RFC 9810 §5.3.22
// PollRepContent ::= SEQUENCE OF SEQUENCE {
//     certReqId   INTEGER,
//     checkAfter  INTEGER,          -- seconds
//     reason      PKIFreeText OPTIONAL }
import * as asn1js from 'asn1js';
import { CmpDecodeError } from '../errors.js';
import { type Asn1Node, integer, integerNode, sequence } from './der.js';
import { decodePKIFreeText, encodePKIFreeText } from './PKIFreeText.js';

export type PollReqContent = { certReqId: number }[];

export interface PollRep {
  certReqId: number;
  checkAfter: number;
  reason?: string[];
}
export type PollRepContent = PollRep[];

export function encodePollReqContent(c: PollReqContent): asn1js.Sequence {
  return new asn1js.Sequence({ value: c.map((p) => new asn1js.Sequence({ value: [integerNode(p.certReqId)] })) });
}

export function decodePollReqContent(node: Asn1Node, what = 'PollReqContent'): PollReqContent {
  return sequence(node, what).map((item, i) => {
    const fields = sequence(item, `${what}[${i}]`);
    if (fields.length !== 1) throw new CmpDecodeError(`${what}[${i}]: expected certReqId only`);
    return { certReqId: integer(fields[0], `${what}[${i}].certReqId`, -1, 2 ** 31 - 1) };
  });
}

export function encodePollRepContent(c: PollRepContent): asn1js.Sequence {
  return new asn1js.Sequence({
    value: c.map((p) => {
      const value: Asn1Node[] = [integerNode(p.certReqId), integerNode(p.checkAfter)];
      if (p.reason?.length) value.push(encodePKIFreeText(p.reason));
      return new asn1js.Sequence({ value });
    }),
  });
}

export function decodePollRepContent(node: Asn1Node, what = 'PollRepContent'): PollRepContent {
  return sequence(node, what).map((item, i) => {
    const fields = sequence(item, `${what}[${i}]`);
    if (fields.length < 2 || fields.length > 3) throw new CmpDecodeError(`${what}[${i}]: expected 2 or 3 elements`);
    const rep: PollRep = {
      certReqId: integer(fields[0], `${what}[${i}].certReqId`, -1, 2 ** 31 - 1),
      checkAfter: integer(fields[1], `${what}[${i}].checkAfter`, 0, 2 ** 31 - 1),
    };
    if (fields[2]) rep.reason = decodePKIFreeText(fields[2], `${what}[${i}].reason`);
    return rep;
  });
}
