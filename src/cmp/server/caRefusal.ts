// Why the development CA declines a request; the CMP server turns it into a rejection or an
// `error` message carrying this failInfo name (RFC 9810 PKIFailureInfo).
import type { PKIFailureInfoName } from '../asn1/PKIStatusInfo.js';

/** A refusal the CA states to the requester: one line of text plus a failInfo name. */
export class CaRefusal extends Error {
  override readonly name = 'CaRefusal';
  constructor(
    readonly failInfo: PKIFailureInfoName,
    message: string,
  ) {
    super(message);
  }
}
