// The PKCS#12 password-based key derivation (RFC 7292 appendix B.2), used for the PKCS#12 MAC
// key and for the legacy pbeWithSHAAnd… ciphers. Node's crypto does not expose it.
import { hash } from 'node:crypto';
import { iteratedSha1 } from '../../pki/iteratedSha1.js';
import { iteratedSha256 } from '../../pki/iteratedSha256.js';

export type Pkcs12Hash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

/** Purpose byte D of B.2: 1 key material, 2 IV, 3 MAC key. */
export type Pkcs12KdfPurpose = 1 | 2 | 3;

const SIZES: Record<Pkcs12Hash, { u: number; v: number }> = {
  sha1: { u: 20, v: 64 },
  sha224: { u: 28, v: 64 },
  sha256: { u: 32, v: 64 },
  sha384: { u: 48, v: 128 },
  sha512: { u: 64, v: 128 },
};

/** The password as a NUL-terminated BMPString (UTF-16BE), as B.1 prescribes. */
export function bmpPassword(password: string): Buffer {
  const out = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) out.writeUInt16BE(password.charCodeAt(i), i * 2);
  return out;
}

function repeatToBlocks(data: Buffer, v: number): Buffer {
  const length = v * Math.ceil(data.length / v);
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = data[i % data.length];
  return out;
}

function iterate(algorithm: Pkcs12Hash, input: Buffer, rounds: number): Buffer {
  if (algorithm === 'sha256') return iteratedSha256(input, rounds);
  if (algorithm === 'sha1') return iteratedSha1(input, rounds);
  let value = input;
  for (let r = 0; r < rounds; r++) value = hash(algorithm, value, 'buffer');
  return value;
}

/** Derives `length` bytes from password and salt. */
export function pkcs12Kdf(algorithm: Pkcs12Hash, password: string, salt: Buffer, purpose: Pkcs12KdfPurpose, iterations: number, length: number): Buffer {
  const { u, v } = SIZES[algorithm];
  const d = Buffer.alloc(v, purpose);
  const s = salt.length > 0 ? repeatToBlocks(salt, v) : Buffer.alloc(0);
  const p = repeatToBlocks(bmpPassword(password), v);
  const i = Buffer.concat([s, p]);
  const out: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    const a = iterate(algorithm, Buffer.concat([d, i]), iterations);
    out.push(a);
    if (produced + u >= length) break;
    // I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block, B = A repeated to v bytes.
    const b = repeatToBlocks(a, v);
    for (let j = 0; j < i.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = i[j + k] + b[k] + carry;
        i[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, length);
}
