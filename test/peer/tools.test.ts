// The peer tier needs real OpenSSL 3 and Java 17 tools; it fails (never skips) when they are missing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`peer tier cannot run: '${cmd}' is not usable (${reason}); install it (see .ci/run)`);
  }
}

describe('peer tools', () => {
  it('has OpenSSL 3', () => {
    assert.match(version('openssl', ['version']), /^OpenSSL 3\./);
  });
  it('has keytool and javac of Java 17 or later', () => {
    execFileSync('keytool', ['-help'], { stdio: 'ignore' });
    assert.match(version('javac', ['-version']), /javac (1[7-9]|[2-9]\d)/);
  });
});
