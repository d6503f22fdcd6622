// The signature algorithms a received message's protection may use (RFC 9481 §3, RFC 9810
// §5.1.3.3), read from the whole AlgorithmIdentifier, parameters included: RSA PKCS#1 v1.5 and
// ECDSA with SHA-1, SHA-2 and SHA-3, RSASSA-PSS with its RSASSA-PSS-params (RFC 4055: hash,
// MGF1 with that hash, salt length, trailer field 1), Ed25519 and Ed448. Anything else is refused
// by name with the reason, never guessed (cf. OpenSSL's OBJ_find_sigid_algs + EVP_DigestVerify).
import { constants, createPublicKey, type KeyObject, verify as nodeVerify } from 'node:crypto';
import * as pkijs from 'pkijs';
import { CmpProtocolError } from './errors.js';
import { ID_MGF1, ID_RSASSA_PSS, SHA2_AND_SHA3_DIGESTS } from './digests.js';

/** How node verifies one algorithm: key types it applies to, digest (null for EdDSA), PSS salt length. */
export interface SignatureScheme {
  /** Readable name for messages, e.g. `RSASSA-PSS (SHA-256, salt 32)`. */
  name: string;
  keyTypes: readonly string[];
  digest: string | null;
  pssSaltLength?: number;
}

const RSA = ['rsa'];
const EC = ['ec'];
const HASH_ONLY: Record<string, SignatureScheme> = {
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', keyTypes: RSA, digest: 'sha1' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', keyTypes: RSA, digest: 'sha224' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', keyTypes: RSA, digest: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', keyTypes: RSA, digest: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', keyTypes: RSA, digest: 'sha512' },
  '2.16.840.1.101.3.4.3.13': { name: 'id-rsassa-pkcs1-v1_5-with-sha3-224', keyTypes: RSA, digest: 'sha3-224' },
  '2.16.840.1.101.3.4.3.14': { name: 'id-rsassa-pkcs1-v1_5-with-sha3-256', keyTypes: RSA, digest: 'sha3-256' },
  '2.16.840.1.101.3.4.3.15': { name: 'id-rsassa-pkcs1-v1_5-with-sha3-384', keyTypes: RSA, digest: 'sha3-384' },
  '2.16.840.1.101.3.4.3.16': { name: 'id-rsassa-pkcs1-v1_5-with-sha3-512', keyTypes: RSA, digest: 'sha3-512' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', keyTypes: EC, digest: 'sha1' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', keyTypes: EC, digest: 'sha224' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', keyTypes: EC, digest: 'sha256' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', keyTypes: EC, digest: 'sha384' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', keyTypes: EC, digest: 'sha512' },
  '2.16.840.1.101.3.4.3.9': { name: 'id-ecdsa-with-sha3-224', keyTypes: EC, digest: 'sha3-224' },
  '2.16.840.1.101.3.4.3.10': { name: 'id-ecdsa-with-sha3-256', keyTypes: EC, digest: 'sha3-256' },
  '2.16.840.1.101.3.4.3.11': { name: 'id-ecdsa-with-sha3-384', keyTypes: EC, digest: 'sha3-384' },
  '2.16.840.1.101.3.4.3.12': { name: 'id-ecdsa-with-sha3-512', keyTypes: EC, digest: 'sha3-512' },
  '1.3.101.112': { name: 'Ed25519', keyTypes: ['ed25519'], digest: null },
  '1.3.101.113': { name: 'Ed448', keyTypes: ['ed448'], digest: null },
};

/** Hash OIDs RSASSA-PSS parameters may name. */
const PSS_HASHES = SHA2_AND_SHA3_DIGESTS;
/** Known but refused, so the reason names them. */
const REFUSED: Record<string, string> = {
  '1.3.6.1.5.5.7.6.30': 'RSASSA-PSS with SHAKE128 (RFC 8702) is not supported',
  '1.3.6.1.5.5.7.6.31': 'RSASSA-PSS with SHAKE256 (RFC 8702) is not supported',
  '1.3.6.1.5.5.7.6.32': 'ECDSA with SHAKE128 (RFC 8702) is not supported',
  '1.3.6.1.5.5.7.6.33': 'ECDSA with SHAKE256 (RFC 8702) is not supported',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption is not acceptable',
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption is not acceptable',
  '1.2.840.10040.4.3': 'dsa-with-sha1 is not supported',
};

function unsupported(oid: string, reason: string): CmpProtocolError {
  return new CmpProtocolError(`unsupported protection algorithm ${oid}: ${reason}`);
}

/** RSASSA-PSS-params (RFC 4055 §3.1); every field has a DEFAULT (SHA-1, MGF1-SHA-1, 20, 1), but the parameters themselves must be present. */
function pssScheme(alg: pkijs.AlgorithmIdentifier): SignatureScheme {
  if (alg.algorithmParams === undefined) throw unsupported(ID_RSASSA_PSS, 'RSASSA-PSS without parameters');
  let params: pkijs.RSASSAPSSParams;
  try {
    params = new pkijs.RSASSAPSSParams({ schema: alg.algorithmParams });
  } catch (err) {
    throw unsupported(ID_RSASSA_PSS, `RSASSA-PSS parameters are not valid: ${err instanceof Error ? err.message : String(err)}`);
  }
  const hashOid = params.hashAlgorithm.algorithmId;
  const digest = PSS_HASHES[hashOid];
  if (!digest) throw unsupported(ID_RSASSA_PSS, `RSASSA-PSS with hash ${hashOid} is not supported`);
  const mgf = params.maskGenAlgorithm;
  if (mgf.algorithmId !== ID_MGF1) throw unsupported(ID_RSASSA_PSS, `RSASSA-PSS mask generation ${mgf.algorithmId} is not MGF1`);
  let mgfHash: string | undefined;
  try {
    mgfHash = new pkijs.AlgorithmIdentifier({ schema: mgf.algorithmParams }).algorithmId;
  } catch {
    mgfHash = undefined;
  }
  // node (like OpenSSL's default) runs MGF1 with the signature's own hash; RFC 9481 §3.1 requires the same.
  if (mgfHash !== hashOid) throw unsupported(ID_RSASSA_PSS, `RSASSA-PSS with MGF1 over ${mgfHash ?? 'an unreadable hash'} while the hash is ${hashOid}`);
  if (params.trailerField !== 1) throw unsupported(ID_RSASSA_PSS, `RSASSA-PSS trailer field ${params.trailerField} (only 1 exists)`);
  const salt = params.saltLength;
  if (!Number.isSafeInteger(salt) || salt < 0 || salt > 1024) throw unsupported(ID_RSASSA_PSS, `RSASSA-PSS salt length ${salt}`);
  return { name: `RSASSA-PSS (${digest.toUpperCase()}, salt ${salt})`, keyTypes: ['rsa', 'rsa-pss'], digest, pssSaltLength: salt };
}

/** What the algorithm identifier asks for; throws CmpProtocolError naming the algorithm and why it is refused. */
export function signatureScheme(alg: pkijs.AlgorithmIdentifier): SignatureScheme {
  const oid = alg.algorithmId;
  if (oid === ID_RSASSA_PSS) return pssScheme(alg);
  const known = HASH_ONLY[oid];
  if (known) return known;
  throw unsupported(oid, REFUSED[oid] ?? 'not a signature algorithm this client knows');
}

/**
 * Verifies `signature` over `data` with the holder of `publicKey` (SPKI DER or KeyObject) under
 * `alg`. False when the signature or the key type does not fit; throws (CmpProtocolError) only
 * for an algorithm that is refused.
 */
export function verifySignature(publicKey: Uint8Array | KeyObject, alg: pkijs.AlgorithmIdentifier, data: Uint8Array, signature: Uint8Array): boolean {
  const scheme = signatureScheme(alg);
  let key: KeyObject;
  try {
    key = publicKey instanceof Uint8Array ? createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' }) : publicKey;
  } catch {
    return false;
  }
  if (!scheme.keyTypes.includes(key.asymmetricKeyType ?? '')) return false;
  try {
    if (scheme.pssSaltLength !== undefined) {
      return nodeVerify(scheme.digest, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.pssSaltLength }, signature);
    }
    return nodeVerify(scheme.digest, data, key, signature);
  } catch {
    return false;
  }
}
