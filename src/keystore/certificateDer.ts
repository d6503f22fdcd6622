// A structural check of X.509 certificate DER (RFC 5280 §4.1) that also reads notBefore. Why not
// node's X509Certificate for every CA: with OpenSSL 3.0 it decodes the public key through the
// provider decoders, ~0.1 ms per certificate, more than a PBKDF2 run for a 20-CA bundle. The
// stores carry the bytes unchanged; this check makes sure they are a well-formed certificate.

/** The bytes are not a well-formed X.509 certificate. */
export class CertificateFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateFormatError';
  }
}

interface Tlv {
  tag: number;
  /** Offset of the content. */
  start: number;
  /** Offset after the content. */
  end: number;
}

function readTlv(der: Buffer, offset: number, limit: number, what: string): Tlv {
  if (offset + 2 > limit) throw new CertificateFormatError(`${what} is truncated`);
  const tag = der[offset];
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw new CertificateFormatError(`${what} has a bad length`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i];
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new CertificateFormatError(`${what} is truncated`);
  return { tag, start, end };
}

function expect(tlv: Tlv, tag: number, what: string): Tlv {
  if (tlv.tag !== tag) throw new CertificateFormatError(`${what}: unexpected tag 0x${tlv.tag.toString(16)}`);
  return tlv;
}

function readTime(der: Buffer, tlv: Tlv): Date {
  const text = der.toString('latin1', tlv.start, tlv.end);
  const match = tlv.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : tlv.tag === 0x18 ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : null;
  if (!match) throw new CertificateFormatError('validity holds a malformed time');
  let year = Number(match[1]);
  if (tlv.tag === 0x17) year += year < 50 ? 2000 : 1900;
  const date = new Date(Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6])));
  if (Number.isNaN(date.getTime())) throw new CertificateFormatError('validity holds an impossible date');
  return date;
}

/** Checks the Certificate / TBSCertificate layout and returns notBefore. */
export function readCertificateNotBefore(der: Buffer): Date {
  const certificate = expect(readTlv(der, 0, der.length, 'certificate'), 0x30, 'certificate');
  if (certificate.end !== der.length) throw new CertificateFormatError('certificate has trailing bytes');
  const tbs = expect(readTlv(der, certificate.start, certificate.end, 'tbsCertificate'), 0x30, 'tbsCertificate');
  const signatureAlgorithm = expect(readTlv(der, tbs.end, certificate.end, 'signatureAlgorithm'), 0x30, 'signatureAlgorithm');
  const signature = expect(readTlv(der, signatureAlgorithm.end, certificate.end, 'signature'), 0x03, 'signature');
  if (signature.end !== certificate.end) throw new CertificateFormatError('certificate has extra fields');
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
  let rest = expect(readTlv(der, subject.end, tbs.end, 'subjectPublicKeyInfo'), 0x30, 'subjectPublicKeyInfo');
  // issuerUniqueID [1], subjectUniqueID [2], extensions [3]: each well-formed, nothing after.
  while (rest.end < tbs.end) {
    rest = readTlv(der, rest.end, tbs.end, 'tbsCertificate field');
    if (rest.tag !== 0x81 && rest.tag !== 0x82 && rest.tag !== 0xa3) throw new CertificateFormatError('tbsCertificate has an unknown field');
  }
  return readTime(der, notBefore);
}
