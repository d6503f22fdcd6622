// Signatures for CMP protection and CRMF proof-of-possession: one AlgorithmIdentifier per key type,
// and verification for the algorithms a CA may use. Pure functions over node's crypto.
import { createPublicKey, type KeyObject, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CmpProtocolError } from './errors.js';

const RSA_SHA: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};
const ECDSA_SHA: Record<string, string> = {
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};
const ED25519 = '1.3.101.112';
const ED448 = '1.3.101.113';

function algorithm(oid: string, withNull: boolean): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({ algorithmId: oid, ...(withNull ? { algorithmParams: new asn1js.Null() } : {}) });
}

/** The signature algorithm we use for a private key: SHA-256 (or the curve's size) with RSA/ECDSA, or EdDSA. */
export function signatureAlgorithmFor(key: KeyObject): { algorithm: pkijs.AlgorithmIdentifier; digest: string | null } {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { algorithm: algorithm('1.2.840.113549.1.1.11', true), digest: 'sha256' };
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'secp384r1') return { algorithm: algorithm('1.2.840.10045.4.3.3', false), digest: 'sha384' };
      if (curve === 'secp521r1') return { algorithm: algorithm('1.2.840.10045.4.3.4', false), digest: 'sha512' };
      return { algorithm: algorithm('1.2.840.10045.4.3.2', false), digest: 'sha256' };
    }
    case 'ed25519':
      return { algorithm: algorithm(ED25519, false), digest: null };
    case 'ed448':
      return { algorithm: algorithm(ED448, false), digest: null };
    default:
      throw new CmpProtocolError(`unsupported key type for signing: ${key.asymmetricKeyType ?? 'unknown'}`);
  }
}

/** Signs `data` with `key`; returns the algorithm identifier to send beside the signature. */
export function signData(key: KeyObject, data: Uint8Array): { algorithm: pkijs.AlgorithmIdentifier; signature: Uint8Array } {
  const { algorithm: alg, digest } = signatureAlgorithmFor(key);
  return { algorithm: alg, signature: new Uint8Array(nodeSign(digest, data, key)) };
}

/** The digest a signature algorithm uses, or null for EdDSA; undefined when unsupported. */
export function digestOfSignatureAlgorithm(oid: string): string | null | undefined {
  if (oid in RSA_SHA) return RSA_SHA[oid];
  if (oid in ECDSA_SHA) return ECDSA_SHA[oid];
  if (oid === ED25519 || oid === ED448) return null;
  return undefined;
}

/** Verifies a signature made with `algorithmId` by the holder of `publicKey` (a KeyObject or SPKI DER). */
export function verifyData(publicKey: KeyObject | Uint8Array, algorithmId: string, data: Uint8Array, signature: Uint8Array): boolean {
  const digest = digestOfSignatureAlgorithm(algorithmId);
  if (digest === undefined) throw new CmpProtocolError(`unsupported signature algorithm ${algorithmId}`);
  try {
    const key = publicKey instanceof Uint8Array ? createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' }) : publicKey;
    const type = key.asymmetricKeyType;
    const expected = algorithmId in RSA_SHA ? 'rsa' : algorithmId in ECDSA_SHA ? 'ec' : algorithmId === ED25519 ? 'ed25519' : 'ed448';
    if (type !== expected) return false;
    return nodeVerify(digest, data, key, signature);
  } catch {
    return false;
  }
}
