// `npm run bench`: runs every section (each bench/<name>.ts exports one async function), or only
// the sections named on the command line (`npm run bench -- keystore`). Figures are printed as
// ratios against peers measured in the same run; no test asserts on timings. Each run of a
// section prints the load average before and after it; the cheap sections run three times and
// end with the minimum and median of each figure (BENCH_RUNS overrides the count).
import { availableParallelism, loadavg } from 'node:os';
import { keystoreBench } from './keystore.js';
import { cmpBench } from './cmp.js';
import { keystoreLoopBench } from './keystoreLoop.js';
import { summariseRuns, type Figures } from './figures.js';

const CHEAP_RUNS = Number(process.env.BENCH_RUNS ?? 3);

// [name, run, how many runs (default 1)]
const sections: [name: string, run: () => Promise<Figures | void>, runs?: number][] = [
  ['keystore', keystoreBench, CHEAP_RUNS],
  ['cmp', cmpBench, CHEAP_RUNS],
  ['keystore-loop', keystoreLoopBench],
  ['issuance', async () => (await import('./issuance.js')).issuanceBench()],
  ['faults', async () => (await import('./faults.js')).faultsBench()],
  ['certservice', async () => (await import('./certservice.js')).certserviceBench()],
  ['parse', async () => (await import('./parse.js')).parseBench()],
];

const load = (): string =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (1, 5, 15 min) on ${availableParallelism()} cores`;

const wanted = process.argv.slice(2);
for (const [name, run, runs = 1] of sections) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n## ${name}`);
  const results: Figures[] = [];
  for (let i = 1; i <= runs; i++) {
    if (runs > 1) console.log(`\n### ${name}, run ${i} of ${runs}`);
    console.log(`at start: ${load()}`);
    const figures = await run();
    console.log(`at end: ${load()}`);
    if (figures) results.push(figures);
  }
  if (results.length > 1) {
    console.log(`\n### ${name}: min and median over ${results.length} runs\n`);
    for (const line of summariseRuns(results)) console.log(line);
  }
}
