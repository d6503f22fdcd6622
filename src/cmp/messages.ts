// One builder per PKIBody type (cf. OpenSSL cmp_msg). Pure: the caller supplies keys, ids and
// certificates; headers come from header.ts and protection from protection.ts.
import { createHash, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { type AttributeTypeAndValue, ID_REG_CTRL_OLD_CERT_ID } from './asn1/AttributeTypeAndValue.js';
import { type CertId, encodeCertId } from './asn1/CertId.js';
import { type CertStatus } from './asn1/CertConfirmContent.js';
import { type CertRepMessage, type CertResponse } from './asn1/CertRepMessage.js';
import { type CertReqMsg } from './asn1/CertReqMessages.js';
import { type CertRequest, certRequestDer } from './asn1/CertRequest.js';
import { type CertTemplate } from './asn1/CertTemplate.js';
import { toDer } from './asn1/der.js';
import { encodeCaCertsValue, ID_IT_CA_CERTS, type InfoTypeAndValue } from './asn1/InfoTypeAndValue.js';
import { type PKIBody } from './asn1/PKIBody.js';
import { type PKIFailureInfoName, type PKIStatusInfo } from './asn1/PKIStatusInfo.js';
import { type PollRep } from './asn1/PollContent.js';
import { parseCertificate } from './certificates.js';
import { CmpProtocolError } from './errors.js';
import { signData, verifyData } from './signature.js';

// ---- requests --------------------------------------------------------------------------------

export interface CertReqMsgOptions {
  /** Default 0. */
  certReqId?: number;
  template: CertTemplate;
  controls?: AttributeTypeAndValue[];
  /** Private key for the signature POP over DER(CertRequest). Without it, no POP is sent. */
  popKey?: KeyObject;
}

/** A CertReqMsg with a signature proof-of-possession (RFC 4211 §4.1: signature over DER(CertRequest)). */
export function buildCertReqMsg(options: CertReqMsgOptions): CertReqMsg {
  const certReq: CertRequest = { certReqId: options.certReqId ?? 0, certTemplate: options.template };
  if (options.controls?.length) certReq.controls = options.controls;
  if (!options.popKey) return { certReq };
  const { algorithm, signature } = signData(options.popKey, certRequestDer(certReq));
  return { certReq, popo: { type: 'signature', signature: { algorithmIdentifier: algorithm, signature } } };
}

/** Checks a signature POP against the template's public key (a CA's side of buildCertReqMsg). */
export function verifySignaturePop(msg: CertReqMsg): boolean {
  const popo = msg.popo;
  const key = msg.certReq.certTemplate.publicKey;
  if (popo?.type !== 'signature' || !key || popo.signature.poposkInput) return false;
  const spki = toDer(key.toSchema());
  return verifyData(spki, popo.signature.algorithmIdentifier.algorithmId, certRequestDer(msg.certReq), popo.signature.signature);
}

/** ir, cr or kur body. */
export function certRequestBody(type: 'ir' | 'cr' | 'kur', messages: CertReqMsg[]): PKIBody {
  return { type, content: messages };
}

/** p10cr body for a DER PKCS#10 CSR, sent as it is. */
export function p10crBody(csr: Uint8Array): PKIBody {
  return { type: 'p10cr', csr };
}

/** The oldCertID control of a kur: issuer and serial number of the certificate being updated. */
export function oldCertIdControl(oldCertificate: Uint8Array): AttributeTypeAndValue {
  const cert = parseCertificate(oldCertificate);
  const id: CertId = {
    issuer: new pkijs.GeneralName({ type: 4, value: cert.issuer }),
    serialNumber: new Uint8Array(cert.serialNumber.valueBlock.valueHexView),
  };
  return { type: ID_REG_CTRL_OLD_CERT_ID, value: toDer(encodeCertId(id)) };
}

/**
 * certHash of a certificate (RFC 9810 §5.3.18): hashed with the digest of the certificate's own
 * signature algorithm; SHA-512 for Ed25519 and SHAKE256 for Ed448 (RFC 9481 §3.3).
 */
export function certHash(certificate: Uint8Array): Uint8Array {
  const alg = parseCertificate(certificate).signatureAlgorithm.algorithmId;
  const byOid: Record<string, string> = {
    '1.2.840.113549.1.1.5': 'sha1',
    '1.2.840.113549.1.1.11': 'sha256',
    '1.2.840.113549.1.1.12': 'sha384',
    '1.2.840.113549.1.1.13': 'sha512',
    '1.2.840.113549.1.1.14': 'sha224',
    '1.2.840.10045.4.1': 'sha1',
    '1.2.840.10045.4.3.1': 'sha224',
    '1.2.840.10045.4.3.2': 'sha256',
    '1.2.840.10045.4.3.3': 'sha384',
    '1.2.840.10045.4.3.4': 'sha512',
    '1.3.101.112': 'sha512',
  };
  if (alg === '1.3.101.113') return new Uint8Array(createHash('shake256', { outputLength: 64 }).update(certificate).digest());
  const digest = byOid[alg];
  if (!digest) throw new CmpProtocolError(`cannot compute certHash: unsupported certificate signature algorithm ${alg}`);
  return new Uint8Array(createHash(digest).update(certificate).digest());
}

export interface CertConfEntry {
  certificate: Uint8Array;
  certReqId: number;
  /** When set, the certificate is refused with this status (rejection) text and failure bits. */
  reject?: { statusString: string[]; failInfo?: PKIFailureInfoName[] };
}

/** certConf body; an accepted certificate carries no statusInfo (RFC 9483 §4.1.1). */
export function certConfBody(entries: CertConfEntry[]): PKIBody {
  const content: CertStatus[] = entries.map((e) => {
    const status: CertStatus = { certHash: certHash(e.certificate), certReqId: e.certReqId };
    if (e.reject) status.statusInfo = { status: 'rejection', statusString: e.reject.statusString, failInfo: e.reject.failInfo };
    return status;
  });
  return { type: 'certConf', content };
}

/** pollReq body. */
export function pollReqBody(certReqIds: number[]): PKIBody {
  return { type: 'pollReq', content: certReqIds.map((certReqId) => ({ certReqId })) };
}

/** genm asking for CA certificates (id-it-caCerts without a value). */
export function genmCaCertsBody(): PKIBody {
  return { type: 'genm', content: [{ infoType: ID_IT_CA_CERTS }] };
}

/** genm with arbitrary InfoTypeAndValues. */
export function genmBody(items: InfoTypeAndValue[]): PKIBody {
  return { type: 'genm', content: items };
}

// ---- responses (for servers) -------------------------------------------------------------------

/** ip, cp or kup body. */
export function certResponseBody(type: 'ip' | 'cp' | 'kup', message: CertRepMessage): PKIBody {
  return { type, content: message };
}

/** A positive CertResponse carrying a certificate. */
export function issuedCertResponse(certReqId: number, certificate: Uint8Array, status: PKIStatusInfo = { status: 'accepted' }): CertResponse {
  return { certReqId, status, certifiedKeyPair: { certOrEncCert: { type: 'certificate', certificate } } };
}

/** pkiconf body. */
export function pkiconfBody(): PKIBody {
  return { type: 'pkiconf' };
}

/** pollRep body. */
export function pollRepBody(entries: PollRep[]): PKIBody {
  return { type: 'pollRep', content: entries };
}

/** genp answering caCerts with the given DER certificates. */
export function genpCaCertsBody(certificates: Uint8Array[]): PKIBody {
  return { type: 'genp', content: [{ infoType: ID_IT_CA_CERTS, infoValue: encodeCaCertsValue(certificates) }] };
}

/** genp with arbitrary InfoTypeAndValues. */
export function genpBody(items: InfoTypeAndValue[]): PKIBody {
  return { type: 'genp', content: items };
}

/** error body (status rejection unless given). */
export function errorBody(options: { statusString?: string[]; failInfo?: PKIFailureInfoName[]; errorCode?: number; errorDetails?: string[] }): PKIBody {
  const info: PKIStatusInfo = { status: 'rejection' };
  if (options.statusString?.length) info.statusString = options.statusString;
  if (options.failInfo?.length) info.failInfo = options.failInfo;
  return {
    type: 'error',
    content: {
      pKIStatusInfo: info,
      ...(options.errorCode !== undefined ? { errorCode: options.errorCode } : {}),
      ...(options.errorDetails?.length ? { errorDetails: options.errorDetails } : {}),
    },
  };
}

/** NULL as DER, e.g. for infoValues. */
export const DER_NULL = toDer(new asn1js.Null());
