// Key material of the CMP backend from Secret values (PEM bytes): a private key (PKCS#1, PKCS#8
// or SEC1) and certificate lists as DER. Errors name where the value came from, never the value.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { parseCertificateBundle } from '../../pki/pem.js';

/** A private key from PEM; the error never quotes the key. */
export function readPrivateKey(pem: Buffer, where: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error(`${where} does not hold a readable PEM private key`);
  }
}

/** Every certificate of a PEM bundle as DER, in order; at least one. */
export function certificatesDer(pem: Buffer, where: string): Uint8Array[] {
  const bundle = parseCertificateBundle(pem.toString('utf8'));
  if (bundle.certificates.length === 0) throw new Error(`${where} holds no readable certificate`);
  return bundle.certificates.map((der) => new Uint8Array(der));
}
