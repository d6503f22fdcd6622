// PEM parsing benchmark (issue 11, finding 1): time per MiB for bundles of 1, 100 and 10,000
// certificates — split into blocks, and read as the stores read them (every certificate checked)
// — and for 1 MiB adversarial inputs, beside a floor measured now (one pass of String.split over
// the same text) and the pattern the parser used before (quadratic; on 64 KiB only). Also the
// issue's Proof: a 1 MiB ca.crt of unmatched BEGIN lines through the whole store build.
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { buildStoreFiles, type StoreSettings } from '../src/keystore/index.js';
import { parseCertificates, parsePemBundle } from '../src/pki/pem.js';
import { Pki } from '../test/keystore/fixtures.js';

const MiB = 1024 * 1024;

/** Best-of-`runs` milliseconds of `job` (the minimum is the least disturbed by other load). */
function best(job: () => void, runs = 5): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    job();
    min = Math.min(min, performance.now() - start);
  }
  return min;
}

function attempt(job: () => void): string {
  try {
    job();
    return 'read';
  } catch (err) {
    return `refused (${err instanceof Error ? err.name : 'error'})`;
  }
}

/** Best-of-`runs` milliseconds of an asynchronous `job` (the store build derives keys on the pool). */
async function bestAsync(job: () => Promise<unknown>, runs = 5): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await job();
    min = Math.min(min, performance.now() - start);
  }
  return min;
}

async function attemptAsync(job: () => Promise<unknown>): Promise<string> {
  try {
    await job();
    return 'read';
  } catch (err) {
    return `refused (${err instanceof Error ? err.name : 'error'})`;
  }
}

/** The parser's pattern before issue 11, for comparison only. */
const OLD_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;

export async function parseBench(): Promise<void> {
  console.log(
    `machine: ${availableParallelism()} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const pki = new Pki();
  try {
    const cas = [pki.issue('bench ec'), pki.issue('bench rsa', { keyType: 'rsa' }), pki.issue('bench ed', { keyType: 'ed25519' })];
    const bundle = (n: number): string => Array.from({ length: n }, (_, i) => cas[i % cas.length].certPem).join('');
    console.log('| input | size | split (parsePemBundle) | read + check (parseCertificates) | floor (split lines) |');
    console.log('|---|---|---|---|---|');
    for (const n of [1, 100, 10_000]) {
      const text = bundle(n);
      const mib = text.length / MiB;
      const runs = n === 10_000 ? 2 : 20;
      const split = best(() => parsePemBundle(text), runs);
      const read = best(() => parseCertificates(text), runs);
      const floor = best(() => text.split('\n'), runs);
      const perMiB = (ms: number): string => `${(ms / mib).toFixed(1)} ms/MiB (${ms.toFixed(2)} ms)`;
      console.log(
        `| ${n} certificate${n === 1 ? '' : 's'} | ${(text.length / 1024).toFixed(0)} KiB | ${perMiB(split)} | ${perMiB(read)}, ${((read / n) * 1000).toFixed(0)} µs/certificate | ${perMiB(floor)} |`,
      );
    }

    const adversarial: [string, string][] = [
      ['unmatched BEGIN lines', '-----BEGIN CERTIFICATE-----\n'],
      ['BEGIN, body, broken END', '-----BEGIN CERTIFICATE-----\nAAAA-----END '],
      ['BEGIN with endless label', '-----BEGIN ' + 'A'.repeat(60)],
      ['END lines only', '-----END CERTIFICATE-----\n'],
      ['headers and colons', 'Proc-Type: 4,ENCRYPTED\n:::\n'],
    ];
    console.log('\n| 1 MiB adversarial input | parsePemBundle | MiB/s | outcome | floor | old pattern on 64 KiB |');
    console.log('|---|---|---|---|---|---|');
    for (const [name, unit] of adversarial) {
      const text = unit.repeat(Math.ceil(MiB / unit.length));
      const ms = best(() => attempt(() => parsePemBundle(text)));
      const floor = best(() => text.split('\n'));
      const small = unit.repeat(Math.ceil((64 * 1024) / unit.length));
      const old = best(() => [...small.matchAll(OLD_BLOCK)].length, 1);
      console.log(
        `| ${name} | ${ms.toFixed(2)} ms | ${(text.length / MiB / (ms / 1000)).toFixed(0)} | ${attempt(() => parsePemBundle(text))} | ${floor.toFixed(2)} ms | ${old.toFixed(0)} ms |`,
      );
    }

    const { root, leaf, tlsCrt } = pki.chain('bench build');
    const unmatched = '-----BEGIN CERTIFICATE-----\n'.repeat(Math.ceil(MiB / 28));
    const settings: StoreSettings = { formats: ['jks', 'pkcs12', 'pem'], keystorePassword: 'bench-pw' };
    const build = (caCrt: string) => () => buildStoreFiles({ tlsCrt, tlsKey: leaf.keyPem, caCrt }, settings);
    const normal = await bestAsync(build(root.certPem), 3);
    const hostile = await bestAsync(() => attemptAsync(build(unmatched + root.certPem)), 3);
    console.log(
      `\nstore build with a 1 MiB ca.crt of unmatched BEGIN lines: ${hostile.toFixed(1)} ms, ${await attemptAsync(build(unmatched + root.certPem))} (aim < 200 ms); the same build with a one-CA ca.crt: ${normal.toFixed(1)} ms`,
    );
  } finally {
    pki.dispose();
  }
}
