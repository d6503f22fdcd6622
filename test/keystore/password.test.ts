import assert from 'node:assert/strict';
import { generatePassword } from '../../src/keystore/index.js';

describe('keystore/password', () => {
  it('generates 24 characters of [A-Za-z0-9_$#], different every time, covering the alphabet', () => {
    const seen = new Set<string>();
    const characters = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const password = generatePassword();
      assert.match(password, /^[A-Za-z0-9_$#]{24}$/);
      seen.add(password);
      for (const c of password) characters.add(c);
    }
    assert.equal(seen.size, 200);
    // 4800 draws from 65 symbols: every symbol appears unless the generator is biased.
    assert.equal(characters.size, 65);
  });
});
