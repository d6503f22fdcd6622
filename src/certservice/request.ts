// The certification request as CertService receives it: headers CSR, PK (and OLD_CERT, OLD_PK on
// the update endpoint), each base64 of PEM text. Decoded and checked here, each failure becoming
// CertService's 400 text. As CertService does, the PEM label of a key is not looked at: ONAP's
// own client sends a PKCS#8 body labelled `RSA PRIVATE KEY`, so a key must be a PKCS#8 body
// whatever its label says. The CSR is kept byte for byte (SHA1withRSA, reversed subjects pass
// on as they are). Keys live in the returned object only; nothing here logs.
import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import type * as pkijs from 'pkijs';
import { csrPublicKeyDer, csrSignatureValid, parseCsr } from '../cmp/csr.js';
import { parsePemBundle } from '../pki/pem.js';
import { certificateFormatError, csrFormatError, keyFormatError } from './errors.js';

/** Header values as received (node gives header names in lower case). */
export interface CertificationHeaders {
  csr?: string;
  pk?: string;
  oldCert?: string;
  oldPk?: string;
}

export interface CertificationRequest {
  /** DER of the CSR exactly as sent. */
  csrDer: Uint8Array;
  csr: pkijs.CertificationRequest;
  /** The key of the CSR (for the proof of possession of ir / cr). */
  privateKey: KeyObject;
}

export interface UpdateRequest extends CertificationRequest {
  oldCertificateDer: Uint8Array;
  oldPrivateKey: KeyObject;
}

const STRICT_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** base64 → UTF-8 text; undefined when the value is absent, empty or not base64. */
function decodeHeader(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const compact = value.trim();
  if (compact === '' || compact.length % 4 !== 0 || !STRICT_BASE64.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

/** The DER of the single PEM block of `text` whose label is one of `labels` (any label when undefined). */
function pemBody(text: string | undefined, labels?: readonly string[]): Buffer | undefined {
  if (text === undefined) return undefined;
  const { blocks } = parsePemBundle(text);
  const matching = blocks.filter((b) => labels === undefined || labels.includes(b.label));
  return matching.length === 1 ? matching[0].der : undefined;
}

const spkiOf = (key: KeyObject) => createPublicKey(key).export({ format: 'der', type: 'spki' });

/** The key types SPEC §5.1 accepts: RSA 2048–4096, EC P-256/P-384/P-521, Ed25519. */
function acceptableKey(key: KeyObject): boolean {
  const details = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return (details?.modulusLength ?? 0) >= 2048 && (details?.modulusLength ?? 0) <= 4096;
    case 'ec':
      return ['prime256v1', 'secp384r1', 'secp521r1'].includes(details?.namedCurve ?? '');
    case 'ed25519':
      return true;
    default:
      return false;
  }
}

/** A PKCS#8 private key body under any PEM label; throws CertService's key error otherwise. */
export function readPkcs8Key(header: string | undefined): KeyObject {
  const der = pemBody(decodeHeader(header));
  if (!der) throw keyFormatError();
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    // The decoder's text may quote key material: not passed on.
    throw keyFormatError();
  }
  if (!acceptableKey(key)) throw keyFormatError();
  return key;
}

/** CSR + PK of the certificate endpoint. Order as CertService: CSR first, then PK. */
export function parseCertificationRequest(headers: CertificationHeaders): CertificationRequest {
  const csrDer = pemBody(decodeHeader(headers.csr), ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
  if (!csrDer) throw csrFormatError();
  let csr: pkijs.CertificationRequest;
  let csrSpki: Buffer;
  try {
    csr = parseCsr(new Uint8Array(csrDer));
    csrSpki = createPublicKey({ key: Buffer.from(csrPublicKeyDer(new Uint8Array(csrDer))), format: 'der', type: 'spki' }).export({
      format: 'der',
      type: 'spki',
    });
  } catch (err) {
    throw csrFormatError(err);
  }
  if (!csrSignatureValid(csr)) throw csrFormatError(new Error('the CSR signature does not verify'));
  const privateKey = readPkcs8Key(headers.pk);
  if (!spkiOf(privateKey).equals(csrSpki)) throw keyFormatError(new Error('PK is not the key of the CSR'));
  return { csrDer: new Uint8Array(csrDer), csr, privateKey };
}

/** CSR, PK, OLD_CERT, OLD_PK of the update endpoint. */
export function parseUpdateRequest(headers: CertificationHeaders): UpdateRequest {
  const base = parseCertificationRequest(headers);
  const certDer = pemBody(decodeHeader(headers.oldCert), ['CERTIFICATE']);
  if (!certDer) throw certificateFormatError();
  let oldCertificate: X509Certificate;
  try {
    oldCertificate = new X509Certificate(certDer);
  } catch (err) {
    throw certificateFormatError(err);
  }
  const oldPrivateKey = readPkcs8Key(headers.oldPk);
  if (!spkiOf(oldPrivateKey).equals(oldCertificate.publicKey.export({ format: 'der', type: 'spki' }))) {
    throw keyFormatError(new Error('OLD_PK is not the key of OLD_CERT'));
  }
  return { ...base, oldCertificateDer: new Uint8Array(certDer), oldPrivateKey };
}
