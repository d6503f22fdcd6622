// A structural check of X.509 certificate DER (RFC 5280 §4.1) that also reads notBefore. Why not
// node's X509Certificate for every CA: with OpenSSL 3.0 it decodes the public key through the
// provider decoders, ~0.1 ms per certificate, more than a PBKDF2 run for a 20-CA bundle. The
// stores carry the bytes unchanged; this check makes sure they are a well-formed certificate.
// Also the one way a certificate's subject is printed in messages (`subjectLine`).
import type { X509Certificate } from 'node:crypto';
import { DerFormatError, expectTag, readTlv, type Tlv } from './derReader.js';

/** The bytes are not a well-formed X.509 certificate. */
export class CertificateFormatError extends DerFormatError {}

const expect = expectTag;

function readTime(der: Buffer, tlv: Tlv): Date {
  const text = der.toString('latin1', tlv.start, tlv.end);
  const match =
    tlv.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : tlv.tag === 0x18
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
        : null;
  if (!match) throw new DerFormatError('validity holds a malformed time');
  let year = Number(match[1]);
  if (tlv.tag === 0x17) year += year < 50 ? 2000 : 1900;
  const date = new Date(Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6])));
  if (Number.isNaN(date.getTime())) throw new DerFormatError('validity holds an impossible date');
  return date;
}

export interface CertificateFields {
  notBefore: Date;
  /** The DER of SubjectPublicKeyInfo (a view into the certificate bytes). */
  subjectPublicKeyInfo: Buffer;
}

/** Checks the Certificate / TBSCertificate layout and returns notBefore. */
export function readCertificateNotBefore(der: Buffer): Date {
  return readCertificateFields(der).notBefore;
}

/** Checks the Certificate / TBSCertificate layout and returns the fields the stores use. */
export function readCertificateFields(der: Buffer): CertificateFields {
  try {
    return walkCertificate(der);
  } catch (err) {
    if (err instanceof DerFormatError && !(err instanceof CertificateFormatError)) throw new CertificateFormatError(err.message);
    throw err;
  }
}

function walkCertificate(der: Buffer): CertificateFields {
  const certificate = expect(readTlv(der, 0, der.length, 'certificate'), 0x30, 'certificate');
  if (certificate.end !== der.length) throw new DerFormatError('certificate has trailing bytes');
  const tbs = expect(readTlv(der, certificate.start, certificate.end, 'tbsCertificate'), 0x30, 'tbsCertificate');
  const signatureAlgorithm = expect(readTlv(der, tbs.end, certificate.end, 'signatureAlgorithm'), 0x30, 'signatureAlgorithm');
  const signature = expect(readTlv(der, signatureAlgorithm.end, certificate.end, 'signature'), 0x03, 'signature');
  if (signature.end !== certificate.end) throw new DerFormatError('certificate has extra fields');
  let field = readTlv(der, tbs.start, tbs.end, 'version');
  if (field.tag === 0xa0) field = readTlv(der, field.end, tbs.end, 'serialNumber'); // [0] EXPLICIT version
  expect(field, 0x02, 'serialNumber');
  const innerSignature = expect(readTlv(der, field.end, tbs.end, 'signature'), 0x30, 'signature');
  const issuer = expect(readTlv(der, innerSignature.end, tbs.end, 'issuer'), 0x30, 'issuer');
  const validity = expect(readTlv(der, issuer.end, tbs.end, 'validity'), 0x30, 'validity');
  const notBefore = readTlv(der, validity.start, validity.end, 'notBefore');
  const notAfter = readTlv(der, notBefore.end, validity.end, 'notAfter');
  readTime(der, notAfter);
  const subject = expect(readTlv(der, validity.end, tbs.end, 'subject'), 0x30, 'subject');
  const spki = expect(readTlv(der, subject.end, tbs.end, 'subjectPublicKeyInfo'), 0x30, 'subjectPublicKeyInfo');
  let rest = spki;
  // issuerUniqueID [1], subjectUniqueID [2], extensions [3]: each well-formed, nothing after.
  while (rest.end < tbs.end) {
    rest = readTlv(der, rest.end, tbs.end, 'tbsCertificate field');
    if (rest.tag !== 0x81 && rest.tag !== 0x82 && rest.tag !== 0xa3) throw new DerFormatError('tbsCertificate has an unknown field');
  }
  return { notBefore: readTime(der, notBefore), subjectPublicKeyInfo: der.subarray(subject.end, spki.end) };
}

/** The subject as one line for messages and logs, e.g. "CN=a, O=b" (node prints one RDN a line). */
export function subjectLine(certificate: X509Certificate): string {
  return certificate.subject.replace(/\n/g, ', ');
}
