// The development CA as a child process (`cmpv2-operator test-ca --state-dir …`, the compiled
// CLI), killable with SIGKILL and restartable on the same port with the same state dir, so its
// keys, open transactions and enrolment log outlive the kill. Enrolments are counted from the
// state dir's enrolments.jsonl, which the CA appends to before each answer leaves.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENROLMENT_LOG_FILE, readEnrolmentLog, type EnrolmentRecord } from '../../../src/cmp/server/index.js';
import { freePort } from '../../cluster/issuer/support.js';

const ROOT = path.join(import.meta.dirname, '..', '..', '..');

export interface CaProcessOptions {
  secret: string;
  reference: string;
  /** Answer `waiting` this many times (test-ca --poll). */
  poll?: number;
  /** checkAfter of the waiting answers (test-ca --check-after). */
  checkAfterSeconds?: number;
}

export class CaProcess {
  private child: ChildProcess | undefined;
  private text = '';
  /** How many times it was started (1 after start()). */
  starts = 0;

  private constructor(
    readonly port: number,
    readonly stateDir: string,
    private readonly options: CaProcessOptions,
  ) {}

  /** Starts the CA on a free port with a fresh state dir; resolves once it listens. */
  static async start(options: CaProcessOptions): Promise<CaProcess> {
    const ca = new CaProcess(await freePort(), fs.mkdtempSync(path.join(os.tmpdir(), 'fault-ca-')), options);
    await ca.restart();
    return ca;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/.well-known/cmp`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get output(): string {
    return this.text;
  }

  /** Starts it (again) on the same port with the same state dir; resolves once it prints its URL and summary. */
  async restart(): Promise<void> {
    if (this.running) throw new Error('the CA is still running: kill() it first');
    const args = [
      path.join(ROOT, 'bin', 'cmpv2-operator.js'),
      'test-ca',
      '--port',
      String(this.port),
      '--state-dir',
      this.stateDir,
      '--secret',
      `pass:${this.options.secret}`,
      '--ref',
      this.options.reference,
      '--poll',
      String(this.options.poll ?? 0),
      '--check-after',
      String(this.options.checkAfterSeconds ?? 1),
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.starts += 1;
    this.text += `==== start ${this.starts}\n`;
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        this.text += chunk.toString();
        // Listening once this run printed its URL and its summary line.
        const run = this.text.slice(this.text.lastIndexOf('==== start'));
        if (run.includes(`http://127.0.0.1:${this.port}/.well-known/cmp\n`) && /\ntest-ca: .*\n/.test(run)) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => (this.text += chunk.toString()));
      child.once('exit', (code, signal) => reject(new Error(`test-ca exited (${code ?? signal}) before listening:\n${this.text}`)));
    });
  }

  /** SIGKILL: no goodbye, whatever was in flight is lost; resolves once it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** Every certificate issued with this state dir, across restarts. */
  enrolments(): EnrolmentRecord[] {
    return readEnrolmentLog(path.join(this.stateDir, ENROLMENT_LOG_FILE));
  }

  async stop(): Promise<void> {
    await this.kill();
    fs.rmSync(this.stateDir, { recursive: true, force: true });
  }
}
