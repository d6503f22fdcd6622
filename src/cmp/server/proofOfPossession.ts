// Checks the proof-of-possession of a CRMF request (RFC 4211 §4.1): a signature with the requested
// key over DER(CertRequest) as received (the message layer's check), or over POPOSigningKeyInput.
import type { CertReqMsg } from '../asn1/CertReqMessages.js';
import { verifySignaturePop } from '../messages.js';
import { digestOfSignatureAlgorithm, verifyData } from '../signature.js';
import { CaRefusal } from './caRefusal.js';

/** Throws CaRefusal(badPOP) unless `request` proves possession of the key in `publicKeyInfo`. */
export function checkProofOfPossession(request: CertReqMsg, publicKeyInfo: Uint8Array): void {
  const popo = request.popo;
  if (!popo) throw new CaRefusal('badPOP', 'the request carries no proof-of-possession');
  if (popo.type !== 'signature') {
    // raVerified is for RAs, which this CA does not have; encryption-based POP is not offered.
    throw new CaRefusal('badPOP', `proof-of-possession by ${popo.type} is not accepted; sign the request`);
  }
  const { algorithmIdentifier, signature, poposkInput } = popo.signature;
  if (digestOfSignatureAlgorithm(algorithmIdentifier.algorithmId) === undefined) {
    throw new CaRefusal('badAlg', `the POP signature algorithm ${algorithmIdentifier.algorithmId} is not supported`);
  }
  const valid = poposkInput
    ? // The signature then covers DER(POPOSigningKeyInput): its [0] IMPLICIT tag read as SEQUENCE.
      verifyData(
        publicKeyInfo,
        algorithmIdentifier.algorithmId,
        Uint8Array.from(poposkInput, (b, i) => (i === 0 ? 0x30 : b)),
        signature,
      )
    : verifySignaturePop(request);
  if (!valid) {
    throw new CaRefusal('badPOP', 'the proof-of-possession signature does not verify with the requested public key');
  }
}
