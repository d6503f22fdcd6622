// Fast import of RSA and EC private keys. Why: with OpenSSL 3.0, node's DER/PEM key import goes
// through the provider decoders and costs ~0.8 ms, more than a PBKDF2 run; importing the same
// numbers as a JWK takes ~0.1 ms. We read the numbers from PKCS#8 / PKCS#1 / SEC1 ourselves and
// return undefined for anything unusual (Ed25519, multi-prime RSA, EC keys without their public
// point), which the caller then imports the ordinary way.
import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { expectTag, oidText, readChildren, readTlv, type Tlv } from './derReader.js';
import { algorithmIdentifier, bitString, encodeDer, nullValue, objectIdentifier, sequence, unsignedInteger } from './derWriter.js';

const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const CURVES: Record<string, { crv: string; size: number }> = {
  '1.2.840.10045.3.1.7': { crv: 'P-256', size: 32 },
  '1.3.132.0.34': { crv: 'P-384', size: 48 },
  '1.3.132.0.35': { crv: 'P-521', size: 66 },
};

const b64url = (bytes: Buffer): string => bytes.toString('base64url');

/** An INTEGER's magnitude without the sign-padding zero. */
function unsigned(der: Buffer, tlv: Tlv): Buffer {
  let start = tlv.start;
  while (start < tlv.end - 1 && der[start] === 0) start++;
  return der.subarray(start, tlv.end);
}

function rsaJwk(der: Buffer, outer: Tlv): JsonWebKey | undefined {
  const fields = readChildren(der, expectTag(outer, 0x30, 'RSAPrivateKey'), 'RSAPrivateKey');
  if (fields.length !== 9 || fields.some((f) => f.tag !== 0x02)) return undefined; // multi-prime or odd
  if (fields[0].end - fields[0].start !== 1 || der[fields[0].start] !== 0) return undefined;
  const [n, e, d, p, q, dp, dq, qi] = fields.slice(1).map((f) => b64url(unsigned(der, f)));
  return { kty: 'RSA', n, e, d, p, q, dp, dq, qi };
}

function ecJwk(der: Buffer, outer: Tlv, curveOid: string | undefined): JsonWebKey | undefined {
  const fields = readChildren(der, expectTag(outer, 0x30, 'ECPrivateKey'), 'ECPrivateKey');
  if (fields.length < 2 || fields[0].tag !== 0x02 || fields[1].tag !== 0x04) return undefined;
  let curve = curveOid;
  let publicKey: Tlv | undefined;
  for (const field of fields.slice(2)) {
    if (field.tag === 0xa0) curve = oidText(der, expectTag(readTlv(der, field.start, field.end, 'parameters'), 0x06, 'parameters'));
    if (field.tag === 0xa1) publicKey = expectTag(readTlv(der, field.start, field.end, 'publicKey'), 0x03, 'publicKey');
  }
  const info = curve === undefined ? undefined : CURVES[curve];
  if (!info || !publicKey) return undefined;
  // BIT STRING: unused-bits byte 0, then the uncompressed point 04 ‖ X ‖ Y.
  if (publicKey.end - publicKey.start !== 2 + 2 * info.size || der[publicKey.start] !== 0 || der[publicKey.start + 1] !== 0x04) return undefined;
  const dBytes = der.subarray(fields[1].start, fields[1].end);
  if (dBytes.length > info.size) return undefined;
  const d = Buffer.concat([Buffer.alloc(info.size - dBytes.length), dBytes]);
  const x = der.subarray(publicKey.start + 2, publicKey.start + 2 + info.size);
  const y = der.subarray(publicKey.start + 2 + info.size, publicKey.end);
  return { kty: 'EC', crv: info.crv, d: b64url(d), x: b64url(x), y: b64url(y) };
}

function jwkOf(der: Buffer, structure: 'pkcs8' | 'pkcs1' | 'sec1'): JsonWebKey | undefined {
  const outer = readTlv(der, 0, der.length, 'key');
  if (outer.end !== der.length) return undefined;
  if (structure === 'pkcs1') return rsaJwk(der, outer);
  if (structure === 'sec1') return ecJwk(der, outer, undefined);
  const [version, algorithm, privateKey] = readChildren(der, expectTag(outer, 0x30, 'PrivateKeyInfo'), 'PrivateKeyInfo');
  if (!version || !algorithm || !privateKey || version.tag !== 0x02 || privateKey.tag !== 0x04) return undefined;
  const [id, parameters] = readChildren(der, expectTag(algorithm, 0x30, 'algorithm'), 'algorithm');
  const inner = readTlv(der, privateKey.start, privateKey.end, 'privateKey');
  if (inner.end !== privateKey.end) return undefined;
  const algorithmOid = oidText(der, expectTag(id, 0x06, 'algorithm'));
  if (algorithmOid === RSA_ENCRYPTION) return rsaJwk(der, inner);
  if (algorithmOid === EC_PUBLIC_KEY && parameters?.tag === 0x06) return ecJwk(der, inner, oidText(der, parameters));
  return undefined;
}

const CURVE_OIDS: Record<string, string> = Object.fromEntries(Object.entries(CURVES).map(([oid, { crv }]) => [crv, oid]));

/** The SubjectPublicKeyInfo a certificate for this key carries, in its canonical DER. */
function subjectPublicKeyInfo(jwk: JsonWebKey): Buffer {
  const bytes = (value: string | undefined): Buffer => Buffer.from(value ?? '', 'base64url');
  if (jwk.kty === 'RSA') {
    return encodeDer(
      sequence(algorithmIdentifier(RSA_ENCRYPTION, nullValue()), bitString(encodeDer(sequence(unsignedInteger(bytes(jwk.n)), unsignedInteger(bytes(jwk.e)))))),
    );
  }
  return encodeDer(
    sequence(
      algorithmIdentifier(EC_PUBLIC_KEY, objectIdentifier(CURVE_OIDS[jwk.crv ?? ''])),
      bitString(Buffer.concat([Buffer.from([4]), bytes(jwk.x), bytes(jwk.y)])),
    ),
  );
}

export interface FastImportedKey {
  key: KeyObject;
  /** What a matching certificate's SubjectPublicKeyInfo is, byte for byte. */
  subjectPublicKeyInfo: Buffer;
}

/** The key through the JWK route, or undefined when the caller should use node's DER import. */
export function importKeyFast(der: Buffer, structure: 'pkcs8' | 'pkcs1' | 'sec1'): FastImportedKey | undefined {
  try {
    const jwk = jwkOf(der, structure);
    return jwk ? { key: createPrivateKey({ key: jwk, format: 'jwk' }), subjectPublicKeyInfo: subjectPublicKeyInfo(jwk) } : undefined;
  } catch {
    return undefined;
  }
}
