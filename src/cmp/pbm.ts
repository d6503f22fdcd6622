// Password-based MAC (RFC 4211 §4.4, RFC 9810 §5.1.3.1): pure functions with the RFC's bounds.
// BASEKEY = OWF(secret || salt), then OWF applied again until iterationCount applications in total;
// MAC = HMAC(BASEKEY, data). A peer's iteration count is bounded so a message cannot make us spin.
import { createHash, createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ID_PASSWORD_BASED_MAC, type PBMParameter, encodePBMParameter } from './asn1/PBMParameter.js';
import { CmpProtocolError } from './errors.js';
import { iteratedSha1 } from '../pki/iteratedSha1.js';
import { iteratedSha256 } from '../pki/iteratedSha256.js';

export { ID_PASSWORD_BASED_MAC };

/** RFC 4211 asks for at least 100 iterations. */
export const PBM_MIN_ITERATIONS = 100;
/** Upper bound for a peer's count (OpenSSL uses the same); 10^9 iterations would block for minutes. */
export const PBM_MAX_ITERATIONS = 100_000;

/** One-way functions by OID. */
export const PBM_OWF: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
/** MAC algorithms by OID: HMAC-SHA1 (RFC 2404 / IPsec OID, what CMP uses) and the PKCS#5 hmacWithSHA*. */
export const PBM_MAC: Record<string, string> = {
  '1.3.6.1.5.5.8.1.2': 'sha1',
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
export const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
export const OID_SHA1 = '1.3.14.3.2.26';
export const OID_HMAC_SHA1 = '1.3.6.1.5.5.8.1.2';
export const OID_HMAC_WITH_SHA256 = '1.2.840.113549.2.9';

export interface PbmOptions {
  /** OWF OID; default SHA-256. */
  owf?: string;
  /** MAC OID; default hmacWithSHA256. */
  mac?: string;
  /** Default 500 (OpenSSL's default). */
  iterationCount?: number;
  /** Default 16 bytes. */
  saltLength?: number;
}

/** Checks a PBMParameter against the supported algorithms and the iteration bounds. */
export function checkPbmParameter(p: PBMParameter): { owf: string; mac: string } {
  const owf = PBM_OWF[p.owf.algorithmId];
  if (!owf) throw new CmpProtocolError(`PBM: unsupported one-way function ${p.owf.algorithmId}`);
  const mac = PBM_MAC[p.mac.algorithmId];
  if (!mac) throw new CmpProtocolError(`PBM: unsupported MAC ${p.mac.algorithmId}`);
  if (p.iterationCount < PBM_MIN_ITERATIONS || p.iterationCount > PBM_MAX_ITERATIONS) {
    throw new CmpProtocolError(`PBM: iteration count ${p.iterationCount} is outside ${PBM_MIN_ITERATIONS}..${PBM_MAX_ITERATIONS}`);
  }
  if (p.salt.byteLength < 8 || p.salt.byteLength > 1024) throw new CmpProtocolError(`PBM: salt of ${p.salt.byteLength} bytes`);
  return { owf, mac };
}

/** The PBM base key. */
export function pbmBaseKey(secret: Uint8Array, p: PBMParameter): Buffer {
  const { owf } = checkPbmParameter(p);
  // SHA-256 and SHA-1 iterate in plain JS (a node hash call per round costs more than the round:
  // 1.1 ms for OpenSSL's 500 SHA-256 rounds, four times per enrolment on each side).
  const input = Buffer.concat([secret, p.salt]);
  if (owf === 'sha256') return iteratedSha256(input, p.iterationCount);
  if (owf === 'sha1') return iteratedSha1(input, p.iterationCount);
  let key: Buffer = createHash(owf).update(input).digest();
  for (let i = 1; i < p.iterationCount; i++) key = Buffer.from(hash(owf, key, 'buffer') as unknown as Uint8Array);
  return key;
}

/** MAC of `data` under the secret and parameters. */
export function pbmMac(secret: Uint8Array, p: PBMParameter, data: Uint8Array): Uint8Array {
  const { mac } = checkPbmParameter(p);
  return new Uint8Array(createHmac(mac, pbmBaseKey(secret, p)).update(data).digest());
}

/** Constant-time check of a received MAC. */
export function pbmVerify(secret: Uint8Array, p: PBMParameter, data: Uint8Array, received: Uint8Array): boolean {
  const expected = pbmMac(secret, p, data);
  return expected.byteLength === received.byteLength && timingSafeEqual(expected, received);
}

/** Fresh parameters with a random salt. */
export function newPbmParameter(options: PbmOptions = {}): PBMParameter {
  const p: PBMParameter = {
    salt: new Uint8Array(randomBytes(options.saltLength ?? 16)),
    owf: new pkijs.AlgorithmIdentifier({ algorithmId: options.owf ?? OID_SHA256 }),
    iterationCount: options.iterationCount ?? 500,
    mac: new pkijs.AlgorithmIdentifier({ algorithmId: options.mac ?? OID_HMAC_WITH_SHA256 }),
  };
  checkPbmParameter(p);
  return p;
}

/** protectionAlg for PBM: id-PasswordBasedMac with the parameters. */
export function pbmAlgorithmIdentifier(p: PBMParameter): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({ algorithmId: ID_PASSWORD_BASED_MAC, algorithmParams: encodePBMParameter(p) as asn1js.Sequence });
}
