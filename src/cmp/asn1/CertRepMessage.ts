// CertRepMessage ::= SEQUENCE {                    -- RFC 9810 §5.3.4, EXPLICIT TAGS
//     caPubs    [1] SEQUENCE SIZE (1..MAX) OF CMPCertificate OPTIONAL,   -- [1] EXPLICIT
//     response  SEQUENCE OF CertResponse }
// CertResponse ::= SEQUENCE {
//     certReqId         INTEGER,
//     status            PKIStatusInfo,
//     certifiedKeyPair  CertifiedKeyPair  OPTIONAL,
//     rspInfo           OCTET STRING      OPTIONAL }
// CertifiedKeyPair ::= SEQUENCE {
//     certOrEncCert    CertOrEncCert,
//     privateKey       [0] EncryptedKey        OPTIONAL,   -- not supported (central key generation)
//     publicationInfo  [1] PKIPublicationInfo  OPTIONAL }  -- ignored
// CertOrEncCert ::= CHOICE {
//     certificate    [0] CMPCertificate,     -- [0] EXPLICIT; CMPCertificate is a CHOICE of Certificate
//     encryptedCert  [1] EncryptedKey }      -- [1] EXPLICIT; kept as DER, never decrypted here
import * as asn1js from 'asn1js';
import { CmpDecodeError } from '../errors.js';
import { type Asn1Node, derOf, embed, explicit, explicitInner, integer, integerNode, isContext, octetString, sequence } from './der.js';
import { decodePKIStatusInfo, encodePKIStatusInfo, type PKIStatusInfo } from './PKIStatusInfo.js';

export type CertOrEncCert = { type: 'certificate'; certificate: Uint8Array } | { type: 'encryptedCert'; der: Uint8Array };

export interface CertifiedKeyPair {
  certOrEncCert: CertOrEncCert;
}

export interface CertResponse {
  /** -1 is used for p10cr answers by some CAs (RFC 9483), 0 by others. */
  certReqId: number;
  status: PKIStatusInfo;
  certifiedKeyPair?: CertifiedKeyPair;
  rspInfo?: Uint8Array;
}

export interface CertRepMessage {
  /** DER certificates the CA publishes as trust anchors. */
  caPubs?: Uint8Array[];
  response: CertResponse[];
}

function encodeCertifiedKeyPair(pair: CertifiedKeyPair): asn1js.Sequence {
  const choice = pair.certOrEncCert;
  const value = choice.type === 'certificate' ? explicit(0, embed(choice.certificate)) : embed(choice.der);
  return new asn1js.Sequence({ value: [value] });
}

function decodeCertifiedKeyPair(node: Asn1Node, what: string): CertifiedKeyPair {
  const items = sequence(node, what);
  if (items.length < 1) throw new CmpDecodeError(`${what}: empty`);
  const first = items[0];
  if (isContext(first, 0)) {
    const cert = explicitInner(first, 0, `${what}.certificate`);
    sequence(cert, `${what}.certificate`);
    return { certOrEncCert: { type: 'certificate', certificate: derOf(cert) } };
  }
  if (isContext(first, 1)) return { certOrEncCert: { type: 'encryptedCert', der: derOf(first) } };
  throw new CmpDecodeError(`${what}: unknown CertOrEncCert choice`);
}

export function encodeCertResponse(r: CertResponse): asn1js.Sequence {
  const value: Asn1Node[] = [integerNode(r.certReqId), encodePKIStatusInfo(r.status)];
  if (r.certifiedKeyPair) value.push(encodeCertifiedKeyPair(r.certifiedKeyPair));
  if (r.rspInfo) value.push(new asn1js.OctetString({ valueHex: r.rspInfo }));
  return new asn1js.Sequence({ value });
}

export function decodeCertResponse(node: Asn1Node, what = 'CertResponse'): CertResponse {
  const items = sequence(node, what);
  if (items.length < 2 || items.length > 4) throw new CmpDecodeError(`${what}: expected 2 to 4 elements`);
  const r: CertResponse = {
    certReqId: integer(items[0], `${what}.certReqId`, -1, 2 ** 31 - 1),
    status: decodePKIStatusInfo(items[1], `${what}.status`),
  };
  for (const item of items.slice(2)) {
    if (item.idBlock.tagClass === 1 && item.idBlock.tagNumber === 16 && !r.certifiedKeyPair && !r.rspInfo) {
      r.certifiedKeyPair = decodeCertifiedKeyPair(item, `${what}.certifiedKeyPair`);
    } else if (!r.rspInfo) {
      r.rspInfo = octetString(item, `${what}.rspInfo`);
    } else {
      throw new CmpDecodeError(`${what}: unexpected element`);
    }
  }
  return r;
}

export function encodeCertRepMessage(m: CertRepMessage): asn1js.Sequence {
  const value: Asn1Node[] = [];
  if (m.caPubs?.length) value.push(explicit(1, new asn1js.Sequence({ value: m.caPubs.map(embed) })));
  value.push(new asn1js.Sequence({ value: m.response.map(encodeCertResponse) }));
  return new asn1js.Sequence({ value });
}

export function decodeCertRepMessage(node: Asn1Node, what = 'CertRepMessage'): CertRepMessage {
  const items = sequence(node, what);
  const m: CertRepMessage = { response: [] };
  let rest = items;
  if (rest[0] && isContext(rest[0], 1)) {
    const pubs = sequence(explicitInner(rest[0], 1, `${what}.caPubs`), `${what}.caPubs`);
    m.caPubs = pubs.map((cert, i) => {
      sequence(cert, `${what}.caPubs[${i}]`);
      return derOf(cert);
    });
    rest = rest.slice(1);
  }
  if (rest.length !== 1) throw new CmpDecodeError(`${what}: expected one response sequence`);
  m.response = sequence(rest[0], `${what}.response`).map((r, i) => decodeCertResponse(r, `${what}.response[${i}]`));
  return m;
}
