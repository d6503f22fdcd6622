// PKIStatusInfo ::= SEQUENCE {
//     status        PKIStatus,                -- INTEGER 0..6
//     statusString  PKIFreeText     OPTIONAL,
//     failInfo      PKIFailureInfo  OPTIONAL }  -- BIT STRING with named bits
// CMP's own type (RFC 9810 §5.2.3): PKI.js ships RFC 3161's, which lacks keyUpdateWarning (6).
import * as asn1js from 'asn1js';
import { CmpDecodeError } from '../errors.js';
import { type Asn1Node, bitString, integer, sequence } from './der.js';
import { decodePKIFreeText, encodePKIFreeText } from './PKIFreeText.js';

/** PKIStatus values, index = encoded integer. */
export const PKI_STATUS_NAMES = [
  'accepted',
  'grantedWithMods',
  'rejection',
  'waiting',
  'revocationWarning',
  'revocationNotification',
  'keyUpdateWarning',
] as const;
export type PKIStatus = (typeof PKI_STATUS_NAMES)[number];

/** PKIFailureInfo bit names, index = bit number. */
export const PKI_FAILURE_INFO_NAMES = [
  'badAlg',
  'badMessageCheck',
  'badRequest',
  'badTime',
  'badCertId',
  'badDataFormat',
  'wrongAuthority',
  'incorrectData',
  'missingTimeStamp',
  'badPOP',
  'certRevoked',
  'certConfirmed',
  'wrongIntegrity',
  'badRecipientNonce',
  'timeNotAvailable',
  'unacceptedPolicy',
  'unacceptedExtension',
  'addInfoNotAvailable',
  'badSenderNonce',
  'badCertTemplate',
  'signerNotTrusted',
  'transactionIdInUse',
  'unsupportedVersion',
  'notAuthorized',
  'systemUnavail',
  'systemFailure',
  'duplicateCertReq',
] as const;
export type PKIFailureInfoName = (typeof PKI_FAILURE_INFO_NAMES)[number];

export interface PKIStatusInfo {
  status: PKIStatus;
  statusString?: string[];
  /** Names of the failure bits that are set, in bit order. Bits beyond duplicateCertReq are ignored. */
  failInfo?: PKIFailureInfoName[];
}

/** Encodes failure names as a DER named-bit BIT STRING (trailing zero bits removed). */
export function encodeFailInfo(names: readonly PKIFailureInfoName[]): asn1js.BitString {
  const bits = [...new Set(names.map((n) => PKI_FAILURE_INFO_NAMES.indexOf(n)))].sort((a, b) => a - b);
  if (bits.length === 0) return new asn1js.BitString({ valueHex: new Uint8Array(0), unusedBits: 0 });
  const highest = bits[bits.length - 1];
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3] |= 0x80 >> (bit & 7);
  return new asn1js.BitString({ valueHex: bytes, unusedBits: 7 - (highest % 8) });
}

/** Decodes a PKIFailureInfo BIT STRING into bit names. */
export function decodeFailInfo(node: Asn1Node, what = 'failInfo'): PKIFailureInfoName[] {
  const { bytes, unusedBits } = bitString(node, what);
  const total = bytes.byteLength * 8 - (bytes.byteLength ? unusedBits : 0);
  const names: PKIFailureInfoName[] = [];
  for (let bit = 0; bit < Math.min(total, PKI_FAILURE_INFO_NAMES.length); bit++) {
    if (bytes[bit >> 3] & (0x80 >> (bit & 7))) names.push(PKI_FAILURE_INFO_NAMES[bit]);
  }
  return names;
}

export function encodePKIStatusInfo(info: PKIStatusInfo): asn1js.Sequence {
  const value: Asn1Node[] = [new asn1js.Integer({ value: PKI_STATUS_NAMES.indexOf(info.status) })];
  if (info.statusString?.length) value.push(encodePKIFreeText(info.statusString));
  if (info.failInfo?.length) value.push(encodeFailInfo(info.failInfo));
  return new asn1js.Sequence({ value });
}

export function decodePKIStatusInfo(node: Asn1Node, what = 'PKIStatusInfo'): PKIStatusInfo {
  const items = sequence(node, what);
  if (items.length < 1 || items.length > 3) throw new CmpDecodeError(`${what}: expected 1 to 3 elements`);
  const info: PKIStatusInfo = { status: PKI_STATUS_NAMES[integer(items[0], `${what}.status`, 0, 6)] };
  for (const item of items.slice(1)) {
    if (item.idBlock.tagClass === 1 && item.idBlock.tagNumber === 16 && info.statusString === undefined && info.failInfo === undefined) {
      info.statusString = decodePKIFreeText(item, `${what}.statusString`);
    } else if (info.failInfo === undefined) {
      info.failInfo = decodeFailInfo(item, `${what}.failInfo`);
    } else {
      throw new CmpDecodeError(`${what}: unexpected element`);
    }
  }
  return info;
}
