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
import { ID_ED448, ID_RSASSA_PSS, SHA2_DIGESTS } from './digests.js';

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

/** Digest names by OID, for RSASSA-PSS parameters and hashAlg. */
const DIGEST_BY_OID = SHA2_DIGESTS;
const ID_SHA256 = '2.16.840.1.101.3.4.2.1';
const ID_SHA512 = '2.16.840.1.101.3.4.2.3';
const ID_SHAKE256 = '2.16.840.1.101.3.4.2.18';

/** The hash of a certificate for certConf, and the hashAlg to send when the certificate's signature names no hash. */
export interface CertHash {
  hash: Uint8Array;
  /** Set for EdDSA certificates (and unreadable ones being refused): send it, with pvno 3 (RFC 9810 §5.3.18). */
  hashAlg?: pkijs.AlgorithmIdentifier;
}

function hashWith(oid: string, certificate: Uint8Array): Uint8Array {
  if (oid === ID_SHAKE256) return new Uint8Array(createHash('shake256', { outputLength: 64 }).update(certificate).digest());
  return new Uint8Array(createHash(DIGEST_BY_OID[oid]).update(certificate).digest());
}

/** The digest of an RSASSA-PSS signature's parameters (default SHA-1, RFC 4055). */
function pssDigest(cert: pkijs.Certificate): string | undefined {
  const params = cert.signatureAlgorithm.algorithmParams;
  if (!params) return 'sha1';
  try {
    const pss = new pkijs.RSASSAPSSParams({ schema: params });
    return DIGEST_BY_OID[pss.hashAlgorithm.algorithmId];
  } catch {
    return undefined;
  }
}

/**
 * certHash of a certificate (RFC 9810 §5.3.18): hashed with the digest of the certificate's own
 * signature algorithm (for RSASSA-PSS, the one its parameters name). EdDSA signatures have no
 * digest of their own: SHA-512 for Ed25519 and SHAKE256 for Ed448 (RFC 9481 §3.3), named in hashAlg.
 */
export function certHashOf(certificate: Uint8Array): CertHash {
  const cert = parseCertificate(certificate);
  const alg = cert.signatureAlgorithm.algorithmId;
  if (alg === '1.3.101.112') return { hash: hashWith(ID_SHA512, certificate), hashAlg: new pkijs.AlgorithmIdentifier({ algorithmId: ID_SHA512 }) };
  if (alg === ID_ED448) return { hash: hashWith(ID_SHAKE256, certificate), hashAlg: new pkijs.AlgorithmIdentifier({ algorithmId: ID_SHAKE256 }) };
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
  };
  const digest = alg === ID_RSASSA_PSS ? pssDigest(cert) : byOid[alg];
  if (!digest) throw new CmpProtocolError(`cannot compute certHash: unsupported certificate signature algorithm ${alg}`);
  return { hash: new Uint8Array(createHash(digest).update(certificate).digest()) };
}

/** certHash bytes only (see certHashOf). */
export function certHash(certificate: Uint8Array): Uint8Array {
  return certHashOf(certificate).hash;
}

/** The certHash a CA expects for an entry of certConf: with the entry's hashAlg when it names one. */
export function expectedCertHash(certificate: Uint8Array, hashAlg: pkijs.AlgorithmIdentifier | undefined): Uint8Array | undefined {
  if (!hashAlg) return certHash(certificate);
  const oid = hashAlg.algorithmId;
  return oid === ID_SHAKE256 || oid in DIGEST_BY_OID ? hashWith(oid, certificate) : undefined;
}

export interface CertConfEntry {
  certificate: Uint8Array;
  certReqId: number;
  /** When set, the certificate is refused with this status (rejection) text and failure bits. */
  reject?: { statusString: string[]; failInfo?: PKIFailureInfoName[] };
}

/**
 * certConf body; an accepted certificate carries no statusInfo (RFC 9483 §4.1.1). A certificate
 * that cannot be read (only ever refused) is hashed with SHA-256, named in hashAlg.
 */
export function certConfBody(entries: CertConfEntry[]): PKIBody {
  const content: CertStatus[] = entries.map((e) => {
    let hashed: CertHash;
    try {
      hashed = certHashOf(e.certificate);
    } catch (err) {
      if (!e.reject) throw err;
      hashed = { hash: hashWith(ID_SHA256, e.certificate), hashAlg: new pkijs.AlgorithmIdentifier({ algorithmId: ID_SHA256 }) };
    }
    const status: CertStatus = { certHash: hashed.hash, certReqId: e.certReqId };
    if (e.reject) status.statusInfo = { status: 'rejection', statusString: e.reject.statusString, failInfo: e.reject.failInfo };
    if (hashed.hashAlg) status.hashAlg = hashed.hashAlg;
    return status;
  });
  return { type: 'certConf', content };
}

/** True when a certConf body uses hashAlg, which needs pvno 3 (cmp2021). */
export function needsCmp2021(body: PKIBody): boolean {
  return body.type === 'certConf' && body.content.some((s) => s.hashAlg !== undefined);
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
