import assert from 'node:assert/strict';
import { hash, randomBytes } from 'node:crypto';
import { iteratedSha1 } from '../../src/pki/iteratedSha1.js';

describe('keystore/crypto/iteratedSha1', () => {
  it('equals node’s SHA-1 applied n times, for inputs of many lengths', () => {
    for (const [length, rounds] of [
      [0, 1],
      [1, 2],
      [20, 3],
      [64, 17],
      [128, 2048],
    ]) {
      const input = randomBytes(length);
      let expected = input;
      for (let i = 0; i < rounds; i++) expected = hash('sha1', expected, 'buffer');
      assert.deepEqual(iteratedSha1(input, rounds), expected, `length ${length}, rounds ${rounds}`);
    }
  });
  it('refuses a round count below one', () => {
    assert.throws(() => iteratedSha1(Buffer.alloc(1), 0), RangeError);
  });
});
