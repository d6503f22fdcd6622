// Builds and signs one X.509 v3 certificate with pkijs for the structure and node's crypto for
// the signature (no global crypto engine), with the signature algorithms of ../signature.ts.
// Everything the certificate says is passed in.
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { signatureAlgorithmFor, signData } from '../signature.js';

/** One extension as it goes into the certificate: `value` is the DER inside extnValue. */
export interface CertificateExtension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

/** What a certificate states; the signer adds nothing but serial-independent encoding. */
export interface CertificateContent {
  /** DER of the subject Name. */
  subject: Uint8Array;
  /** DER of the issuer Name (the subject of the signing certificate). */
  issuer: Uint8Array;
  /** DER of the SubjectPublicKeyInfo, copied bit for bit. */
  publicKeyInfo: Uint8Array;
  serialNumber: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  extensions: CertificateExtension[];
}

export const OID = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
} as const;

/** A positive 128-bit serial number (RFC 5280: at most 20 octets, positive, unpredictable). */
export function randomSerialNumber(): Uint8Array {
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive and no leading zero octet
  return serial;
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING value. */
export function keyIdentifierOf(publicKeyInfo: Uint8Array): Uint8Array {
  const spki = pkijs.PublicKeyInfo.fromBER(publicKeyInfo);
  const bits = spki.subjectPublicKey.valueBlock.valueHexView;
  return new Uint8Array(createHash('sha1').update(bits).digest());
}

/** Returns GeneralizedTime from 2050 on, UTCTime before (RFC 5280 §4.1.2.5); whole seconds only. */
function x509Time(date: Date): pkijs.Time {
  const value = new Date(Math.floor(date.getTime() / 1000) * 1000);
  return new pkijs.Time({ type: value.getUTCFullYear() >= 2050 ? 1 : 0, value });
}

/** The bytes as a standalone ArrayBuffer, the form pkijs and asn1js constructors take. */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Encodes the content as a TBSCertificate, signs it with `signerKey`, returns the DER. */
export function signCertificate(content: CertificateContent, signerKey: KeyObject): Uint8Array {
  const certificate = new pkijs.Certificate({
    version: 2,
    serialNumber: new asn1js.Integer({ valueHex: toArrayBuffer(content.serialNumber) }),
    signature: signatureAlgorithmFor(signerKey).algorithm,
    issuer: pkijs.RelativeDistinguishedNames.fromBER(toArrayBuffer(content.issuer)),
    notBefore: x509Time(content.notBefore),
    notAfter: x509Time(content.notAfter),
    subject: pkijs.RelativeDistinguishedNames.fromBER(toArrayBuffer(content.subject)),
    subjectPublicKeyInfo: pkijs.PublicKeyInfo.fromBER(toArrayBuffer(content.publicKeyInfo)),
    extensions: content.extensions.map(
      (extension) =>
        new pkijs.Extension({
          extnID: extension.oid,
          critical: extension.critical,
          extnValue: toArrayBuffer(extension.value),
        }),
    ),
  });
  const tbs = new Uint8Array(certificate.encodeTBS().toBER());
  const { algorithm, signature } = signData(signerKey, tbs);
  certificate.tbsView = tbs;
  certificate.signatureAlgorithm = algorithm;
  certificate.signatureValue = new asn1js.BitString({ valueHex: toArrayBuffer(signature) });
  return new Uint8Array(certificate.toSchema().toBER());
}
