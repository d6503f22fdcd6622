// The CommonJS loader with a V8 code cache (src/cli/codeCache.ts): a cache made after running the
// code is taken; a missing or damaged cache and, above all, one made for other bytes of the same
// length (which V8 alone would take: it checks only the source's length) leave the code compiled
// from its source. And the cache the build ships for `enroll` is one a plain `node` takes.
// Loads run in a fresh `node` each: within one process V8's own compilation cache would hand back
// the code compiled by an earlier load of the same source, whatever the cache file holds.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codeCacheFileOf, loadBundleWithCodeCache } from '../../src/cli/codeCache.js';
import { REPO_ROOT, requireBundle } from '../support/shippedBin.js';

/** A CommonJS file whose exported function returns `answer` (same length for every 3-letter answer). */
const bundleSource = (answer: string) =>
  `'use strict';\nconst path = require('node:path');\nfunction answer() { return ${JSON.stringify(answer)}; }\n` +
  `module.exports = { answer, base: path.basename(__filename), dir: __dirname };\n`;

const LOADER = path.join(REPO_ROOT, 'dist', 'cli', 'codeCache.js');
// No NODE_OPTIONS from the test runner: V8 flags differing from a plain start would refuse any cache.
const PLAIN_ENV = { ...process.env, NODE_OPTIONS: '' };

describe('CommonJS bundle with a V8 code cache', function () {
  this.timeout(30_000);
  before(() => requireBundle());
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'code-cache-'));
    file = path.join(dir, 'command.cjs');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Loads `file` in a fresh `node` (tsc's build of the loader, dist/cli/codeCache.js). */
  const loadInNode = (bundle: string): { cacheUsed: boolean; answer: string } => {
    const script =
      `const { loadBundleWithCodeCache } = await import(${JSON.stringify(LOADER)});` +
      `const loaded = loadBundleWithCodeCache(${JSON.stringify(bundle)});` +
      `console.log(JSON.stringify({ cacheUsed: loaded.cacheUsed, answer: loaded.exports.answer() }));`;
    return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: PLAIN_ENV })) as {
      cacheUsed: boolean;
      answer: string;
    };
  };
  /** Compiles and runs `file` here, and writes its cache beside it. */
  const writeCache = () => {
    const loaded = loadBundleWithCodeCache(file);
    (loaded.exports.answer as () => string)();
    writeFileSync(codeCacheFileOf(file), loaded.createCache());
  };

  it('no cache: compiled from the source, with its own __filename, __dirname and require', () => {
    writeFileSync(file, bundleSource('one'));
    const loaded = loadBundleWithCodeCache(file);
    assert.equal(loaded.cacheUsed, false);
    assert.equal((loaded.exports.answer as () => string)(), 'one');
    assert.equal(loaded.exports.base, 'command.cjs');
    assert.equal(loaded.exports.dir, dir);
    assert.deepEqual(loadInNode(file), { cacheUsed: false, answer: 'one' });
  });

  it('a cache made after running the code is taken by the next process', () => {
    writeFileSync(file, bundleSource('one'));
    writeCache();
    assert.deepEqual(loadInNode(file), { cacheUsed: true, answer: 'one' });
  });

  it('a cache made for other bytes of the same length is not used: the new code runs', () => {
    writeFileSync(file, bundleSource('one'));
    writeCache();
    writeFileSync(file, bundleSource('two'));
    assert.equal(readFileSync(file).length, Buffer.byteLength(bundleSource('one')));
    assert.deepEqual(loadInNode(file), { cacheUsed: false, answer: 'two' });
  });

  it('a damaged cache with the right key: V8 refuses it and the code compiles from its source', () => {
    writeFileSync(file, bundleSource('one'));
    writeCache();
    const cache = readFileSync(codeCacheFileOf(file));
    // Keep the key (32 bytes), garble V8's part.
    cache.fill(0x5a, 32 + 8);
    writeFileSync(codeCacheFileOf(file), cache);
    assert.deepEqual(loadInNode(file), { cacheUsed: false, answer: 'one' });
  });

  it('a cache file shorter than its key is ignored', () => {
    writeFileSync(file, bundleSource('one'));
    writeFileSync(codeCacheFileOf(file), Buffer.alloc(10));
    assert.deepEqual(loadInNode(file), { cacheUsed: false, answer: 'one' });
  });

  it("the build's enroll cache is taken by a plain `node` (made under the same V8 flags)", () => {
    const bundle = path.join(REPO_ROOT, 'dist', 'bundle', 'enroll.cjs');
    assert.ok(
      existsSync(codeCacheFileOf(bundle)),
      `${path.relative(REPO_ROOT, codeCacheFileOf(bundle))} is missing: npm run build says why the warm-up failed`,
    );
    const script =
      `const { loadBundleWithCodeCache } = await import(${JSON.stringify(LOADER)});` +
      `const loaded = loadBundleWithCodeCache(${JSON.stringify(bundle)});` +
      `let stack = '';` +
      `try { loaded.exports.registerEnrollCommand(null); } catch (err) { stack = err.stack; }` +
      `console.log(JSON.stringify({ cacheUsed: loaded.cacheUsed, exports: Object.keys(loaded.exports), stack }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8', env: PLAIN_ENV });
    const result = JSON.parse(out) as { cacheUsed: boolean; exports: string[]; stack: string };
    assert.deepEqual({ cacheUsed: result.cacheUsed, exports: result.exports }, { cacheUsed: true, exports: ['registerEnrollCommand'] });
    // V8 names cached code after the file the cache was made from: the build made it in place.
    assert.match(result.stack, new RegExp(`at .*\\(${bundle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+\\)`), result.stack);
  });
});
