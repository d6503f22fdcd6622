// PBMParameter ::= SEQUENCE {                      -- RFC 4211 §4.4 / RFC 9810 §5.1.3.1
//     salt            OCTET STRING,
//     owf             AlgorithmIdentifier,    -- one-way function, e.g. SHA-256
//     iterationCount  INTEGER,
//     mac             AlgorithmIdentifier }   -- e.g. HMAC-SHA1, hmacWithSHA256
// The iteration count is decoded as given; bounds are enforced where it is used (pbm.ts).
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CmpDecodeError } from '../errors.js';
import { type Asn1Node, guarded, integer, integerNode, octetString, parseDer, sequence } from './der.js';

/** id-PasswordBasedMac. */
export const ID_PASSWORD_BASED_MAC = '1.2.840.113533.7.66.13';

export interface PBMParameter {
  salt: Uint8Array;
  owf: pkijs.AlgorithmIdentifier;
  iterationCount: number;
  mac: pkijs.AlgorithmIdentifier;
}

export function encodePBMParameter(p: PBMParameter): asn1js.Sequence {
  return new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: p.salt }), p.owf.toSchema(), integerNode(p.iterationCount), p.mac.toSchema()],
  });
}

export function decodePBMParameter(node: Asn1Node, what = 'PBMParameter'): PBMParameter {
  const items = sequence(node, what);
  if (items.length !== 4) throw new CmpDecodeError(`${what}: expected 4 elements`);
  return {
    salt: octetString(items[0], `${what}.salt`),
    owf: guarded(`${what}.owf`, () => new pkijs.AlgorithmIdentifier({ schema: items[1] })),
    iterationCount: integer(items[2], `${what}.iterationCount`, 0, 2 ** 31 - 1),
    mac: guarded(`${what}.mac`, () => new pkijs.AlgorithmIdentifier({ schema: items[3] })),
  };
}

/** Decodes PBMParameter from the DER of protectionAlg's parameters. */
export function decodePBMParameterDer(der: Uint8Array): PBMParameter {
  return decodePBMParameter(parseDer(der, 'PBMParameter'));
}
