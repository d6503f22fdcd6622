// Bundles the compiled CLI (dist/cli/main.js, tsc's output) into dist/bundle/ with esbuild, so
// `cmpv2-operator` starts by reading a few files instead of resolving ~100 modules: `enroll`
// starts about twice as fast. Each command stays its own chunk (loaded on demand, as in
// src/cli/main.ts). Only pure libraries and our code go in; the libraries `run` uses
// (Kubernetes client, logging, metrics) and the CommonJS ones stay in node_modules, loaded as
// published. The bundle sits two folders below the package root, like dist/operator/, so
// src/operator/version.ts finds package.json at the same relative path.
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const ENTRY = 'dist/cli/main.js';
const OUT_DIR = 'dist/bundle';

/** Loaded from node_modules at run time (the image keeps node_modules). */
const EXTERNAL = ['@kubernetes/client-node', 'pino', 'prom-client', 'node-forge', 'yaml'];
/** Pure libraries the CLI reaches on its start-up paths: inside the bundle. */
const BUNDLED = ['asn1js', 'pkijs', 'zod', 'commander'];

const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies?: Record<string, string> };
const unplaced = Object.keys(packageJson.dependencies ?? {}).filter((d) => !EXTERNAL.includes(d) && !BUNDLED.includes(d));
if (unplaced.length > 0) {
  throw new Error(`scripts/bundle.ts: add ${unplaced.join(', ')} to EXTERNAL or BUNDLED (a new dependency must be placed on purpose)`);
}

// Built beside and then swapped in, so a CLI started meanwhile finds the old bundle or the new one.
const staging = `${OUT_DIR}.${process.pid}`;
rmSync(staging, { recursive: true, force: true });
const result = await build({
  entryPoints: { main: ENTRY },
  outdir: staging,
  bundle: true,
  platform: 'node',
  format: 'esm',
  splitting: true,
  minify: true,
  // Error classes name themselves from `new.target.name`; logs and messages keep those names.
  keepNames: true,
  target: 'node20',
  // ESM builds first: the CommonJS builds of pkijs and asn1js cannot be tree-shaken.
  mainFields: ['module', 'main'],
  external: EXTERNAL,
  // Bundled CommonJS code (some dependencies' dependencies) calls require().
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});

// `enroll` also as one CommonJS file, which the CLI loads with a V8 code cache (src/cli/codeCache.ts):
// a short process spends most of its time compiling. The cache is made by running enrolments with it.
await build({
  entryPoints: ['dist/cli/enroll.js'],
  outfile: `${staging}/enroll.cjs`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  minify: true,
  keepNames: true,
  target: 'node20',
  mainFields: ['module', 'main'],
  external: EXTERNAL,
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
rmSync(OUT_DIR, { recursive: true, force: true });
renameSync(staging, OUT_DIR);

// The cache is made where the bundle will run: V8 keeps the script name of the process that made
// it, so a cache made in the staging folder would name that folder in stack traces.
try {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/enrollCodeCache.ts', `${OUT_DIR}/enroll.cjs`], { stdio: ['ignore', 'ignore', 'pipe'] });
} catch (err) {
  // Without the cache `enroll` only starts slower: the build goes on, saying so (and the unit test
  // of the shipped cache then fails, naming the missing file).
  const lines = (err as { stderr?: Buffer }).stderr?.toString().split('\n') ?? [];
  const stderr = lines.find((line) => /Error/.test(line))?.trim() ?? String(err);
  rmSync(`${OUT_DIR}/enroll.cjs.v8cache`, { force: true });
  console.warn(`bundle: no code cache for enroll (the warm-up enrolments failed: ${stderr}); enroll compiles at each start`);
}

const bytes = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith('.js'))
  .reduce((sum, [, output]) => sum + output.bytes, 0);
console.log(
  `bundle: ${OUT_DIR}/main.js and ${Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length - 1} chunks, ${(bytes / 1024).toFixed(0)} KiB`,
);
