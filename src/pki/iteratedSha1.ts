// Iterated SHA-1 for the PKCS#12 key derivation of the legacy profiles (RFC 7292 B.2 with SHA-1:
// pbeWithSHAAnd3-KeyTripleDES-CBC, pbeWithSHAAnd40BitRC2-CBC and the SHA-1 MAC). Why not node's
// crypto: each hash call costs ~0.8 µs of binding overhead for a 20-byte input, so the 2048
// rounds of one derivation took 1.7 ms, more than a PBKDF2-HMAC-SHA256 of the same count. After
// the first round every input is one padded 64-byte block, which plain JS hashes fast.
import { hash } from 'node:crypto';

const INITIAL = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);

/**
 * Returns SHA-1 applied `rounds` times (rounds ≥ 1) to `input`: the first round over the whole
 * input with node's crypto, the others over the previous 20-byte digest.
 */
export function iteratedSha1(input: Uint8Array, rounds: number): Buffer {
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError('rounds must be a positive integer');
  const first = hash('sha1', input, 'buffer');
  const state = new Int32Array(5);
  for (let i = 0; i < 5; i++) state[i] = first.readInt32BE(i * 4);
  const w = new Int32Array(80);
  for (let round = 1; round < rounds; round++) {
    // Message block: the 5-word digest, the 0x80 pad byte, zeros, and the length 160 bits.
    w.set(state, 0);
    w[5] = 0x80000000 | 0;
    w.fill(0, 6, 15);
    w[15] = 160;
    compress(state, w);
  }
  const out = Buffer.allocUnsafe(20);
  for (let i = 0; i < 5; i++) out.writeInt32BE(state[i], i * 4);
  return out;
}

/** FIPS 180-4 §6.1.2 on one block; `state` receives the digest of that one-block message. */
function compress(state: Int32Array, w: Int32Array): void {
  for (let t = 16; t < 80; t++) {
    const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
    w[t] = (x << 1) | (x >>> 31);
  }
  let a = INITIAL[0],
    b = INITIAL[1],
    c = INITIAL[2],
    d = INITIAL[3],
    e = INITIAL[4];
  for (let t = 0; t < 80; t++) {
    let f: number;
    let k: number;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc | 0;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6 | 0;
    }
    const temp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  // Each block is hashed from the initial value: the iterated input is a fresh one-block message.
  state[0] = (INITIAL[0] + a) | 0;
  state[1] = (INITIAL[1] + b) | 0;
  state[2] = (INITIAL[2] + c) | 0;
  state[3] = (INITIAL[3] + d) | 0;
  state[4] = (INITIAL[4] + e) | 0;
}
