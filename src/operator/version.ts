// The operator's version: package.json's `version`, read once from beside the code (src/operator/
// under tsx, dist/operator/ from tsc, dist/bundle/ for the shipped CLI bundle: each sits two folders
// below the package root), so `--version`, the first log line of `run`, the build_info metric and
// the chart's appVersion name the same release.
import { readFileSync } from 'node:fs';
import * as z from 'zod';

const PackageJsonSchema = z.object({ name: z.string(), version: z.string().min(1) });

let cached: string | undefined;

/** package.json's version, for example `0.1.0`. */
export function operatorVersion(): string {
  if (cached === undefined) {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    cached = PackageJsonSchema.parse(JSON.parse(text)).version;
  }
  return cached;
}
