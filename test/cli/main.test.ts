import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';

describe('cli/main', () => {
  it('exits non-zero with one line on stderr for an unknown command', async () => {
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const code = await main(['node', 'cmpv2-operator', 'no-such-command']);
      assert.notEqual(code, 0);
    } finally {
      process.stderr.write = original;
    }
    const lines = written.join('').trim().split('\n');
    assert.equal(lines.length, 1, `expected one line, got: ${written.join('')}`);
    assert.match(lines[0], /error/i);
  });
});
