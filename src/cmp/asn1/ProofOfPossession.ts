// ProofOfPossession ::= CHOICE {                 -- RFC 4211 §4, IMPLICIT TAGS
//     raVerified      [0] NULL,                  -- [0] IMPLICIT: 80 00
//     signature       [1] POPOSigningKey,        -- [1] IMPLICIT SEQUENCE
//     keyEncipherment [2] POPOPrivKey,           -- [2] EXPLICIT (POPOPrivKey is a CHOICE); kept as DER
//     keyAgreement    [3] POPOPrivKey }          -- [3] EXPLICIT; kept as DER
// POPOSigningKey ::= SEQUENCE {
//     poposkInput         [0] POPOSigningKeyInput OPTIONAL,  -- [0] IMPLICIT; kept as DER
//     algorithmIdentifier AlgorithmIdentifier,
//     signature           BIT STRING }
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CmpDecodeError } from '../errors.js';
import { type Asn1Node, bitString, derOf, embed, guarded, implicitConstructed, implicitPrimitive, implicitSequence, isContext } from './der.js';

export interface POPOSigningKey {
  /** DER (with its [0] tag) of poposkInput, when the sender used one. */
  poposkInput?: Uint8Array;
  algorithmIdentifier: pkijs.AlgorithmIdentifier;
  signature: Uint8Array;
}

export type ProofOfPossession =
  { type: 'raVerified' } | { type: 'signature'; signature: POPOSigningKey } | { type: 'keyEncipherment' | 'keyAgreement'; der: Uint8Array };

export function encodeProofOfPossession(popo: ProofOfPossession): Asn1Node {
  switch (popo.type) {
    case 'raVerified':
      return implicitPrimitive(0, new Uint8Array(0));
    case 'signature': {
      const value: Asn1Node[] = [];
      if (popo.signature.poposkInput) value.push(embed(popo.signature.poposkInput));
      value.push(popo.signature.algorithmIdentifier.toSchema());
      value.push(new asn1js.BitString({ valueHex: popo.signature.signature, unusedBits: 0 }));
      return implicitConstructed(1, value);
    }
    default:
      return embed(popo.der);
  }
}

export function decodeProofOfPossession(node: Asn1Node, what = 'ProofOfPossession'): ProofOfPossession {
  if (isContext(node, 0)) {
    if (node.idBlock.isConstructed || derOf(node).byteLength !== 2) throw new CmpDecodeError(`${what}: raVerified must be [0] NULL`);
    return { type: 'raVerified' };
  }
  if (isContext(node, 1)) {
    const items = implicitSequence(node, 1, `${what}.signature`);
    let rest = items;
    const key: Partial<POPOSigningKey> = {};
    if (rest[0] && isContext(rest[0], 0)) {
      key.poposkInput = derOf(rest[0]);
      rest = rest.slice(1);
    }
    if (rest.length !== 2) throw new CmpDecodeError(`${what}.signature: expected algorithm and signature`);
    key.algorithmIdentifier = guarded(`${what}.signature.algorithmIdentifier`, () => new pkijs.AlgorithmIdentifier({ schema: rest[0] }));
    const sig = bitString(rest[1], `${what}.signature.signature`);
    if (sig.unusedBits !== 0) throw new CmpDecodeError(`${what}.signature: signature has unused bits`);
    key.signature = sig.bytes;
    return { type: 'signature', signature: key as POPOSigningKey };
  }
  if (isContext(node, 2)) return { type: 'keyEncipherment', der: derOf(node) };
  if (isContext(node, 3)) return { type: 'keyAgreement', der: derOf(node) };
  throw new CmpDecodeError(`${what}: unknown choice`);
}
