// Runs `cmpv2-operator` as it ships: `node bin/cmpv2-operator.js`, which loads the esbuild bundle in
// dist/bundle/ (`npm run build`), as a child process. Tests of the shipped CLI fail with this reason
// when the bundle was not built, rather than with node's module-not-found trace.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHIPPED_BIN = path.join(REPO_ROOT, 'bin', 'cmpv2-operator.js');
export const BUNDLE_ENTRY = path.join(REPO_ROOT, 'dist', 'bundle', 'main.js');

/** Throws, naming the missing file, unless `npm run build` made the bundle bin/ loads. */
export function requireBundle(): void {
  if (!existsSync(BUNDLE_ENTRY)) {
    throw new Error(`the CLI bundle ${path.relative(REPO_ROOT, BUNDLE_ENTRY)} is missing: run \`npm run build\` first (tsc, then scripts/bundle.ts)`);
  }
}

export interface BinResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node bin/cmpv2-operator.js ARGS…`; resolves with the exit code and output (a non-zero exit is a result, not an error). */
export function runShippedBin(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<BinResult> {
  requireBundle();
  return new Promise<BinResult>((resolve, reject) => {
    execFile(process.execPath, [SHIPPED_BIN, ...args], { cwd: REPO_ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(new Error(`node bin/cmpv2-operator.js ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
}
