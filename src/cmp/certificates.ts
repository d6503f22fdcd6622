// Facts about DER certificates that CMP needs: subject, issuer, serial, SKI, public key, self-signed,
// who issued whom. PEM and the structural certificate reader are in src/pki.
import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { octetString, parseDer } from './asn1/der.js';
import { CmpProtocolError } from './errors.js';
import { readCertificateFields } from '../pki/certificate.js';
import { RecentByBytes } from '../pki/recentByBytes.js';

const SUBJECT_KEY_IDENTIFIER = '2.5.29.14';

/** Parses a DER certificate with pkijs; throws CmpProtocolError when unreadable. */
export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  try {
    return pkijs.Certificate.fromBER(der);
  } catch (err) {
    throw new CmpProtocolError(`not a readable certificate (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** The subjectKeyIdentifier extension's key id, if the certificate has one. */
export function subjectKeyIdentifier(der: Uint8Array): Uint8Array | undefined {
  const ext = parseCertificate(der).extensions?.find((e) => e.extnID === SUBJECT_KEY_IDENTIFIER);
  if (!ext) return undefined;
  try {
    return octetString(parseDer(ext.extnValue.valueBlock.valueHexView, 'subjectKeyIdentifier'), 'subjectKeyIdentifier');
  } catch {
    return undefined;
  }
}

/**
 * DER of the certificate's SubjectPublicKeyInfo: cut out by the structural reader (a few µs),
 * or through pkijs (~1–3 ms) for a certificate that reader refuses.
 */
export function publicKeyDer(der: Uint8Array): Uint8Array {
  try {
    return Uint8Array.from(readCertificateFields(Buffer.from(der.buffer, der.byteOffset, der.byteLength)).subjectPublicKeyInfo);
  } catch {
    return new Uint8Array(parseCertificate(der).subjectPublicKeyInfo.toSchema().toBER(false));
  }
}

// The CA's certificates come back in every answer: OpenSSL's parse (~0.15 ms) and each signature
// check (~0.1–1 ms) are done once per certificate, or pair, while they keep coming back. An
// X509Certificate never changes, so one object can serve every reader.
const parsed = new RecentByBytes<X509Certificate | undefined>(256);
const verifiedIssuers = new WeakMap<X509Certificate, WeakMap<X509Certificate, boolean>>();
const selfSigned = new WeakMap<X509Certificate, boolean>();

/** The certificate as OpenSSL reads it, or undefined when it cannot. */
export function readX509(der: Uint8Array): X509Certificate | undefined {
  return parsed.get(der, () => {
    try {
      return new X509Certificate(Buffer.from(der));
    } catch {
      return undefined;
    }
  });
}

/** True when `parent` is named as the issuer of `child` and its key verifies `child`'s signature. */
export function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  let verdicts = verifiedIssuers.get(child);
  const known = verdicts?.get(parent);
  if (known !== undefined) return known;
  let verdict: boolean;
  try {
    verdict = child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    verdict = false;
  }
  if (!verdicts) verifiedIssuers.set(child, (verdicts = new WeakMap()));
  verdicts.set(parent, verdict);
  return verdict;
}

/** True when subject = issuer and the certificate verifies with its own key. */
export function isSelfSigned(der: Uint8Array): boolean {
  const cert = readX509(der);
  if (!cert) return false;
  let verdict = selfSigned.get(cert);
  if (verdict === undefined) {
    try {
      verdict = cert.subject === cert.issuer && cert.verify(cert.publicKey);
    } catch {
      verdict = false;
    }
    selfSigned.set(cert, verdict);
  }
  return verdict;
}

/** Byte equality. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a).equals(Buffer.from(b));
}

const KEY_USAGE = '2.5.29.15';
const BASIC_CONSTRAINTS = '2.5.29.19';
/** keyUsage bit names in bit order (RFC 5280 §4.2.1.3). */
const KEY_USAGE_BITS = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign'] as const;
export type KeyUsageName = (typeof KEY_USAGE_BITS)[number];
/**
 * Extensions a path check may meet marked critical and still accept: those it evaluates (key
 * usage, basic constraints) and those that only describe (names, key ids, policies, pointers).
 */
const UNDERSTOOD_EXTENSIONS = new Set([
  KEY_USAGE,
  BASIC_CONSTRAINTS,
  SUBJECT_KEY_IDENTIFIER,
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.17', // subjectAltName
  '2.5.29.18', // issuerAltName
  '2.5.29.37', // extKeyUsage
  '2.5.29.32', // certificatePolicies (no policy processing asked for)
  '2.5.29.31', // cRLDistributionPoints
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
]);

/** What a path check needs of a certificate: key usage bits (undefined: no extension), CA flag, pathLen, unknown critical extensions. */
export interface CertificateConstraints {
  keyUsage?: Set<KeyUsageName>;
  ca: boolean;
  pathLen?: number;
  unknownCritical: string[];
}

/** Reads key usage, basic constraints and the critical extensions this library does not evaluate. */
export function certificateConstraints(der: Uint8Array): CertificateConstraints {
  const cert = parseCertificate(der);
  const result: CertificateConstraints = { ca: false, unknownCritical: [] };
  for (const ext of cert.extensions ?? []) {
    if (ext.critical && !UNDERSTOOD_EXTENSIONS.has(ext.extnID)) result.unknownCritical.push(ext.extnID);
    if (ext.extnID === KEY_USAGE) {
      const bits = ext.parsedValue instanceof asn1js.BitString ? ext.parsedValue.valueBlock.valueHexView : new Uint8Array(0);
      const usage = new Set<KeyUsageName>();
      KEY_USAGE_BITS.forEach((name, i) => {
        if ((bits[i >> 3] ?? 0) & (0x80 >> (i & 7))) usage.add(name);
      });
      result.keyUsage = usage;
    } else if (ext.extnID === BASIC_CONSTRAINTS && ext.parsedValue instanceof pkijs.BasicConstraints) {
      result.ca = ext.parsedValue.cA === true;
      const len = ext.parsedValue.pathLenConstraint;
      if (typeof len === 'number') result.pathLen = len;
      else if (len instanceof asn1js.Integer) result.pathLen = len.valueBlock.valueDec;
    }
  }
  return result;
}
