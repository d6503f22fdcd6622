// Password-based encryption of PKCS#12 bags and safes: PBES2 (PBKDF2 + AES/3DES-CBC) and the
// PKCS#12 pbeWithSHAAnd… schemes. Node's crypto does PBKDF2, AES, 3DES and HMAC; node-forge
// only RC2 (the 40-bit legacy cipher OpenSSL 3 moved to its legacy provider).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { children, readInt, readOctets, readOid, type Node } from './asn1.js';
import { algorithmIdentifier, integer, octetString, sequence, type DerValue } from '../../pki/derWriter.js';
import { StoreReadError } from '../errors.js';
import { KeyDerivations } from '../crypto/keyDerivations.js';
import { OID } from './oids.js';

export type EncryptionScheme = 'pbes2-aes256-cbc' | 'pbe-sha1-3des' | 'pbe-sha1-rc2-40';

export interface Encrypted {
  /** The AlgorithmIdentifier with its parameters. */
  algorithmId: DerValue;
  ciphertext: Buffer;
}

function rc2(encrypt: boolean, key: Buffer, bits: number, iv: Buffer, data: Buffer): Buffer {
  const make = encrypt ? forge.rc2.createEncryptionCipher : forge.rc2.createDecryptionCipher;
  const cipher = make(forge.util.createBuffer(key.toString('binary')), bits);
  cipher.start(forge.util.createBuffer(iv.toString('binary')));
  cipher.update(forge.util.createBuffer(data.toString('binary')));
  if (!cipher.finish()) throw new StoreReadError('RC2 decryption failed: wrong password or damaged store');
  return Buffer.from(cipher.output.getBytes(), 'binary');
}

function nodeCipher(encrypt: boolean, name: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  if (encrypt) {
    const cipher = createCipheriv(name, key, iv);
    return Buffer.concat([cipher.update(data), cipher.final()]);
  }
  try {
    const decipher = createDecipheriv(name, key, iv);
    return Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    throw new StoreReadError('decryption failed: wrong password or damaged store');
  }
}

/**
 * Encrypts `plaintext` with `scheme`; PBES2 reuses the build's shared salt and derived key. The
 * keys are derived asynchronously (PBKDF2 on libuv's thread pool).
 */
export async function encrypt(
  scheme: EncryptionScheme,
  plaintext: Buffer,
  password: string,
  iterations: number,
  derivations: KeyDerivations,
): Promise<Encrypted> {
  if (scheme === 'pbes2-aes256-cbc') {
    const salt = derivations.sharedSalt('pbes2', password);
    const key = await derivations.pbkdf2Async(password, salt, iterations, 32, 'sha256');
    const iv = randomBytes(16);
    const kdf = algorithmIdentifier(OID.pbkdf2, sequence(octetString(salt), integer(iterations), algorithmIdentifier(OID.hmacWithSHA256)));
    const algorithmId = algorithmIdentifier(OID.pbes2, sequence(kdf, algorithmIdentifier(OID.aes256Cbc, octetString(iv))));
    return { algorithmId, ciphertext: nodeCipher(true, 'aes-256-cbc', key, iv, plaintext) };
  }
  const salt = derivations.freshSalt();
  const params = sequence(octetString(salt), integer(iterations));
  if (scheme === 'pbe-sha1-3des') {
    const key = await derivations.pkcs12Async('sha1', password, salt, 1, iterations, 24);
    const iv = await derivations.pkcs12Async('sha1', password, salt, 2, iterations, 8);
    return { algorithmId: algorithmIdentifier(OID.pbeWithSHAAnd3KeyTripleDesCbc, params), ciphertext: nodeCipher(true, 'des-ede3-cbc', key, iv, plaintext) };
  }
  const key = await derivations.pkcs12Async('sha1', password, salt, 1, iterations, 5);
  const iv = await derivations.pkcs12Async('sha1', password, salt, 2, iterations, 8);
  return { algorithmId: algorithmIdentifier(OID.pbeWithSHAAnd40BitRC2Cbc, params), ciphertext: rc2(true, key, 40, iv, plaintext) };
}

const PRF: Record<string, string> = {
  [OID.hmacWithSHA1]: 'sha1',
  [OID.hmacWithSHA224]: 'sha224',
  [OID.hmacWithSHA256]: 'sha256',
  [OID.hmacWithSHA384]: 'sha384',
  [OID.hmacWithSHA512]: 'sha512',
};

const PBES2_CIPHERS: Record<string, { name: string; keyLength: number }> = {
  [OID.aes128Cbc]: { name: 'aes-128-cbc', keyLength: 16 },
  [OID.aes192Cbc]: { name: 'aes-192-cbc', keyLength: 24 },
  [OID.aes256Cbc]: { name: 'aes-256-cbc', keyLength: 32 },
  [OID.desEde3Cbc]: { name: 'des-ede3-cbc', keyLength: 24 },
};

function decryptPbes2(parameters: Node | undefined, ciphertext: Buffer, password: string, derivations: KeyDerivations): Buffer {
  const [kdf, scheme] = children(parameters, 'PBES2 parameters', 2);
  const [kdfId, kdfParams] = children(kdf, 'PBES2 key derivation', 2);
  if (readOid(kdfId, 'PBES2 key derivation') !== OID.pbkdf2) throw new StoreReadError('PBES2 with a key derivation other than PBKDF2 is not supported');
  const fields = children(kdfParams, 'PBKDF2 parameters', 2);
  const salt = readOctets(fields[0], 'PBKDF2 salt');
  const iterations = readInt(fields[1], 'PBKDF2 iterations');
  let prf = 'sha1';
  for (const field of fields.slice(2)) {
    if (field.idBlock.isConstructed) {
      const prfId = readOid(children(field, 'PBKDF2 prf', 1)[0], 'PBKDF2 prf');
      const name = PRF[prfId];
      if (!name) throw new StoreReadError(`PBKDF2 PRF ${prfId} is not supported`);
      prf = name;
    }
  }
  const [cipherId, ivNode] = children(scheme, 'PBES2 encryption scheme', 2);
  const cipherOid = readOid(cipherId, 'PBES2 cipher');
  const cipher = PBES2_CIPHERS[cipherOid];
  if (!cipher) throw new StoreReadError(`PBES2 cipher ${cipherOid} is not supported`);
  if (iterations < 1 || iterations > 10_000_000) throw new StoreReadError('PBKDF2 iteration count out of range');
  const key = derivations.pbkdf2(password, salt, iterations, cipher.keyLength, prf);
  return nodeCipher(false, cipher.name, key, readOctets(ivNode, 'PBES2 IV'), ciphertext);
}

/** Decrypts data encrypted under the AlgorithmIdentifier `algorithmIdNode`. */
export function decrypt(algorithmIdNode: Node, ciphertext: Buffer, password: string, derivations: KeyDerivations): Buffer {
  const [idNode, parameters] = children(algorithmIdNode, 'encryption algorithm', 1);
  const id = readOid(idNode, 'encryption algorithm');
  if (id === OID.pbes2) return decryptPbes2(parameters, ciphertext, password, derivations);
  const pbe = {
    [OID.pbeWithSHAAnd3KeyTripleDesCbc]: { keyLength: 24, rc2Bits: 0 },
    [OID.pbeWithSHAAnd40BitRC2Cbc]: { keyLength: 5, rc2Bits: 40 },
    [OID.pbeWithSHAAnd128BitRC2Cbc]: { keyLength: 16, rc2Bits: 128 },
  }[id];
  if (!pbe) throw new StoreReadError(`encryption algorithm ${id} is not supported`);
  const [saltNode, iterationsNode] = children(parameters, 'PKCS#12 PBE parameters', 2);
  const salt = readOctets(saltNode, 'PBE salt');
  const iterations = readInt(iterationsNode, 'PBE iterations');
  if (iterations < 1 || iterations > 10_000_000) throw new StoreReadError('PBE iteration count out of range');
  const key = derivations.pkcs12('sha1', password, salt, 1, iterations, pbe.keyLength);
  const iv = derivations.pkcs12('sha1', password, salt, 2, iterations, 8);
  return pbe.rc2Bits ? rc2(false, key, pbe.rc2Bits, iv, ciphertext) : nodeCipher(false, 'des-ede3-cbc', key, iv, ciphertext);
}
