import assert from 'node:assert/strict';
import { hash, randomBytes } from 'node:crypto';
import { iteratedSha256 } from '../../src/pki/iteratedSha256.js';

describe('keystore/crypto/iteratedSha256', () => {
  it('equals node’s SHA-256 applied n times, for inputs of many lengths', () => {
    for (const [length, rounds] of [
      [0, 1],
      [1, 2],
      [32, 3],
      [64, 17],
      [130, 2048],
    ]) {
      const input = randomBytes(length);
      let expected = input;
      for (let i = 0; i < rounds; i++) expected = hash('sha256', expected, 'buffer');
      assert.deepEqual(iteratedSha256(input, rounds), expected, `length ${length}, rounds ${rounds}`);
    }
  });
  it('refuses a round count below one', () => {
    assert.throws(() => iteratedSha256(Buffer.alloc(1), 0), RangeError);
  });
});
