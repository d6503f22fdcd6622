import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildFullProgram, buildProgram, COMMAND_SUMMARIES, main } from '../../src/cli/main.js';

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

/** Runs main() with stdout and stderr captured. */
async function captured(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'cmpv2-operator', ...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

describe('cli/main --version and help', () => {
  it("--version and -V print package.json's version and exit 0", async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      assert.deepEqual(await captured([flag]), { code: 0, out: `${version}\n`, err: '' });
    }
  });

  it('every command lists itself in the help, and its --help ends with one example of itself', async () => {
    const program = await buildProgram(['node', 'cmpv2-operator']);
    const names = program.commands.map((c) => c.name());
    for (const expected of ['run', 'stores', 'enroll', 'test-ca']) assert.ok(names.includes(expected), `${expected} registered`);
    for (const name of names) {
      const { code, out } = await captured([name, '--help']);
      assert.equal(code, 0, `${name} --help exit code`);
      assert.match(out, new RegExp(`\\nExample:\\n  \\$ cmpv2-operator ${name} -\\S+`), `${name} --help has an example`);
    }
  });

  it('the top-level help lists every command with the description its own file gives it (without loading it)', async () => {
    const full = await buildFullProgram();
    assert.deepEqual(Object.fromEntries(full.commands.map((c) => [c.name(), c.description()])), COMMAND_SUMMARIES);
    const { code, out } = await captured(['--help']);
    assert.equal(code, 0);
    const flat = out.replace(/\s+/g, ' ');
    for (const [name, summary] of Object.entries(COMMAND_SUMMARIES)) assert.ok(flat.includes(` ${name} ${summary} `), `${name} in:\n${out}`);
  });
});
