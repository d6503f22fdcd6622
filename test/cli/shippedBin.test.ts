// The CLI as it ships (bin/ → the dist/bundle/ esbuild bundle), as child processes: the bundle is
// built, reads package.json's version from its own location, and each command's chunk loads with
// its imports (for `run`, the Kubernetes client, pino and prom-client from node_modules).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMAND_SUMMARIES } from '../../src/cli/main.js';
import { REPO_ROOT, requireBundle, runShippedBin, SHIPPED_BIN } from '../support/shippedBin.js';

describe('shipped bin (dist/bundle)', function () {
  this.timeout(60_000);

  it('the bundle is built (npm run build)', () => {
    requireBundle();
  });

  it('--version prints package.json version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await runShippedBin(['--version']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${version}\n`);
  });

  it('--help lists every command with its summary', async () => {
    const result = await runShippedBin(['--help']);
    assert.equal(result.code, 0, result.stderr);
    for (const [name, summary] of Object.entries(COMMAND_SUMMARIES)) {
      assert.match(result.stdout, new RegExp(`^  ${name} .*${summary.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'), name);
    }
  });

  it('run --help loads the run chunk and its external imports', async () => {
    const result = await runShippedBin(['run', '--help']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Usage: cmpv2-operator run \[options\]/);
    assert.match(result.stdout, /--leader-elect/);
    assert.equal(result.stderr, '');
  });

  for (const [name, flag] of [
    ['enroll', '--server'],
    ['stores', '--formats'],
    ['test-ca', '--port'],
    ['certservice', '--config'],
    ['migrate', '--file'],
  ] as const) {
    it(`${name} --help loads its chunk`, async () => {
      const result = await runShippedBin([name, '--help']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^Usage: cmpv2-operator ${name} \\[options\\]`));
      assert.ok(result.stdout.includes(flag), `${name} --help names ${flag}:\n${result.stdout}`);
    });
  }

  it('a reader that closed its end of the pipe (`| head`): exit 0, nothing on stderr', async () => {
    requireBundle();
    const child = spawn(process.execPath, [SHIPPED_BIN, 'enroll', '--help'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    // Closed long before node has started and written the help.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });

  it('an error is one line with its message (stores without --cert)', async () => {
    const result = await runShippedBin(['stores', '--out', path.join(REPO_ROOT, 'no-such-dir-for-test')]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.equal(result.stderr, 'cmpv2-operator: give --cert and --key (or --from-secret)\n');
  });
});
