// Sun's JKS key protector (OID 1.3.6.1.4.1.42.2.17.1.1): the PKCS#8 key XORed with a SHA-1
// keystream of password and salt, followed by SHA-1(password ‖ key) as a check. Weak by design,
// but it is what every JKS reader expects.
import { createHash, timingSafeEqual } from 'node:crypto';
import { children, parse, readOctets, readOid } from './asn1.js';
import { algorithmIdentifier, encodeDer, octetString, sequence } from '../../pki/derWriter.js';
import { StoreReadError } from '../errors.js';
import { utf16be } from './javaData.js';
import { OID } from './oids.js';

const SALT_LENGTH = 20;
const DIGEST_LENGTH = 20;

function sha1(...parts: Buffer[]): Buffer {
  const h = createHash('sha1');
  for (const part of parts) h.update(part);
  return h.digest();
}

function xorWithKeystream(data: Buffer, passwordBytes: Buffer, salt: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  let block = salt;
  for (let offset = 0; offset < data.length; offset += DIGEST_LENGTH) {
    block = sha1(passwordBytes, block);
    for (let i = 0; i < DIGEST_LENGTH && offset + i < data.length; i++) out[offset + i] = data[offset + i] ^ block[i];
  }
  return out;
}

/**
 * Protects a PKCS#8 key; returns the EncryptedPrivateKeyInfo DER. The salt is derived from the
 * password and key (not random) so that equal input gives equal JKS bytes.
 */
export function protectJksKey(pkcs8: Buffer, password: string): Buffer {
  const passwordBytes = utf16be(password);
  const salt = sha1(Buffer.from('cmpv2-operator JKS key protector salt'), passwordBytes, pkcs8);
  const check = sha1(passwordBytes, pkcs8);
  const protectedKey = Buffer.concat([salt, xorWithKeystream(pkcs8, passwordBytes, salt), check]);
  return encodeDer(sequence(algorithmIdentifier(OID.sunKeyProtector), octetString(protectedKey)));
}

/** Recovers the PKCS#8 key from an EncryptedPrivateKeyInfo written by the Sun key protector. */
export function recoverJksKey(encryptedPrivateKeyInfo: Buffer, password: string): Buffer {
  const [algorithmId, encrypted] = children(parse(encryptedPrivateKeyInfo, 'JKS key'), 'JKS key', 2);
  const id = readOid(children(algorithmId, 'JKS key algorithm', 1)[0], 'JKS key algorithm');
  if (id !== OID.sunKeyProtector) throw new StoreReadError(`JKS key is protected with unsupported algorithm ${id}`);
  const data = readOctets(encrypted, 'JKS key');
  if (data.length < SALT_LENGTH + DIGEST_LENGTH + 1) throw new StoreReadError('JKS key is truncated');
  const passwordBytes = utf16be(password);
  const salt = data.subarray(0, SALT_LENGTH);
  const body = data.subarray(SALT_LENGTH, data.length - DIGEST_LENGTH);
  const check = data.subarray(data.length - DIGEST_LENGTH);
  const pkcs8 = xorWithKeystream(body, passwordBytes, salt);
  if (!timingSafeEqual(sha1(passwordBytes, pkcs8), check)) {
    throw new StoreReadError('cannot recover the JKS key: wrong key password');
  }
  return pkcs8;
}
