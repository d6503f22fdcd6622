// The test bed's life cycle: up (build if needed, start etcd, kube-apiserver and the
// cert-manager controller on 127.0.0.1 with random free ports), down, status, and kubeconfigs
// for other users. `up` is idempotent: a healthy running bed is reused.
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import * as z from 'zod';
import { applyCrdDirectory } from './apply.js';
import { ensureBuilt, type Log } from './build.js';
import { writeKubeconfig } from './kubeconfig.js';
import { binaryPath, layout } from './layout.js';
import {
  caCertFile,
  clientCertificate,
  ensurePki,
  servingPair,
  serviceAccountKeyFile,
  serviceAccountPublicKeyFile,
  type KeyPair,
} from './pki.js';
import { isRunning, logTail, startDetached, stopProcess } from './processes.js';

export const processNames = ['etcd', 'kube-apiserver', 'cert-manager-controller'] as const;
export type ProcessName = (typeof processNames)[number];

const stateSchema = z.object({
  apiserverPort: z.number().int(),
  etcdClientPort: z.number().int(),
  etcdPeerPort: z.number().int(),
  approver: z.boolean(),
  /** Who started the bed: a test run stops it when its last concurrent run ends; `cli` keeps it. */
  startedBy: z.enum(['cli', 'tests']).default('cli'),
  pids: z.partialRecord(z.enum(processNames), z.number().int()),
});
export type State = z.infer<typeof stateSchema>;

export interface BedInfo {
  readonly kubeconfig: string;
  readonly server: string;
  /** Whether cert-manager's CertificateRequest approver runs (it approves every request). */
  readonly approver: boolean;
  /** True when `up` found the bed already running and healthy. */
  readonly reused: boolean;
}

export interface UpOptions {
  /**
   * Run cert-manager's approver. When absent: TESTBED_APPROVER if set (off for "0"/"false"),
   * else a running bed keeps its setting and a new one has it on.
   */
  readonly approver?: boolean;
  /** `tests` when a test run starts the bed (see registerTestRun); default `cli`. */
  readonly startedBy?: 'cli' | 'tests';
  readonly log?: Log;
}

const silent: Log = () => undefined;

/** TESTBED_APPROVER as a boolean, or undefined when unset. */
export function approverFromEnv(): boolean | undefined {
  const value = process.env.TESTBED_APPROVER?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  return !(value === '0' || value === 'false' || value === 'no' || value === 'off');
}

const serverUrl = (state: State): string => `https://127.0.0.1:${state.apiserverPort}`;

export async function readState(): Promise<State | undefined> {
  try {
    return stateSchema.parse(JSON.parse(await fs.readFile(layout.stateFile, 'utf8')));
  } catch {
    return undefined;
  }
}

export async function writeState(state: State): Promise<void> {
  await fs.mkdir(layout.runDir, { recursive: true });
  await fs.writeFile(layout.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

interface TlsClient {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

function httpGet(url: string, tls?: TlsClient): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    };
    const request = tls ? https.get(url, { ...tls, timeout: 5000 }, onResponse) : http.get(url, { timeout: 5000 }, onResponse);
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

async function adminTls(): Promise<TlsClient> {
  const admin = await adminCertificate();
  return {
    ca: await fs.readFile(caCertFile),
    cert: await fs.readFile(admin.certFile),
    key: await fs.readFile(admin.keyFile),
  };
}

const adminCertificate = (): Promise<KeyPair> => clientCertificate('testbed-admin', ['system:masters']);

export async function etcdHealthy(state: State): Promise<boolean> {
  try {
    const res = await httpGet(`http://127.0.0.1:${state.etcdClientPort}/health`);
    return res.status === 200 && /"health":\s*"true"/.test(res.body);
  } catch {
    return false;
  }
}

export async function apiserverReady(state: State): Promise<boolean> {
  try {
    const res = await httpGet(`${serverUrl(state)}/readyz`, await adminTls());
    return res.status === 200 && res.body.trim() === 'ok';
  } catch {
    return false;
  }
}

export function running(state: State, name: ProcessName): boolean {
  const pid = state.pids[name];
  return pid !== undefined && isRunning(pid, binaryPath(name));
}

async function healthy(state: State): Promise<boolean> {
  return processNames.every((n) => running(state, n)) && (await etcdHealthy(state)) && (await apiserverReady(state));
}

/** Polls `check` until true; fails early with the log tail when the process died. */
export async function waitFor(what: ProcessName, state: State, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    const died = !running(state, what);
    if (died || Date.now() > deadline) {
      const tail = await logTail(`${layout.logsDir}/${what}.log`);
      throw new Error(`${what} ${died ? 'exited' : `not ready after ${timeoutMs / 1000} s`}; last log lines:\n${tail}`);
    }
    await sleep(250);
  }
}

async function stopAll(state: State | undefined, log: Log): Promise<void> {
  if (!state) return;
  // Reverse start order: the controller first, the store last.
  for (const name of [...processNames].reverse()) {
    const pid = state.pids[name];
    if (pid !== undefined && isRunning(pid, binaryPath(name))) {
      log(`testbed: stopping ${name} (pid ${pid})`);
      await stopProcess(pid, binaryPath(name));
    }
  }
}

export function startEtcd(state: State): number {
  const client = `http://127.0.0.1:${state.etcdClientPort}`;
  const peer = `http://127.0.0.1:${state.etcdPeerPort}`;
  return startDetached('etcd', binaryPath('etcd'), [
    '--name=testbed',
    `--data-dir=${layout.etcdDataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=testbed=${peer}`,
    // A throwaway store: durability costs time and buys nothing here.
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ]).pid;
}

export function startApiserver(state: State): number {
  const server = serverUrl(state);
  return startDetached('kube-apiserver', binaryPath('kube-apiserver'), [
    `--etcd-servers=http://127.0.0.1:${state.etcdClientPort}`,
    '--bind-address=127.0.0.1',
    // Without it a machine with no default route fails to pick an address to advertise.
    '--advertise-address=127.0.0.1',
    `--secure-port=${state.apiserverPort}`,
    `--cert-dir=${layout.runDir}`,
    `--tls-cert-file=${servingPair.certFile}`,
    `--tls-private-key-file=${servingPair.keyFile}`,
    `--client-ca-file=${caCertFile}`,
    '--authorization-mode=RBAC',
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
    // No controller-manager creates default ServiceAccounts, so their admission check would fail pods.
    '--disable-admission-plugins=ServiceAccount',
    `--service-account-issuer=${server}/`,
    `--service-account-key-file=${serviceAccountPublicKeyFile}`,
    `--service-account-signing-key-file=${serviceAccountKeyFile}`,
    '--profiling=false',
  ]).pid;
}

export async function startCertManager(state: State): Promise<number> {
  await writeKubeconfig(layout.certManagerKubeconfig, {
    server: serverUrl(state),
    user: 'cert-manager',
    credentials: await clientCertificate('cert-manager', ['system:masters']),
  });
  const controllers = [
    'issuers',
    'clusterissuers',
    'certificates-trigger',
    'certificates-key-manager',
    'certificates-request-manager',
    'certificates-issuing',
    'certificates-readiness',
    'certificates-revision-manager',
    // Approves every CertificateRequest whatever its issuer (no webhook enforces approveSignerNames).
    ...(state.approver ? ['certificaterequests-approver'] : []),
    'certificaterequests-issuer-selfsigned',
    'certificaterequests-issuer-ca',
  ];
  return startDetached('cert-manager-controller', binaryPath('cert-manager-controller'), [
    `--kubeconfig=${layout.certManagerKubeconfig}`,
    `--controllers=${controllers.join(',')}`,
    '--cluster-resource-namespace=kube-system',
  ]).pid;
}

export async function certManagerRunning(): Promise<boolean> {
  const text = await fs.readFile(`${layout.logsDir}/cert-manager-controller.log`, 'utf8').catch(() => '');
  // Only the current run counts: startDetached writes a "====" header before each start.
  return text.slice(text.lastIndexOf('\n==== ')).includes('cert-manager-controller: running');
}

async function restartCertManager(state: State, log: Log): Promise<void> {
  const pid = state.pids['cert-manager-controller'];
  if (pid !== undefined) await stopProcess(pid, binaryPath('cert-manager-controller'));
  log(`testbed: starting cert-manager controller (approver ${state.approver ? 'on' : 'off'})`);
  state.pids['cert-manager-controller'] = await startCertManager(state);
  await writeState(state);
  await waitFor('cert-manager-controller', state, certManagerRunning, 60000);
}

/** Serialises `up`/`down` between processes (a test run and a shell, say). */
export async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  await fs.mkdir(layout.runDir, { recursive: true });
  const deadline = Date.now() + 60 * 60 * 1000;
  for (;;) {
    try {
      const handle = await fs.open(layout.lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number((await fs.readFile(layout.lockFile, 'utf8').catch(() => '')).trim());
      const alive = Number.isInteger(holder) && holder > 0 && (() => {
        try {
          process.kill(holder, 0);
          return true;
        } catch {
          return false;
        }
      })();
      if (!alive) {
        await fs.rm(layout.lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`test bed locked by pid ${holder} for too long`);
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(layout.lockFile, { force: true });
  }
}

const info = (state: State, reused: boolean): BedInfo => ({
  kubeconfig: layout.kubeconfig,
  server: serverUrl(state),
  approver: state.approver,
  reused,
});

export function up(options: UpOptions = {}): Promise<BedInfo> {
  const log = options.log ?? silent;
  const requested = options.approver ?? approverFromEnv();
  const startedBy = options.startedBy ?? 'cli';
  return withLock(async () => {
    const previous = await readState();
    if (previous && (await healthy(previous))) {
      if (startedBy === 'cli' && previous.startedBy !== 'cli') {
        // Someone asked for the bed by hand: it stays after the test runs end.
        previous.startedBy = 'cli';
        await writeState(previous);
      }
      if (requested !== undefined && previous.approver !== requested) {
        previous.approver = requested;
        await restartCertManager(previous, log);
      }
      log(`testbed: reusing the running bed at ${serverUrl(previous)}`);
      return info(previous, true);
    }
    await stopAll(previous, log);

    await ensureBuilt(log);
    await ensurePki();
    await fs.rm(layout.etcdDataDir, { recursive: true, force: true });
    await fs.mkdir(layout.runDir, { recursive: true });
    const state: State = {
      apiserverPort: await freePort(),
      etcdClientPort: await freePort(),
      etcdPeerPort: await freePort(),
      approver: requested ?? true,
      startedBy,
      pids: {},
    };
    try {
      log(`testbed: starting etcd on 127.0.0.1:${state.etcdClientPort}`);
      state.pids.etcd = startEtcd(state);
      await writeState(state);
      await waitFor('etcd', state, () => etcdHealthy(state), 60000);

      log(`testbed: starting kube-apiserver on ${serverUrl(state)}`);
      state.pids['kube-apiserver'] = startApiserver(state);
      await writeState(state);
      await waitFor('kube-apiserver', state, () => apiserverReady(state), 180000);

      await writeKubeconfig(layout.kubeconfig, {
        server: serverUrl(state),
        user: 'testbed-admin',
        credentials: await adminCertificate(),
      });
      const kc = new KubeConfig();
      kc.loadFromFile(layout.kubeconfig);
      log('testbed: applying cert-manager CRDs');
      await applyCrdDirectory(kc, layout.certManagerCrdsDir);

      await restartCertManager(state, log);
      return info(state, false);
    } catch (err) {
      await stopAll(state, log);
      await fs.rm(layout.stateFile, { force: true });
      throw err;
    }
  });
}

export function down(options: { log?: Log } = {}): Promise<void> {
  const log = options.log ?? silent;
  return withLock(async () => {
    await stopAll(await readState(), log);
    await fs.rm(layout.stateFile, { force: true });
    await fs.rm(clientsDir, { recursive: true, force: true });
    await fs.rm(layout.etcdDataDir, { recursive: true, force: true });
  });
}

const clientsDir = path.join(layout.runDir, 'clients');

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * For a test run: start the bed if needed (marking it as started by tests) and register this
 * process as one of its users, so concurrent runs share one bed.
 */
export async function registerTestRun(options: Omit<UpOptions, 'startedBy'> = {}): Promise<BedInfo> {
  const bed = await up({ ...options, startedBy: 'tests' });
  await fs.mkdir(clientsDir, { recursive: true });
  await fs.writeFile(path.join(clientsDir, String(process.pid)), '');
  return bed;
}

/**
 * The test run is over: unregister, and stop the bed when a test run started it and no other
 * run still uses it. A bed started by hand (`testbed up`) is left running.
 */
export async function releaseTestRun(options: { log?: Log } = {}): Promise<void> {
  await fs.rm(path.join(clientsDir, String(process.pid)), { force: true });
  const others = (await fs.readdir(clientsDir).catch(() => [] as string[]))
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid !== process.pid && pidAlive(pid));
  const state = await readState();
  if (state?.startedBy === 'tests' && others.length === 0) {
    await down(options);
  }
}

/** The running bed, or undefined when it is not running and healthy. */
export async function status(): Promise<BedInfo | undefined> {
  const state = await readState();
  return state && (await healthy(state)) ? info(state, true) : undefined;
}

/**
 * A kubeconfig for `user` in `groups` (client certificate signed by the bed's client CA), for
 * tests that must run under RBAC. Written to .testbed/users/<user>.kubeconfig unless `file` is given.
 */
export async function userKubeconfig(user: string, groups: readonly string[] = [], file?: string): Promise<string> {
  const state = await readState();
  if (!state) throw new Error('the test bed is not running: npm run testbed -- up');
  const credentials = await clientCertificate(user, groups);
  const target = file ?? `${credentials.certFile.replace(/\.crt$/, '')}.kubeconfig`;
  await writeKubeconfig(target, { server: serverUrl(state), user, credentials });
  return target;
}
