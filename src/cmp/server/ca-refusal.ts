// Why the development CA declines a request; the CMP server turns it into a rejection or an
// `error` message carrying these failInfo names (RFC 9810 PKIFailureInfo).

/** PKIFailureInfo bit names the CA uses. */
export type CaFailInfo =
  | 'badAlg'
  | 'badMessageCheck'
  | 'badRequest'
  | 'badTime'
  | 'badCertId'
  | 'badDataFormat'
  | 'wrongAuthority'
  | 'incorrectData'
  | 'missingTimeStamp'
  | 'badPOP'
  | 'certRevoked'
  | 'certConfirmed'
  | 'wrongIntegrity'
  | 'badRecipientNonce'
  | 'timeNotAvailable'
  | 'unacceptedPolicy'
  | 'unacceptedExtension'
  | 'addInfoNotAvailable'
  | 'badSenderNonce'
  | 'badCertTemplate'
  | 'signerNotTrusted'
  | 'transactionIdInUse'
  | 'unsupportedVersion'
  | 'notAuthorized'
  | 'systemUnavail'
  | 'systemFailure'
  | 'duplicateCertReq';

/** A refusal the CA states to the requester: one line of text plus failInfo names. */
export class CaRefusal extends Error {
  override readonly name = 'CaRefusal';
  constructor(
    readonly failInfo: CaFailInfo,
    message: string,
  ) {
    super(message);
  }
}
