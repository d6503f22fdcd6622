// One operator replica for the fault suite: `cmpv2-operator run` as a child process (through
// the cluster tests' OperatorProcess), with its POD_NAME (a restarted replica keeps it, so it
// takes over its own transactions; another replica has its own), the test-only hold points
// (CMPV2_OPERATOR_TEST_HOLD), SIGKILL and restart, and its peak RSS sampled from /proc.
import fs from 'node:fs';
import { OperatorProcess } from '../../cluster/deploy/operatorProcess.js';
import { eventually } from '../../cluster/bed.js';

/** Where an operator can be held for a SIGKILL (the lead's contract, issue 12 item 2). */
export type HoldPoint = 'recorded' | 'in-flight' | 'polling' | 'answered';

export interface ReplicaOptions {
  kubeconfig: string;
  namespace: string;
  podName: string;
  leaderElect?: boolean;
  /** Hold at these points (test-only environment hook). */
  hold?: HoldPoint[];
}

const RSS_SAMPLE_MS = 200;

/** VmRSS of a live process in bytes, or undefined when it is gone. */
function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export class OperatorReplica {
  private process: OperatorProcess | undefined;
  private sampler: NodeJS.Timeout | undefined;
  /** Output of every run of this replica, oldest first. */
  private earlierOutput = '';
  /** Highest VmRSS seen over every run, bytes. */
  peakRssBytes = 0;
  kills = 0;

  constructor(private options: ReplicaOptions) {}

  get podName(): string {
    return this.options.podName;
  }

  get output(): string {
    return this.earlierOutput + (this.process?.output ?? '');
  }

  /** Starts (or, after kill(), restarts with the same POD_NAME); `hold` replaces the hold points. */
  start(change: { hold?: HoldPoint[] } = {}): void {
    if (this.alive) throw new Error(`operator ${this.podName} is already running`);
    if (change.hold) this.options = { ...this.options, hold: change.hold };
    const { kubeconfig, namespace, podName, leaderElect, hold } = this.options;
    const args = [
      '--namespace',
      namespace,
      '--controllers',
      'issuer',
      '--metrics-addr',
      '127.0.0.1:0',
      '--health-addr',
      '127.0.0.1:0',
      '--log-format',
      'json',
      ...(leaderElect ? ['--leader-elect', '--lease-namespace', namespace] : []),
    ];
    const env: Record<string, string> = { POD_NAME: podName, POD_NAMESPACE: namespace };
    if (hold && hold.length > 0) env.CMPV2_OPERATOR_TEST_HOLD = hold.join(',');
    if (this.process) this.earlierOutput += `${this.process.output}\n==== restart of ${podName}\n`;
    this.process = OperatorProcess.start(kubeconfig, args, env);
    const pid = this.process.child.pid;
    clearInterval(this.sampler);
    this.sampler = setInterval(() => {
      const rss = pid === undefined ? undefined : rssBytes(pid);
      if (rss !== undefined && rss > this.peakRssBytes) this.peakRssBytes = rss;
    }, RSS_SAMPLE_MS);
  }

  get alive(): boolean {
    const child = this.process?.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** The requests (`namespace/name`) it announced holding at `point`, in order. */
  held(point: HoldPoint): string[] {
    const pattern = new RegExp(`^cmpv2-test-hold ${point} (\\S+)$`, 'gm');
    return [...(this.process?.output ?? '').matchAll(pattern)].map((m) => m[1]);
  }

  /** Waits until this run announced holding at least `count` requests at `point`. */
  async waitForHold(point: HoldPoint, count: number, timeoutMs = 90_000): Promise<string[]> {
    return eventually(
      `operator ${this.podName} to hold ${count} request(s) at "${point}"`,
      async () => {
        if (!this.alive) throw new Error(`operator ${this.podName} exited:\n${this.output.slice(-3000)}`);
        const held = this.held(point);
        return held.length >= count ? held : undefined;
      },
      timeoutMs,
    );
  }

  /** SIGKILL; resolves once the process is gone. */
  async kill(): Promise<void> {
    if (!this.process || !this.alive) return;
    this.kills += 1;
    this.process.kill();
    await this.process.exited;
  }

  /** SIGTERM (a clean stop); resolves with the exit code. */
  async stop(): Promise<void> {
    clearInterval(this.sampler);
    if (this.process && this.alive) await this.process.stop();
  }
}
