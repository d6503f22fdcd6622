// The operator's version: package.json's `version`, read once from beside the code (src/operator/
// under tsx, dist/operator/ from tsc, dist/bundle/ for the shipped CLI bundle: each sits two folders
// below the package root), so `--version`, the first log line of `run`, the build_info metric and
// the chart's appVersion name the same release. package.json ships with the code, so one type
// check suffices (no zod: every start of the CLI, `--help` included, would load it for this).
import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** package.json's version, for example `0.1.0`. */
export function operatorVersion(): string {
  if (cached === undefined) {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const version: unknown = (JSON.parse(text) as { version?: unknown }).version;
    if (typeof version !== 'string' || version === '') throw new Error('package.json beside the code has no version string');
    cached = version;
  }
  return cached;
}
