// CertService benchmark: enrolments per second through `cmpv2-operator certservice` (a child
// process from dist/, mTLS, keep-alive clients) → the development CA (`cmpv2-operator test-ca`,
// another child, CMP over HTTPS with mTLS), at 1 and 16 clients in parallel, beside the same
// enrolments made directly with the CMP library from this process (ir, PBM, a new HTTPS connection
// per transaction as certservice makes them) in the same run. The ratio of the two costs is the
// server's overhead; certservice's VmHWM is its peak RSS, run with the NODE_OPTIONS of
// deploy/examples/certservice. Keys and CSRs are made before the timed part.
import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CmpClient } from '../src/cmp/client.js';
import { parseDistinguishedName } from '../src/cmp/names.js';
import { HttpTransport } from '../src/cmp/transport.js';
import { makeCsr } from '../test/cmp/fixtures.js';
import { csrHeader, keyHeader, makeTlsMaterial } from '../test/certservice/support.js';
import { deployedNodeOptions } from './nodeOptions.js';

const IAK = 'bench-iak';
const RV = 'bench-rv';
const BUDGET_MS = 6_000;
const repository = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

interface Item {
  key: KeyObject;
  csr: Uint8Array;
  headers: Record<string, string>;
}

function pool(count: number): Item[] {
  return Array.from({ length: count }, (_, i) => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const pair = { privateKey: key, publicKey: createPublicKey(key), spki: new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' })) };
    const csr = makeCsr({ subject: `CN=bench-${i}`, key: pair, dns: [`bench-${i}.example`] });
    return { key, csr, headers: { CSR: csrHeader(csr), PK: keyHeader(key) } };
  });
}

/** Runs `one` from `clients` workers for the budget; returns enrolments per second. */
async function throughput(clients: number, one: (worker: number, n: number) => Promise<void>): Promise<{ perSecond: number; count: number }> {
  for (let w = 0; w < clients; w++) await one(w, w); // warm-up
  let count = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, worker) => {
      while (performance.now() - started < BUDGET_MS) {
        await one(worker, count++);
      }
    }),
  );
  return { perSecond: (count * 1000) / (performance.now() - started), count };
}

/** VmRSS (resident set now) of `pid` in MiB. */
function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** CPU time (user + system) `pid` has used so far, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Starts the CLI from dist/ with extra environment. */
function spawnCli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [path.join(repository, 'bin', 'cmpv2-operator.js'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
}

/** The first URL the process prints on stdout. */
function firstUrl(child: ChildProcess): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = /^(https:\/\/\S+)$/m.exec(out);
      if (line) resolve(line[1]);
    });
    child.once('exit', (code) => reject(new Error(`${child.spawnargs.slice(2, 3).join(' ')} exited (${String(code)}) before listening`)));
  });
}

/** NODE_OPTIONS of the certservice container in deploy/examples/certservice/deployment.yaml. */
const certserviceNodeOptions = (): string => deployedNodeOptions('deploy/examples/certservice/deployment.yaml');

export async function certserviceBench(): Promise<void> {
  if (!existsSync(path.join(repository, 'dist', 'cli', 'certservice.js')))
    throw new Error('certservice bench: the server runs from dist/: run `npm run build` first');
  const tls = await makeTlsMaterial();
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-certservice-'));
  const file = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text, { mode: 0o600 });
    return path.join(dir, name);
  };
  file('ca.pem', tls.ca);
  const caChild = spawnCli(
    [
      'test-ca',
      '--port',
      '0',
      '--secret',
      `pass:${IAK}`,
      '--ref',
      RV,
      '--tls-cert',
      file('ca-server.pem', tls.server.cert),
      '--tls-key',
      file('ca-server.key', tls.server.key),
      '--tls-client-ca',
      path.join(dir, 'ca.pem'),
    ],
    {},
  );
  const caUrl = `${(await firstUrl(caChild)).replace(/\/$/, '')}`;
  file('client.pem', tls.client.cert);
  file('client.key', tls.client.key);
  file(
    'cmpServers.json',
    JSON.stringify({
      cmpv2Servers: [
        {
          caName: 'RA',
          url: caUrl,
          issuerDN: 'CN=ManagementCA',
          authentication: { iak: IAK, rv: RV },
          tls: { caBundleFile: 'ca.pem', clientCertFile: 'client.pem', clientKeyFile: 'client.key' },
        },
      ],
    }),
  );
  // The server as deploy/examples/certservice runs it (its NODE_OPTIONS).
  const child = spawnCli(
    [
      'certservice',
      '--config',
      path.join(dir, 'cmpServers.json'),
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--tls-cert',
      file('server.pem', tls.server.cert),
      '--tls-key',
      file('server.key', tls.server.key),
      '--tls-client-ca',
      path.join(dir, 'ca.pem'),
      '--log-level',
      'warn',
    ],
    { NODE_OPTIONS: certserviceNodeOptions() },
  );
  try {
    const url = await firstUrl(child);
    const idleRss = rssMiB(child.pid!);
    const items = pool(64);
    const recipient = parseDistinguishedName('CN=ManagementCA');
    const direct = async (_worker: number, n: number): Promise<void> => {
      const item = items[n % items.length];
      const client = new CmpClient({
        transport: new HttpTransport({ url: caUrl, tlsCa: tls.ca, tlsCert: tls.client.cert, tlsKey: tls.client.key }),
        protection: { type: 'pbm', secret: new TextEncoder().encode(IAK), reference: new TextEncoder().encode(RV) },
        recipient,
        implicitConfirm: true,
      });
      await client.enroll({ type: 'ir', csr: item.csr, privateKey: item.key });
    };
    const agents = Array.from(
      { length: 16 },
      () => new https.Agent({ keepAlive: true, maxSockets: 1, ca: tls.ca, cert: tls.client.cert, key: tls.client.key }),
    );
    const viaServer = (worker: number, n: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const request = https.request(new URL('/v1/certificate/RA', url), { agent: agents[worker], headers: items[n % items.length].headers }, (response) => {
          response.resume();
          response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`certservice answered ${response.statusCode}`))));
        });
        request.on('error', reject);
        request.end();
      });
    /** Runs one figure and notes the CPU each process spent per enrolment. */
    const cpu: string[] = [];
    const measured = async (label: string, clients: number, one: (worker: number, n: number) => Promise<void>) => {
      const before = { ca: cpuMs(caChild.pid!), server: cpuMs(child.pid!), bench: process.cpuUsage() };
      const result = await throughput(clients, one);
      const bench = process.cpuUsage(before.bench);
      const per = (ms: number) => (ms / result.count).toFixed(1);
      cpu.push(
        `${label}: CPU per enrolment — test-ca ${per(cpuMs(caChild.pid!) - before.ca)} ms, certservice ${per(cpuMs(child.pid!) - before.server)} ms, bench clients ${per((bench.user + bench.system) / 1000)} ms`,
      );
      return result;
    };
    const direct1 = await measured('direct, 1 client', 1, direct);
    const server1 = await measured('certservice, 1 client', 1, viaServer);
    const direct16 = await measured('direct, 16 clients', 16, direct);
    const server16 = await measured('certservice, 16 clients', 16, viaServer);
    const rss = peakRssMiB(child.pid!);
    agents.forEach((a) => a.destroy());
    const ms = (r: { perSecond: number }) => (1000 / r.perSecond).toFixed(1);
    console.log(
      `ir, EC P-256, PBM; development CA (test-ca process) over HTTPS with mTLS; certservice NODE_OPTIONS="${certserviceNodeOptions()}"; ${availableParallelism()} CPUs; ${BUDGET_MS / 1000} s per figure`,
    );
    console.log(`direct CMP library     1 client : ${direct1.perSecond.toFixed(1)}/s (${ms(direct1)} ms each, n=${direct1.count})`);
    console.log(`through certservice    1 client : ${server1.perSecond.toFixed(1)}/s (${ms(server1)} ms each, n=${server1.count})`);
    console.log(`direct CMP library    16 clients: ${direct16.perSecond.toFixed(1)}/s (n=${direct16.count})`);
    console.log(`through certservice   16 clients: ${server16.perSecond.toFixed(1)}/s (n=${server16.count})`);
    console.log(`certservice cost / direct cost at 1 client: ${(direct1.perSecond / server1.perSecond).toFixed(2)}× (aim ≤ 1.3×)`);
    console.log(`certservice throughput 16 / 1 clients: ${(server16.perSecond / server1.perSecond).toFixed(2)}× (aim ≥ 1.5× on 2 cores)`);
    console.log(`certservice peak RSS (VmHWM): ${rss.toFixed(1)} MiB (aim < 120 MiB); idle after start ${idleRss.toFixed(1)} MiB`);
    for (const line of cpu) console.log(line);
    console.log(
      `load average: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    for (const c of [child, caChild]) {
      c.kill('SIGTERM');
      await new Promise((resolve) => (c.exitCode !== null ? resolve(undefined) : c.once('exit', resolve)));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
