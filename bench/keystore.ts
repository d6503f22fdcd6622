// Keystore benchmark: time per full store set (JKS + PKCS#12 Modern2023, keystore + truststore)
// built in-process, beside the PBKDF2 floor measured now and beside openssl pkcs12 -export and
// keytool -importcert doing the same job on the same machine; then many sets built at once, as
// the keystore loop does, to show the key derivations spreading over the cores (libuv's pool).
import { execFileSync } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { buildStoreFiles } from '../src/keystore/index.js';
import { Pki, type Issued } from '../test/keystore/fixtures.js';
import type { Figures } from './figures.js';

const PASSWORD = 'bench-Pa$$word#1';
const FAST_JVM = ['-J-XX:TieredStopAtLevel=1', '-J-XX:+UseSerialGC'];

interface PerCall {
  /** CPU time (user + system) of this process per call: what one core spends. */
  cpuMs: number;
  wallMs: number;
}

/** Time per call of `job`, run for about `budgetMs` after a short warm-up. */
function timePerCall(job: () => void, budgetMs: number): PerCall {
  for (let i = 0; i < 20; i++) job();
  let calls = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  while (calls < 3 || performance.now() - start < budgetMs) {
    job();
    calls += 1;
  }
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000 / calls, wallMs: (performance.now() - start) / calls };
}

/**
 * Time per call of an asynchronous `job`, `concurrency` calls in flight, for about `budgetMs`.
 * CPU is the whole process's (the main thread and libuv's pool), per call.
 */
async function timePerAsyncCall(job: () => Promise<unknown>, budgetMs: number, concurrency = 1): Promise<PerCall> {
  for (let i = 0; i < 20; i++) await job();
  let calls = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  const worker = async (): Promise<void> => {
    while (calls < 3 * concurrency || performance.now() - start < budgetMs) {
      calls += 1;
      await job();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000 / calls, wallMs: (performance.now() - start) / calls };
}

/** Milliseconds per run of an external job, `runs` times. */
function timeExternal(job: () => void, runs: number): number {
  const start = performance.now();
  for (let i = 0; i < runs; i++) job();
  return (performance.now() - start) / runs;
}

const run = (command: string, args: string[]): void => {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
};

const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

export async function keystoreBench(): Promise<Figures> {
  const figures: Figures = {};
  const pki = new Pki();
  try {
    const { root, intermediate, leaf, tlsCrt } = pki.chain('bench', 'ec-p256');
    const extraRoots = pki.roots('bench', 19);
    const chainFile = pki.path('chain.pem');
    writeFileSync(chainFile, intermediate.certPem);

    // The floor: a Modern2023 keystore + truststore pair needs five PBKDF2-HMAC-SHA256 runs of
    // 2048 iterations if nothing is shared (key bag, 2 × certificate safe, 2 × MAC). It is
    // measured right before each of our rows: the machine is shared and its speed drifts.
    const salt = randomBytes(16);
    const measureFloor = (): number => 5 * timePerCall(() => pbkdf2Sync(PASSWORD, salt, 2048, 32, 'sha256'), 1500).cpuMs;
    console.log('');
    console.log(
      '| CAs | floor ms CPU/set (5 × PBKDF2) | ours ms CPU/set | ours sets/s/core | ours ÷ floor | ours ms wall/set | openssl pkcs12 -export ms wall/set | openssl ÷ ours | keytool ms wall/set | keytool ÷ ours |',
    );
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');

    const manyRows: string[] = [];
    for (const count of [2, 20]) {
      const cas: Issued[] = [root, ...extraRoots.slice(0, count - 1)];
      const caCrt = cas.map((c) => c.certPem).join('');
      const bundleFile = pki.path(`bundle-${count}.pem`);
      writeFileSync(bundleFile, caCrt);

      const floorMs = measureFloor();
      const build = () =>
        buildStoreFiles({ tlsCrt, tlsKey: leaf.keyPem, caCrt }, { formats: ['jks', 'pkcs12'], keystorePassword: PASSWORD, pkcs12Profile: 'Modern2023' });
      const ours = await timePerAsyncCall(build, 3000);
      // As the keystore loop builds: many at once (its workers), PBKDF2 on libuv's pool.
      const many = await timePerAsyncCall(build, 3000, 8);
      manyRows.push(
        `| ${count} | ${fmt(ours.wallMs)} | ${fmt(many.wallMs)} | ${(1000 / many.wallMs).toFixed(0)} | ${(ours.wallMs / many.wallMs).toFixed(2)}× | ${fmt(many.cpuMs)} |`,
      );
      Object.assign(figures, {
        [`${count} CAs: floor ms CPU/set`]: floorMs,
        [`${count} CAs: ours ms CPU/set`]: ours.cpuMs,
        [`${count} CAs: ours ÷ floor`]: ours.cpuMs / floorMs,
        [`${count} CAs: ours ms wall/set, one at a time`]: ours.wallMs,
        [`${count} CAs: ours sets/s wall, 8 at once`]: 1000 / many.wallMs,
      });

      // OpenSSL 3 defaults are Modern2023's algorithms (PBES2/AES-256, SHA-256 MAC, 2048);
      // it writes no JKS, so its job is the PKCS#12 half: keystore + truststore.
      const opensslMs = timeExternal(() => {
        run('openssl', [
          'pkcs12',
          '-export',
          '-inkey',
          leaf.keyPath,
          '-in',
          leaf.certPath,
          '-certfile',
          chainFile,
          '-name',
          'certificate',
          '-out',
          pki.path('o-keystore.p12'),
          '-passout',
          `pass:${PASSWORD}`,
        ]);
        run('openssl', ['pkcs12', '-export', '-nokeys', '-in', bundleFile, '-out', pki.path('o-truststore.p12'), '-passout', `pass:${PASSWORD}`]);
      }, 10);

      // keytool: one -importcert per CA into a JKS and a PKCS#12 truststore, and the key entry
      // imported (-importkeystore) from a PKCS#12 made beforehand into a JKS and a PKCS#12.
      const keytoolMs = timeExternal(() => {
        for (const file of ['k-truststore.jks', 'k-truststore.p12', 'k-keystore.jks', 'k-keystore.p12']) rmSync(pki.path(file), { force: true });
        for (const [storeType, file] of [
          ['JKS', 'k-truststore.jks'],
          ['PKCS12', 'k-truststore.p12'],
        ]) {
          cas.forEach((ca, i) =>
            run('keytool', [
              ...FAST_JVM,
              '-importcert',
              '-noprompt',
              '-storetype',
              storeType,
              '-keystore',
              pki.path(file),
              '-storepass',
              PASSWORD,
              '-alias',
              `trusted-certificate-${i + 1}`,
              '-file',
              ca.certPath,
            ]),
          );
        }
        for (const [storeType, file] of [
          ['JKS', 'k-keystore.jks'],
          ['PKCS12', 'k-keystore.p12'],
        ]) {
          run('keytool', [
            ...FAST_JVM,
            '-importkeystore',
            '-noprompt',
            '-srcstoretype',
            'PKCS12',
            '-srckeystore',
            pki.path('o-keystore.p12'),
            '-srcstorepass',
            PASSWORD,
            '-deststoretype',
            storeType,
            '-destkeystore',
            pki.path(file),
            '-deststorepass',
            PASSWORD,
            '-destkeypass',
            PASSWORD,
          ]);
        }
      }, 1);

      figures[`${count} CAs: openssl ÷ ours (wall)`] = opensslMs / ours.wallMs;
      console.log(
        `| ${count} | ${fmt(floorMs)} | ${fmt(ours.cpuMs)} | ${(1000 / ours.cpuMs).toFixed(0)} | ${(ours.cpuMs / floorMs).toFixed(2)} | ${fmt(ours.wallMs)} | ${fmt(opensslMs)} | ${(opensslMs / ours.wallMs).toFixed(0)}× | ${fmt(keytoolMs)} | ${(keytoolMs / ours.wallMs).toFixed(0)}× |`,
      );
    }
    console.log('');
    console.log('ours: buildStoreFiles from PEM text in-process (PEM parse, key load and match, JKS + PKCS#12 keystore and truststore);');
    console.log('one PBKDF2 and one PKCS#12-KDF (SHA-256, 2048 rounds) per set, shared by keystore and truststore under one password.');
    console.log('openssl: the PKCS#12 pair only (it writes no JKS); keytool: one JVM per -importcert / -importkeystore. Ratios: wall clock.');
    console.log('');
    console.log(`Many at once (8 builds in flight, as the keystore loop's workers), ${availableParallelism()} cores:`);
    console.log('');
    console.log('| CAs | one at a time ms wall/set | 8 at once ms wall/set | 8 at once sets/s | speed-up | 8 at once ms CPU/set (all threads) |');
    console.log('|---:|---:|---:|---:|---:|---:|');
    for (const row of manyRows) console.log(row);
  } finally {
    pki.dispose();
  }
  return figures;
}
