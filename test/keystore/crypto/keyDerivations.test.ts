// The asynchronous derivations (PBKDF2 on libuv's pool, the PKCS#12 KDF behind a promise) give
// the same bytes as the published vectors and as the synchronous path the readers use; concurrent
// asks share one derivation and the iteration budget holds for both paths.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { KeyDerivations } from '../../../src/keystore/index.js';
import type { Pkcs12Hash, Pkcs12KdfPurpose } from '../../../src/keystore/crypto/pkcs12Kdf.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s/g, ''), 'hex');

describe('keystore/crypto/keyDerivations', () => {
  it('PBKDF2-HMAC-SHA256 on the pool gives the RFC 7914 §11 vectors', async () => {
    const derivations = new KeyDerivations();
    assert.deepEqual(
      await derivations.pbkdf2Async('passwd', Buffer.from('salt'), 1, 64, 'sha256'),
      hex(`55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc
           49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783`),
    );
    assert.deepEqual(
      await derivations.pbkdf2Async('Password', Buffer.from('NaCl'), 80000, 64, 'sha256'),
      hex(`4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56
           a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d`),
    );
  });

  it('the PKCS#12 KDF behind a promise gives the published SHA-1 vectors (key, IV, MAC key)', async () => {
    const derivations = new KeyDerivations();
    const cases: [string, string, Pkcs12KdfPurpose, number, number, string][] = [
      ['smeg', '0A58CF64530D823F', 1, 1, 24, '8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3'],
      ['smeg', '0A58CF64530D823F', 2, 1, 8, '79993DFE048D3B76'],
      ['queeg', '05DEC959ACFF72F7', 1, 1000, 24, 'ED2034E36328830FF09DF1E1A07DD357185DAC0D4F9EB3D4'],
      ['smeg', '3D83C0E4546AC140', 3, 1, 20, '8D967D88F6CAA9D714800AB3D48051D63F73A312'],
    ];
    for (const [password, salt, purpose, iterations, length, expected] of cases) {
      assert.deepEqual(await derivations.pkcs12Async('sha1', password, hex(salt), purpose, iterations, length), hex(expected), `${password} id ${purpose}`);
    }
  });

  it('asynchronous and synchronous paths give the same bytes for every PRF, hash, purpose and length a store uses', async () => {
    const salt = randomBytes(16);
    const password = 'pässwörd-€-1';
    for (const prf of ['sha1', 'sha224', 'sha256', 'sha384', 'sha512']) {
      for (const length of [16, 24, 32]) {
        const expected = new KeyDerivations().pbkdf2(password, salt, 2048, length, prf);
        assert.deepEqual(await new KeyDerivations().pbkdf2Async(password, salt, 2048, length, prf), expected, `pbkdf2 ${prf} ${length}`);
      }
    }
    for (const algorithm of ['sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as Pkcs12Hash[]) {
      for (const [purpose, length] of [
        [1, 5],
        [1, 24],
        [2, 8],
        [3, 64],
      ] as [Pkcs12KdfPurpose, number][]) {
        const expected = new KeyDerivations().pkcs12(algorithm, password, salt, purpose, 2048, length);
        assert.deepEqual(await new KeyDerivations().pkcs12Async(algorithm, password, salt, purpose, 2048, length), expected, `pkcs12 ${algorithm} ${purpose}`);
      }
    }
  });

  it('concurrent asks for one key share one derivation; a budget refuses what would pass it', async () => {
    const budget = {
      maxIterations: 3000,
      exceeded: (asked: number, spent: number) => new RangeError(`asked ${asked} after ${spent}`),
    };
    const derivations = new KeyDerivations(budget);
    const salt = randomBytes(16);
    const [a, b] = await Promise.all([derivations.pbkdf2Async('pw', salt, 2048, 32, 'sha256'), derivations.pbkdf2Async('pw', salt, 2048, 32, 'sha256')]);
    assert.equal(a, b);
    // 2048 spent once: another 2048-iteration derivation would pass 3000.
    await assert.rejects(derivations.pkcs12Async('sha256', 'pw', salt, 3, 2048, 32), /^RangeError: asked 2048 after 2048$/);
    await assert.rejects(derivations.pbkdf2Async('pw', randomBytes(16), 2048, 32, 'sha256'), /^RangeError: asked 2048 after 2048$/);
  });
});
