// A self-signed EC P-256 certificate made by `openssl req -x509`, valid one day, as PEM text:
// the peer's encoding of what a test asks for (`subject` as openssl's -subj, extensions as -addext).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function opensslSelfSigned(subject: string, extensions: readonly string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'openssl-cert-'));
  try {
    const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', subject, '-days', '1'];
    for (const extension of extensions) args.push('-addext', extension);
    execFileSync('openssl', [...args, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'pipe' });
    return readFileSync(join(dir, 'cert.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
