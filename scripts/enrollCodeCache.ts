// Writes the V8 code cache of the `enroll` bundle (argv[2], e.g. dist/bundle/enroll.cjs): loads it
// as the CLI does (src/cli/codeCache.ts), runs the enrolments a user runs most (p10cr, ir and cr with
// an EC key and ir with an RSA key) against the development CA in this process, then saves the code
// V8 compiled for them beside the bundle. Run by scripts/bundle.ts as a plain `node` child, so the
// cache carries the V8 flags of a plain `node bin/cmpv2-operator.js` (V8 refuses a cache made under
// other flags), on the bundle where it will run (V8 keeps this process's script name in the cache).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { codeCacheFileOf, loadBundleWithCodeCache } from '../src/cli/codeCache.js';
import { startDevelopmentCa } from '../src/cmp/server/index.js';

const bundleFile = process.argv[2];
if (!bundleFile) throw new Error('usage: enrollCodeCache.ts BUNDLE.cjs');

const SECRET = 'warm-up-secret';
const REFERENCE = 'warm-up';
const dir = mkdtempSync(path.join(os.tmpdir(), 'enroll-code-cache-'));
const ca = await startDevelopmentCa({ port: 0, host: '127.0.0.1', secret: SECRET, reference: REFERENCE });
try {
  const url = ca.url;
  if (!url) throw new Error('the development CA has no URL');
  const loaded = loadBundleWithCodeCache(bundleFile);
  const register = loaded.exports.registerEnrollCommand as (program: Command) => void;
  const keys = {
    ec: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  };
  for (const [type, key] of [
    ['p10cr', 'ec'],
    ['ir', 'ec'],
    ['cr', 'ec'],
    ['ir', 'rsa'],
  ] as const) {
    const keyFile = path.join(dir, `${key}.key`);
    writeFileSync(keyFile, keys[key].export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const program = new Command('cmpv2-operator').exitOverride();
    register(program);
    const args = ['enroll', '--server', url, '--cmd', type, '--newkey', keyFile, '--subject', 'CN=warm-up', '--san', 'warm-up.example'];
    args.push('--secret', `pass:${SECRET}`, '--ref', REFERENCE, '--certout', path.join(dir, 'cert.pem'), '--chainout', path.join(dir, 'chain.pem'));
    await program.parseAsync(args, { from: 'user' });
  }
  // Written beside and renamed, so a CLI starting meanwhile reads no cache or the whole of it.
  const cacheFile = codeCacheFileOf(bundleFile);
  writeFileSync(`${cacheFile}.${process.pid}`, loaded.createCache());
  renameSync(`${cacheFile}.${process.pid}`, cacheFile);
} finally {
  await ca.stop();
  rmSync(dir, { recursive: true, force: true });
}
