// The NODE_OPTIONS a Deployment under deploy/ gives its container, so a benchmark measures the
// process as it ships (memory figures depend on them). BENCH_NODE_OPTIONS overrides, to compare.
// Also the flags that make such a child write a CPU profile (BENCH_CPU_PROF).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** NODE_OPTIONS of the container in `deployment` (a path under the repository), or BENCH_NODE_OPTIONS when set. */
export function deployedNodeOptions(deployment: string): string {
  if (process.env.BENCH_NODE_OPTIONS !== undefined) return process.env.BENCH_NODE_OPTIONS;
  const match = /name: NODE_OPTIONS\s+value: (.+)/.exec(readFileSync(join(ROOT, deployment), 'utf8'));
  if (!match) throw new Error(`bench: no NODE_OPTIONS in ${deployment}`);
  return match[1].trim();
}

/** BENCH_CPU_PROF=DIR: flags that make an operator child write a V8 CPU profile there (node refuses --cpu-prof in NODE_OPTIONS). */
export function cpuProfileFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}
