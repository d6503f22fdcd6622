// CertConfirmContent ::= SEQUENCE OF CertStatus      -- RFC 9810 §5.3.18
// CertStatus ::= SEQUENCE {
//     certHash    OCTET STRING,
//     certReqId   INTEGER,
//     statusInfo  PKIStatusInfo  OPTIONAL,
//     hashAlg [0] AlgorithmIdentifier OPTIONAL }     -- [0] EXPLICIT; only with pvno 3
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CmpDecodeError } from '../errors.js';
import { type Asn1Node, explicit, explicitInner, guarded, integer, integerNode, isContext, octetString, sequence } from './der.js';
import { decodePKIStatusInfo, encodePKIStatusInfo, type PKIStatusInfo } from './PKIStatusInfo.js';

export interface CertStatus {
  certHash: Uint8Array;
  certReqId: number;
  /** Absent means accepted; `rejection` tells the CA we refuse the certificate. */
  statusInfo?: PKIStatusInfo;
  hashAlg?: pkijs.AlgorithmIdentifier;
}

export type CertConfirmContent = CertStatus[];

export function encodeCertStatus(s: CertStatus): asn1js.Sequence {
  const value: Asn1Node[] = [new asn1js.OctetString({ valueHex: s.certHash }), integerNode(s.certReqId)];
  if (s.statusInfo) value.push(encodePKIStatusInfo(s.statusInfo));
  if (s.hashAlg) value.push(explicit(0, s.hashAlg.toSchema()));
  return new asn1js.Sequence({ value });
}

export function decodeCertStatus(node: Asn1Node, what = 'CertStatus'): CertStatus {
  const items = sequence(node, what);
  if (items.length < 2 || items.length > 4) throw new CmpDecodeError(`${what}: expected 2 to 4 elements`);
  const s: CertStatus = {
    certHash: octetString(items[0], `${what}.certHash`),
    certReqId: integer(items[1], `${what}.certReqId`, -1, 2 ** 31 - 1),
  };
  for (const item of items.slice(2)) {
    if (isContext(item, 0) && !s.hashAlg) {
      const alg = explicitInner(item, 0, `${what}.hashAlg`);
      s.hashAlg = guarded(`${what}.hashAlg`, () => new pkijs.AlgorithmIdentifier({ schema: alg }));
    } else if (!s.statusInfo && !s.hashAlg) {
      s.statusInfo = decodePKIStatusInfo(item, `${what}.statusInfo`);
    } else {
      throw new CmpDecodeError(`${what}: unexpected element`);
    }
  }
  return s;
}

export function encodeCertConfirmContent(c: CertConfirmContent): asn1js.Sequence {
  return new asn1js.Sequence({ value: c.map(encodeCertStatus) });
}

export function decodeCertConfirmContent(node: Asn1Node, what = 'CertConfirmContent'): CertConfirmContent {
  return sequence(node, what).map((item, i) => decodeCertStatus(item, `${what}[${i}]`));
}
