// The fuzz suite's harness (issue 11): every target is a fast-check property over byte inputs
// ("the function returns, or throws one of its library's typed errors"), run for a share of a
// total time budget, with a time bound per input. Before the random inputs, every regression
// fixture kept for the target (test/fuzz/regressions/<target>/*.json) is replayed; a failing
// input found by a run is written there, so it stays a regression test after it is fixed.
// Each target prints one summary line: inputs tried, crashes (exceptions that are not the
// library's typed errors), the slowest input, the process's peak RSS.
//
// Budget: FUZZ_SECONDS (default 60) in total, shared by the targets by weight. The seed is fixed
// by default, so `npm test` explores the same inputs on every run and a red CI is reproducible;
// FUZZ_SEED=<n> picks another, FUZZ_SEED=random a new one each run (for longer hunts). The seed is
// printed in every summary line.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';

export const REGRESSIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'regressions');

/** Total seconds of the suite (npm test: 60; a longer run: FUZZ_SECONDS=1800 npm run test:fuzz). */
export const TOTAL_SECONDS = Number(process.env.FUZZ_SECONDS ?? 60);
/** Sum of the weights of all targets; a target's budget is TOTAL_SECONDS × weight / TOTAL_WEIGHT. */
const TOTAL_WEIGHT = 100;
const DEFAULT_SEED = 20261201;
export const SEED =
  process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : DEFAULT_SEED;

/** Bounds every target's summary must stay within. */
export const LIMITS = {
  /** One input (a few KiB) never takes longer than this, even on a loaded 2-core machine. */
  perInputMs: 2_000,
  peakRssMiB: 1_536,
};

export interface FuzzSummary {
  target: string;
  tried: number;
  replayed: number;
  crashes: number;
  slowestMs: number;
  slowestBytes: number;
  peakRssMiB: number;
  failure?: string;
}

/** A regression fixture: an input that once failed, with a note saying what it showed. */
interface Fixture {
  note: string;
  base64: string;
}

function fixtures(target: string): Fixture[] {
  const dir = join(REGRESSIONS_DIR, target);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.sort().map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as Fixture);
}

/** Keeps `input` as a regression fixture of `target`; returns its path. */
export function keepFixture(target: string, input: Buffer, note: string): string {
  const dir = join(REGRESSIONS_DIR, target);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${createHash('sha256').update(input).digest('hex').slice(0, 16)}.json`);
  writeFileSync(path, `${JSON.stringify({ note, base64: input.toString('base64') } satisfies Fixture, null, 2)}\n`);
  return path;
}

export function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

export interface TargetOptions {
  /** The target's share of the budget (all targets' weights add up to 100). */
  weight: number;
  inputs: fc.Arbitrary<Buffer>;
  /** Runs one input; resolves, or throws an error `expected` accepts. */
  run: (input: Buffer) => unknown;
  /** The library's typed errors: anything else is a crash. */
  expected: (err: unknown) => boolean;
}

function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message.slice(0, 300)}` : String(err);
}

/** Runs a target: fixtures first, then random inputs until its budget is spent. */
export async function fuzz(target: string, options: TargetOptions): Promise<FuzzSummary> {
  const summary: FuzzSummary = { target, tried: 0, replayed: 0, crashes: 0, slowestMs: 0, slowestBytes: 0, peakRssMiB: 0 };
  const once = async (input: Buffer): Promise<string | undefined> => {
    const started = process.hrtime.bigint();
    let problem: string | undefined;
    try {
      await options.run(input);
    } catch (err) {
      if (!options.expected(err)) {
        summary.crashes += 1;
        problem = `crash: ${describeError(err)}`;
      }
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (ms > summary.slowestMs) {
      summary.slowestMs = ms;
      summary.slowestBytes = input.length;
    }
    if (!problem && ms > LIMITS.perInputMs) problem = `slow: ${ms.toFixed(0)} ms for ${input.length} bytes`;
    return problem;
  };

  for (const fixture of fixtures(target)) {
    summary.replayed += 1;
    const problem = await once(Buffer.from(fixture.base64, 'base64'));
    if (problem) {
      summary.failure = `regression fixture "${fixture.note}": ${problem}`;
      return finish(summary);
    }
  }

  const budgetMs = (TOTAL_SECONDS * 1000 * options.weight) / TOTAL_WEIGHT;
  let firstProblem: string | undefined;
  const details = await fc.check(
    fc.asyncProperty(options.inputs, async (input) => {
      summary.tried += 1;
      const problem = await once(input);
      if (problem && !firstProblem) firstProblem = problem;
      return problem === undefined;
    }),
    { numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: budgetMs, markInterruptAsFailure: false, seed: SEED, endOnFailure: true },
  );
  if (details.failed && details.counterexample) {
    const [input] = details.counterexample;
    const path = keepFixture(target, input, `found with seed ${SEED}: ${firstProblem ?? 'failure'}`);
    summary.failure = `${firstProblem ?? 'failure'} (input kept as ${path}; seed ${SEED})`;
  }
  return finish(summary);
}

function finish(summary: FuzzSummary): FuzzSummary {
  summary.peakRssMiB = peakRssMiB();
  process.stdout.write(
    `      fuzz ${summary.target}: ${summary.tried} inputs tried (+${summary.replayed} regression fixtures), ${summary.crashes} crashes, ` +
      `slowest input ${summary.slowestMs.toFixed(1)} ms (${summary.slowestBytes} bytes), peak RSS ${summary.peakRssMiB} MiB, seed ${SEED}\n`,
  );
  return summary;
}

/** The assertions every target's summary must pass. */
export function assertWithinBounds(summary: FuzzSummary): void {
  assert.equal(summary.failure, undefined, summary.failure);
  assert.equal(summary.crashes, 0);
  assert.ok(summary.tried > 0, 'no input was tried');
  assert.ok(summary.slowestMs <= LIMITS.perInputMs, `slowest input ${summary.slowestMs} ms`);
  assert.ok(summary.peakRssMiB <= LIMITS.peakRssMiB, `peak RSS ${summary.peakRssMiB} MiB`);
}

/** Edits of a byte string, as a mutation fuzzer makes them. */
const edit = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('xor' as const), at: fc.nat(), byte: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('length' as const), at: fc.nat(), byte: fc.constantFrom(0x00, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x89, 0xff) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }), times: fc.integer({ min: 2, max: 8 }) }),
);

type Edit = typeof edit extends fc.Arbitrary<infer E> ? E : never;

function apply(base: Buffer, edits: Edit[]): Buffer {
  let bytes = Buffer.from(base);
  for (const e of edits) {
    if (bytes.length === 0) break;
    const at = e.at % bytes.length;
    if (e.kind === 'set' || e.kind === 'length') bytes[at] = e.byte;
    else if (e.kind === 'xor') bytes[at] ^= e.byte;
    else if (e.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(e.bytes), bytes.subarray(at)]);
    else if (e.kind === 'delete') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + e.length)]);
    else {
      const part = bytes.subarray(at, at + e.length);
      bytes = Buffer.concat([bytes.subarray(0, at), ...Array.from({ length: e.times }, () => part), bytes.subarray(at + e.length)]);
    }
  }
  return bytes;
}

/** Inputs: one of `corpus`, changed by 1–6 edits (mostly one or two, as most damage is). */
export function mutations(corpus: Buffer[]): fc.Arbitrary<Buffer> {
  return fc
    .record({ base: fc.integer({ min: 0, max: corpus.length - 1 }), edits: fc.array(edit, { minLength: 1, maxLength: 6, size: 'xsmall' }) })
    .map(({ base, edits }) => apply(corpus[base], edits));
}
