// Fault hooks on the running bed for the fault suite and its benchmark: stop and start again
// (same ports, data dir and arguments), pause (SIGSTOP) and resume (SIGCONT) each of etcd,
// kube-apiserver and the cert-manager controller. A restart updates the bed's state file with
// the new pid and returns once the process is healthy again. `down` stops paused processes too
// (stopProcess sends SIGCONT first).
import { binaryPath, layout } from './layout.js';
import {
  apiserverReady,
  certManagerRunning,
  etcdHealthy,
  readState,
  running,
  startApiserver,
  startCertManager,
  startEtcd,
  waitFor,
  withLock,
  writeState,
  type ProcessName,
  type State,
} from './bed.js';
import { stopProcess } from './processes.js';

export type BedProcess = ProcessName;

/** How long a restarted process may take to become healthy (the API server is the slowest). */
const READY_TIMEOUT_MS: Record<BedProcess, number> = { etcd: 60_000, 'kube-apiserver': 180_000, 'cert-manager-controller': 60_000 };

async function currentState(): Promise<State> {
  const state = await readState();
  if (!state) throw new Error(`the test bed${layout.instance ? ` instance ${layout.instance}` : ''} is not running`);
  return state;
}

function pidOf(state: State, name: BedProcess): number {
  const pid = state.pids[name];
  if (pid === undefined || !running(state, name)) throw new Error(`${name} of the test bed is not running`);
  return pid;
}

/** The health check the bed uses for `name`. */
function readiness(state: State, name: BedProcess): () => Promise<boolean> {
  if (name === 'etcd') return () => etcdHealthy(state);
  if (name === 'kube-apiserver') return () => apiserverReady(state);
  return certManagerRunning;
}

/** Stops `name` (SIGTERM, SIGKILL after the grace period; `kill` sends SIGKILL at once). */
export function stopBedProcess(name: BedProcess, options: { kill?: boolean } = {}): Promise<void> {
  return withLock(async () => {
    const state = await currentState();
    const pid = pidOf(state, name);
    await stopProcess(pid, binaryPath(name), options.kill ? 0 : undefined);
    delete state.pids[name];
    await writeState(state);
  });
}

/** Starts `name` again with the bed's ports, data dir and arguments; resolves once it is healthy. */
export function startBedProcess(name: BedProcess): Promise<void> {
  return withLock(async () => {
    const state = await currentState();
    if (running(state, name)) throw new Error(`${name} of the test bed is already running`);
    if (name === 'etcd') state.pids.etcd = startEtcd(state);
    else if (name === 'kube-apiserver') state.pids['kube-apiserver'] = startApiserver(state);
    else state.pids['cert-manager-controller'] = await startCertManager(state);
    await writeState(state);
    await waitFor(name, state, readiness(state, name), READY_TIMEOUT_MS[name]);
  });
}

/** Stops and starts `name`; resolves once it is healthy again. Returns how long it was down, in ms. */
export async function restartBedProcess(name: BedProcess, options: { kill?: boolean } = {}): Promise<number> {
  const began = Date.now();
  await stopBedProcess(name, options);
  await startBedProcess(name);
  return Date.now() - began;
}

/** SIGSTOP: the process keeps its sockets but answers nothing until resumed. */
export async function pauseBedProcess(name: BedProcess): Promise<void> {
  process.kill(pidOf(await currentState(), name), 'SIGSTOP');
}

/** SIGCONT, then waits until it is healthy again. */
export async function resumeBedProcess(name: BedProcess): Promise<void> {
  const state = await currentState();
  process.kill(pidOf(state, name), 'SIGCONT');
  await waitFor(name, state, readiness(state, name), READY_TIMEOUT_MS[name]);
}

/** True when every process of the bed answers its health check (after a fault, before the next). */
export async function bedHealthy(): Promise<boolean> {
  const state = await readState();
  if (!state) return false;
  for (const name of ['etcd', 'kube-apiserver', 'cert-manager-controller'] as const) {
    if (!running(state, name) || !(await readiness(state, name)())) return false;
  }
  return true;
}
