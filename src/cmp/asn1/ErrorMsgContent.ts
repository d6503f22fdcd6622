// ErrorMsgContent ::= SEQUENCE {                   -- RFC 9810 §5.3.21
//     pKIStatusInfo  PKIStatusInfo,
//     errorCode      INTEGER      OPTIONAL,
//     errorDetails   PKIFreeText  OPTIONAL }
import * as asn1js from 'asn1js';
import { CmpDecodeError } from '../errors.js';
import { type Asn1Node, integer, integerNode, sequence } from './der.js';
import { decodePKIFreeText, encodePKIFreeText } from './PKIFreeText.js';
import { decodePKIStatusInfo, encodePKIStatusInfo, type PKIStatusInfo } from './PKIStatusInfo.js';

export interface ErrorMsgContent {
  pKIStatusInfo: PKIStatusInfo;
  errorCode?: number;
  errorDetails?: string[];
}

export function encodeErrorMsgContent(e: ErrorMsgContent): asn1js.Sequence {
  const value: Asn1Node[] = [encodePKIStatusInfo(e.pKIStatusInfo)];
  if (e.errorCode !== undefined) value.push(integerNode(e.errorCode));
  if (e.errorDetails?.length) value.push(encodePKIFreeText(e.errorDetails));
  return new asn1js.Sequence({ value });
}

export function decodeErrorMsgContent(node: Asn1Node, what = 'ErrorMsgContent'): ErrorMsgContent {
  const items = sequence(node, what);
  if (items.length < 1 || items.length > 3) throw new CmpDecodeError(`${what}: expected 1 to 3 elements`);
  const e: ErrorMsgContent = { pKIStatusInfo: decodePKIStatusInfo(items[0], `${what}.pKIStatusInfo`) };
  for (const item of items.slice(1)) {
    if (item.idBlock.tagClass === 1 && item.idBlock.tagNumber === 2 && e.errorCode === undefined && !e.errorDetails) {
      e.errorCode = integer(item, `${what}.errorCode`);
    } else if (!e.errorDetails) {
      e.errorDetails = decodePKIFreeText(item, `${what}.errorDetails`);
    } else {
      throw new CmpDecodeError(`${what}: unexpected element`);
    }
  }
  return e;
}
