// Loads a CommonJS bundle of one command (dist/bundle/enroll.cjs, built by scripts/bundle.ts) with
// the V8 code cache the build wrote after a warm-up enrolment, so V8 skips parsing and compiling
// what the cache holds: `enroll` is a short process where compiling pkijs, asn1js and our CMP code
// is most of the time. Node 20 has no compile cache for ES modules (module.enableCompileCache is
// Node 22.1+), hence CommonJS through vm.Script.
//
// V8 checks its own version and flags, but of the source only its length. The cache file therefore
// starts with a SHA-256 of node's version and arch and the source: a cache made for other bytes is never
// handed to V8, and without a usable cache the bundle compiles as usual.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

export interface LoadedBundle {
  /** module.exports of the bundle. */
  exports: Readonly<Record<string, unknown>>;
  /** V8 took the cache (false: none, one for other bytes, or V8 refused it). */
  cacheUsed: boolean;
  /** The cache file's bytes: the key, then V8's code of every function compiled so far (call after a warm-up). */
  createCache(): Buffer;
}

/** Where the cache of `bundleFile` lives: beside it. */
export const codeCacheFileOf = (bundleFile: string): string => `${bundleFile}.v8cache`;

const KEY_BYTES = 32;

function cacheKey(source: string): Buffer {
  return createHash('sha256').update(`${process.version} ${process.arch}\n`).update(source).digest();
}

type CommonJsWrapper = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;

/** Runs the CommonJS file `file` (its own require, __filename and __dirname), with its code cache when one fits. */
export function loadBundleWithCodeCache(file: string): LoadedBundle {
  const bundleFile = path.resolve(file);
  const source = readFileSync(bundleFile, 'utf8');
  const key = cacheKey(source);
  let cachedData: Buffer | undefined;
  try {
    const cacheFile = readFileSync(codeCacheFileOf(bundleFile));
    if (cacheFile.length > KEY_BYTES && cacheFile.subarray(0, KEY_BYTES).equals(key)) cachedData = cacheFile.subarray(KEY_BYTES);
  } catch {
    // No cache (a build without the warm-up): compile as usual.
  }
  // Node's CommonJS wrapper on a line of its own, which lineOffset takes back out: stack traces,
  // profiles and the source map see the file's own lines and columns.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {
    filename: bundleFile,
    lineOffset: -1,
    ...(cachedData ? { cachedData } : {}),
  });
  const wrapper = script.runInThisContext() as CommonJsWrapper;
  const module = { exports: {} };
  wrapper.call(module.exports, module.exports, createRequire(bundleFile), module, bundleFile, path.dirname(bundleFile));
  return {
    exports: module.exports,
    cacheUsed: cachedData !== undefined && !script.cachedDataRejected,
    createCache: () => Buffer.concat([key, script.createCachedData()]),
  };
}
