// PKIHeader fields of one transaction (cf. OpenSSL cmp_hdr): pvno 2, fresh transactionID and nonces,
// messageTime without fractions, NULL-DN for unknown names, implicitConfirm in generalInfo.
import { randomBytes } from 'node:crypto';
import type * as pkijs from 'pkijs';
import { ID_IT_IMPLICIT_CONFIRM, type InfoTypeAndValue } from './asn1/InfoTypeAndValue.js';
import { nullDnGeneralName, type PKIHeader, PVNO_CMP2000 } from './asn1/PKIHeader.js';

/** DER of NULL, the infoValue of implicitConfirm. */
const DER_NULL = new Uint8Array([0x05, 0x00]);

/** A fresh 128-bit transactionID (RFC 9810 asks for at least 128 bits of randomness). */
export function newTransactionID(): Uint8Array {
  return new Uint8Array(randomBytes(16));
}

/** A fresh 128-bit nonce. */
export function newNonce(): Uint8Array {
  return new Uint8Array(randomBytes(16));
}

export interface HeaderFields {
  /** Default NULL-DN (signature protection replaces it with the signer's subject). */
  sender?: pkijs.GeneralName;
  /** Default NULL-DN. */
  recipient?: pkijs.GeneralName;
  transactionID: Uint8Array;
  senderNonce: Uint8Array;
  /** The peer's last senderNonce, when answering or continuing a transaction. */
  recipNonce?: Uint8Array;
  recipKID?: Uint8Array;
  /** Adds id-it-implicitConfirm to generalInfo (asked by a client, granted by a CA). */
  implicitConfirm?: boolean;
  generalInfo?: InfoTypeAndValue[];
  freeText?: string[];
  /** Default now. */
  messageTime?: Date;
}

/** Builds a header with pvno 2. Protection fields are added by protectMessage. */
export function buildHeader(fields: HeaderFields): PKIHeader {
  const header: PKIHeader = {
    pvno: PVNO_CMP2000,
    sender: fields.sender ?? nullDnGeneralName(),
    recipient: fields.recipient ?? nullDnGeneralName(),
    messageTime: fields.messageTime ?? new Date(),
    transactionID: fields.transactionID,
    senderNonce: fields.senderNonce,
  };
  if (fields.recipNonce) header.recipNonce = fields.recipNonce;
  if (fields.recipKID) header.recipKID = fields.recipKID;
  if (fields.freeText?.length) header.freeText = fields.freeText;
  const info = [...(fields.generalInfo ?? [])];
  if (fields.implicitConfirm) info.push({ infoType: ID_IT_IMPLICIT_CONFIRM, infoValue: DER_NULL });
  if (info.length) header.generalInfo = info;
  return header;
}

/** True when the header's generalInfo carries id-it-implicitConfirm. */
export function hasImplicitConfirm(header: PKIHeader): boolean {
  return header.generalInfo?.some((i) => i.infoType === ID_IT_IMPLICIT_CONFIRM) ?? false;
}
