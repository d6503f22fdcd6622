// Facts about DER certificates that CMP needs: subject, issuer, serial, SKI, public key, self-signed,
// who issued whom. PEM and the structural certificate reader are in src/pki.
import { X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';
import { octetString, parseDer } from './asn1/der.js';
import { CmpProtocolError } from './errors.js';

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

/** DER of the certificate's SubjectPublicKeyInfo. */
export function publicKeyDer(der: Uint8Array): Uint8Array {
  return new Uint8Array(parseCertificate(der).subjectPublicKeyInfo.toSchema().toBER(false));
}

/** The certificate as OpenSSL reads it, or undefined when it cannot. */
export function readX509(der: Uint8Array): X509Certificate | undefined {
  try {
    return new X509Certificate(Buffer.from(der));
  } catch {
    return undefined;
  }
}

/** True when `parent` is named as the issuer of `child` and its key verifies `child`'s signature. */
export function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/** True when subject = issuer and the certificate verifies with its own key. */
export function isSelfSigned(der: Uint8Array): boolean {
  try {
    const cert = new X509Certificate(Buffer.from(der));
    return cert.subject === cert.issuer && cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

/** Byte equality. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a).equals(Buffer.from(b));
}
