// A `cmpv2-operator run` child process (the compiled CLI, as the image runs it) under a given
// kubeconfig, its output kept: the JSON log records, the ports it logged, SIGTERM and its exit
// code. Shared by the kustomize base's and the Helm chart's cluster tests.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '../bed.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** A running `cmpv2-operator run` child, its output kept for failure messages. */
export class OperatorProcess {
  private text = '';
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (c: Buffer) => (this.text += c.toString()));
    child.stderr.on('data', (c: Buffer) => (this.text += c.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** `extraEnv` as a Deployment would set it (POD_NAMESPACE from the downward API, say). */
  static start(kubeconfigFile: string, args: string[], extraEnv: Record<string, string> = {}): OperatorProcess {
    const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfigFile };
    delete env.POD_NAMESPACE;
    Object.assign(env, extraEnv);
    return new OperatorProcess(spawn(process.execPath, [join(ROOT, 'bin', 'cmpv2-operator.js'), 'run', ...args], { cwd: ROOT, env }));
  }

  get output(): string {
    return this.text;
  }

  records(): Record<string, unknown>[] {
    return this.text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
  }

  /** The ports the operator logged it listens on, by endpoint name. */
  async ports(): Promise<{ health: number; metrics: number }> {
    return eventually(
      'the operator to log its listening ports',
      async () => {
        const listening = this.records().filter((r) => r.msg === 'listening');
        const port = (name: string) => listening.find((r) => (r.endpoints as string[]).includes(name))?.port as number | undefined;
        const health = port('health');
        const metrics = port('metrics');
        return health && metrics ? { health, metrics } : undefined;
      },
      30_000,
    );
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Runs `body`; on failure the operators' output joins the message. */
export async function withOutput(operators: OperatorProcess[], body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const logs = operators.map((o, i) => `--- operator ${i + 1} output ---\n${o.output}`).join('\n');
    const failure = new Error(`${err instanceof Error ? err.message : String(err)}\n${logs}`);
    failure.stack = `${failure.message}\n${err instanceof Error ? (err.stack ?? '') : ''}`;
    throw failure;
  }
}
