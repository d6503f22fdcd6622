// Private keys from PEM (a Secret's tls.key, a --key file): RSA, EC P-256/P-384/P-521 and
// Ed25519, in PKCS#1, PKCS#8 or SEC1 PEM. Node's crypto does the decoding; this file picks the
// block, names what it found and turns every failure into a typed, secret-free error.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { looksLikeDer, parsePemBundle } from './pem.js';
import { UnreadablePrivateKeyError, UnsupportedKeyTypeError } from './errors.js';
import { importKeyFast } from './keyImport.js';

export type KeyAlgorithm = 'RSA' | 'EC P-256' | 'EC P-384' | 'EC P-521' | 'Ed25519';

export interface LoadedPrivateKey {
  key: KeyObject;
  algorithm: KeyAlgorithm;
  /** The key as unencrypted PKCS#8 DER, the form JKS and PKCS#12 store. */
  pkcs8: Buffer;
  /** The SubjectPublicKeyInfo DER a matching certificate carries, when known without OpenSSL. */
  subjectPublicKeyInfo?: Buffer;
}

/** PEM label → the DER structure node should decode it as. */
const KEY_LABELS: Record<string, 'pkcs8' | 'pkcs1' | 'sec1'> = {
  'PRIVATE KEY': 'pkcs8',
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1',
};

const EC_CURVES: Record<string, KeyAlgorithm> = {
  prime256v1: 'EC P-256',
  secp384r1: 'EC P-384',
  secp521r1: 'EC P-521',
};

/** Reads the first private key block of `pem` (an `EC PARAMETERS` block before it is fine). */
export function loadPrivateKey(pem: string): LoadedPrivateKey {
  if (looksLikeDer(pem)) {
    throw new UnreadablePrivateKeyError('the private key is binary DER, not PEM; convert it with `openssl pkey -inform der -in FILE -out FILE.pem`');
  }
  const { blocks, problems } = parsePemBundle(pem, 'the private key');
  // PKCS#8 EncryptedPrivateKeyInfo, or OpenSSL's legacy "Proc-Type: 4,ENCRYPTED" RSA/EC block.
  if (blocks.some((b) => b.label === 'ENCRYPTED PRIVATE KEY' || (b.label in KEY_LABELS && /ENCRYPTED/.test(b.headers?.['Proc-Type'] ?? '')))) {
    throw new UnreadablePrivateKeyError(
      'the private key is encrypted; give it unencrypted (PKCS#1, PKCS#8 or SEC1 PEM), e.g. decrypt it with `openssl pkey -in FILE -out FILE.plain.pem`',
    );
  }
  const block = blocks.find((b) => b.label in KEY_LABELS);
  if (!block) {
    const damaged = problems.find((p) => p.label in KEY_LABELS || p.label === 'ENCRYPTED PRIVATE KEY');
    const why = damaged ? `the ${damaged.label} block is unreadable (${damaged.reason})` : 'no private key found';
    throw new UnreadablePrivateKeyError(`${why}: expected a PEM block PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY`);
  }
  const structure = KEY_LABELS[block.label];
  const fast = importKeyFast(block.der, structure);
  const key = fast?.key ?? importKeyWithDecoder(block.der, structure, block.label);
  const algorithm = keyAlgorithm(key);
  // PKCS#8 input is kept as given (re-encoding it costs as much as a hash of 2048 rounds).
  const pkcs8 = structure === 'pkcs8' ? block.der : key.export({ format: 'der', type: 'pkcs8' });
  return { key, algorithm, pkcs8, subjectPublicKeyInfo: fast?.subjectPublicKeyInfo };
}

function importKeyWithDecoder(der: Buffer, structure: 'pkcs8' | 'pkcs1' | 'sec1', label: string): KeyObject {
  try {
    return createPrivateKey({ key: der, format: 'der', type: structure });
  } catch {
    // The library message may quote key bytes; say only what the block claimed to be.
    throw new UnreadablePrivateKeyError(`the ${label} block cannot be decoded as a private key (damaged or not a ${label}); export the key again as PEM`);
  }
}

function keyAlgorithm(key: KeyObject): KeyAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return 'RSA';
  if (type === 'ed25519') return 'Ed25519';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown';
    const algorithm = EC_CURVES[curve];
    if (algorithm) return algorithm;
    throw new UnsupportedKeyTypeError(`EC curve ${curve} is not supported; use P-256, P-384 or P-521`);
  }
  throw new UnsupportedKeyTypeError(`${type ?? 'unknown'} keys are not supported; use RSA, EC (P-256, P-384, P-521) or Ed25519`);
}

/** True when `certificate` holds the public half of `key`. */
export function keyMatchesCertificate(key: LoadedPrivateKey, certificate: X509Certificate): boolean {
  try {
    return certificate.checkPrivateKey(key.key);
  } catch {
    return false;
  }
}

/**
 * The same answer from the certificate's SubjectPublicKeyInfo bytes: equal canonical DER is a
 * match without any parsing; anything else is decided by OpenSSL (`keyMatchesCertificate`).
 */
export function keyMatchesCertificateDer(key: LoadedPrivateKey, certificateDer: Buffer, subjectPublicKeyInfo: Buffer): boolean {
  if (key.subjectPublicKeyInfo?.equals(subjectPublicKeyInfo)) return true;
  try {
    return keyMatchesCertificate(key, new X509Certificate(certificateDer));
  } catch {
    return false;
  }
}
