// `npm run bench`: runs every section (each bench/<name>.ts exports one async function), or only
// the sections named on the command line (`npm run bench -- keystore`). Figures are printed as
// ratios against peers measured in the same run; no test asserts on timings.
import { keystoreBench } from './keystore.js';
import { cmpBench } from './cmp.js';
import { keystoreLoopBench } from './keystoreLoop.js';

const sections: [name: string, run: () => Promise<void>][] = [
  ['keystore', keystoreBench],
  ['cmp', cmpBench],
  ['keystore-loop', keystoreLoopBench],
  ['issuance', async () => (await import('./issuance.js')).issuanceBench()],
  ['certservice', async () => (await import('./certservice.js')).certserviceBench()],
  ['parse', async () => (await import('./parse.js')).parseBench()],
];

const wanted = process.argv.slice(2);
for (const [name, run] of sections) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n## ${name}`);
  await run();
}
