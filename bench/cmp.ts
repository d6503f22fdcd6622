// CMP benchmark: enrolments per second against our development CA (p10cr and ir; EC P-256 and
// RSA-2048), in-process (transport = the CA's handler) and over HTTP; then whole processes against
// the same HTTP server in the same run: `cmpv2-operator enroll` (as shipped: the bundle, enroll
// with its code cache; and, for scale, from tsc's dist/ module by module) beside `openssl cmp`.
// Key generation is outside the timed part (keys are made beforehand and reused round-robin).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CmpClient, type EnrollmentRequest } from '../src/cmp/client.js';
import { buildCsr, parseSubjectAltName } from '../src/cmp/csr.js';
import { newPbmParameter, pbmMac } from '../src/cmp/pbm.js';
import { parseDistinguishedName } from '../src/cmp/names.js';
import { startDevelopmentCa } from '../src/cmp/server/index.js';
import { type CmpTransport, HttpTransport } from '../src/cmp/transport.js';
import { makeKey, type KeyKind } from '../test/cmp/fixtures.js';
import type { Figures } from './figures.js';

const runFile = promisify(execFile);
/** `node -e` body that runs the CLI from tsc's dist/ (no bundle); argv[1] stands in for the script. */
const UNBUNDLED_MAIN = "import { main } from './dist/cli/main.js'; process.exitCode = await main(process.argv);";
const SECRET = 'bench-secret';
const REF = 'bench-ref';
const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

function requests(kind: KeyKind, type: 'p10cr' | 'ir', count: number): EnrollmentRequest[] {
  return Array.from({ length: count }, (_, i) => {
    const key = makeKey(kind);
    const csr = buildCsr({
      key: key.privateKey,
      subject: parseDistinguishedName(`CN=bench-${i}`),
      subjectAltNames: [parseSubjectAltName(`bench-${i}.example`)],
    });
    return type === 'p10cr' ? { type, csr } : { type, csr, privateKey: key.privateKey };
  });
}

/** Enrolments per second, sequentially, for about `budgetMs` after a warm-up. */
async function rate(
  makeTransport: () => CmpTransport,
  pool: EnrollmentRequest[],
  budgetMs: number,
): Promise<{ perSecond: number; msEach: number; cpuMs: number; count: number }> {
  const client = new CmpClient({
    transport: makeTransport(),
    protection: { type: 'pbm', secret: new TextEncoder().encode(SECRET), reference: new TextEncoder().encode(REF) },
  });
  for (let i = 0; i < 3; i++) await client.enroll(pool[i % pool.length]);
  let count = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  while (count < 5 || performance.now() - start < budgetMs) {
    await client.enroll(pool[count % pool.length]);
    count += 1;
  }
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { perSecond: (count * 1000) / ms, msEach: ms / count, cpuMs: (used.user + used.system) / 1000 / count, count };
}

/** Wall time of one run of a process; asynchronous, since the CA answering it lives in this process. */
async function timeProcess(command: string, args: string[]): Promise<number> {
  const start = performance.now();
  await runFile(command, args);
  return performance.now() - start;
}

export async function cmpBench(): Promise<Figures> {
  const figures: Figures = {};
  const ca = await startDevelopmentCa({ port: 0, secret: SECRET, reference: REF });
  const dir = mkdtempSync(path.join(tmpdir(), 'cmp-bench-'));
  try {
    // The floor every enrolment pays: 8 PBM key derivations (500 × SHA-256 each): the client protects
    // request and certConf and verifies two answers; the CA does the mirror image.
    const pbmParameter = newPbmParameter();
    const pbmRuns = 50;
    const pbmCpu = process.cpuUsage();
    for (let i = 0; i < pbmRuns; i++) pbmMac(new TextEncoder().encode(SECRET), pbmParameter, new Uint8Array(64));
    const pbmUsed = process.cpuUsage(pbmCpu);
    const pbmMs = (pbmUsed.user + pbmUsed.system) / 1000 / pbmRuns;
    console.log(`PBM (SHA-256 × 500 + HMAC): ${fmt(pbmMs)} ms CPU → floor ${fmt(8 * pbmMs)} ms CPU per enrolment (client and CA together)`);
    console.log('');
    console.log('| request | key | in-process enrolments/s | ms CPU each (client + CA) | ÷ PBM floor | over HTTP enrolments/s | ms CPU each |');
    console.log('|---|---|---:|---:|---:|---:|---:|');
    for (const kind of ['ec', 'rsa'] as const) {
      for (const type of ['p10cr', 'ir'] as const) {
        const pool = requests(kind, type, 4);
        const inProcess = await rate(() => ({ send: (bytes) => ca.handle(bytes) }), pool, 3000);
        const http = await rate(() => new HttpTransport({ url: ca.url! }), pool, 3000);
        const name = kind === 'ec' ? 'EC P-256' : 'RSA-2048';
        figures[`in-process ${type} ${name} enrolments/s`] = inProcess.perSecond;
        console.log(
          `| ${type} | ${name} | ${inProcess.perSecond.toFixed(1)} | ${fmt(inProcess.cpuMs)} | ${(inProcess.cpuMs / (8 * pbmMs)).toFixed(1)} | ${http.perSecond.toFixed(1)} | ${fmt(http.cpuMs)} |`,
        );
      }
    }
    console.log('');
    console.log('Each enrolment: request + certConf/pkiconf with PBM on all four messages, POP (ir), the CA checking and signing; client and CA share');
    console.log('this process, so enrolments/s is wall clock of both and CPU is both together. Keys are made beforehand (not timed).');

    // Whole processes against the same HTTP server: ours (the CLI as shipped: bin/ → the dist/bundle/
    // esbuild bundle) and openssl cmp.
    if (!existsSync('dist/cli/enroll.js') || !existsSync('dist/bundle/main.js')) execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
    const key = makeKey('ec');
    const keyFile = path.join(dir, 'ec.key');
    writeFileSync(keyFile, key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), { mode: 0o600 });
    const runs = 10;
    const url = new URL(ca.url!);
    console.log('');
    // Start-up alone, to separate loading the CLI from the enrolment itself.
    let startupMs = 0;
    await timeProcess('node', ['bin/cmpv2-operator.js', '--help']);
    for (let i = 0; i < runs; i++) startupMs += await timeProcess('node', ['bin/cmpv2-operator.js', '--help']);
    startupMs /= runs;
    figures['cmpv2-operator --help ms'] = startupMs;
    let nodeMs = 0;
    for (let i = 0; i < runs; i++) nodeMs += await timeProcess('node', ['-e', '0']);
    nodeMs /= runs;
    figures['node -e 0 ms'] = nodeMs;
    console.log(`for scale, start-up alone (cmpv2-operator --help, no command loaded): ${fmt(startupMs)} ms; node itself (node -e 0): ${fmt(nodeMs)} ms`);
    console.log('');
    console.log(
      `| request (EC P-256, fresh process each) | cmpv2-operator enroll ms | openssl cmp ms | ours ÷ openssl | unbundled dist/ ms | unbundled ÷ openssl |`,
    );
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const type of ['p10cr', 'ir'] as const) {
      const ours = [
        'bin/cmpv2-operator.js',
        'enroll',
        '--server',
        ca.url!,
        '--cmd',
        type,
        '--newkey',
        keyFile,
        '--subject',
        'CN=bench-cli',
        '--secret',
        `pass:${SECRET}`,
        '--ref',
        REF,
        '--certout',
        path.join(dir, 'ours.pem'),
      ];
      const openssl = [
        'cmp',
        '-cmd',
        type,
        '-server',
        `${url.host}${url.pathname}`,
        '-secret',
        `pass:${SECRET}`,
        '-ref',
        REF,
        '-newkey',
        keyFile,
        '-subject',
        '/CN=bench-cli',
        '-certout',
        path.join(dir, 'openssl.pem'),
        '-trusted',
        writeRoots(dir, ca.rootsPem),
      ];
      if (type === 'p10cr') {
        const csrFile = path.join(dir, 'req.csr');
        execFileSync('openssl', ['req', '-new', '-key', keyFile, '-subj', '/CN=bench-cli', '-out', csrFile]);
        openssl.push('-csr', csrFile);
      }
      // The same command from tsc's dist/ module by module (what bin/ ran before the bundle), for scale.
      const unbundled = ['--input-type=module', '-e', UNBUNDLED_MAIN, 'cmpv2-operator', ...ours.slice(1)];
      // Warm all three (page cache), then alternate the measurements so load changes hit them alike.
      await timeProcess('node', ours);
      await timeProcess('openssl', openssl);
      await timeProcess('node', unbundled);
      let oursMs = 0;
      let opensslMs = 0;
      let unbundledMs = 0;
      for (let i = 0; i < runs; i++) {
        oursMs += await timeProcess('node', ours);
        opensslMs += await timeProcess('openssl', openssl);
        unbundledMs += await timeProcess('node', unbundled);
      }
      oursMs /= runs;
      opensslMs /= runs;
      unbundledMs /= runs;
      figures[`enroll ${type} ms`] = oursMs;
      figures[`openssl cmp ${type} ms`] = opensslMs;
      figures[`enroll ÷ openssl cmp, ${type}`] = oursMs / opensslMs;
      figures[`unbundled enroll ÷ openssl cmp, ${type}`] = unbundledMs / opensslMs;
      console.log(
        `| ${type} | ${fmt(oursMs)} | ${fmt(opensslMs)} | ${(oursMs / opensslMs).toFixed(1)}× | ${fmt(unbundledMs)} | ${(unbundledMs / opensslMs).toFixed(1)}× |`,
      );
    }
    console.log('');
    console.log('Whole process = start-up + one enrolment over HTTP against the same development CA; mostly start-up (node loading the CLI vs a C binary).');
  } finally {
    await ca.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

function writeRoots(dir: string, pem: string): string {
  const file = path.join(dir, 'roots.pem');
  writeFileSync(file, pem);
  return file;
}
