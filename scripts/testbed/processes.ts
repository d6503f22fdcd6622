// Starting and stopping the bed's long-running processes. They run detached (so `testbed up`
// can exit and leave them running), log to .testbed/logs/<name>.log, and are tracked by pid;
// a pid counts as ours only while /proc says it still runs our binary (pids get reused).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { layout } from './layout.js';

export interface Started {
  readonly pid: number;
  readonly binary: string;
  readonly logFile: string;
}

export function startDetached(name: string, binary: string, args: readonly string[]): Started {
  fs.mkdirSync(layout.logsDir, { recursive: true });
  const logFile = path.join(layout.logsDir, `${name}.log`);
  const out = fs.openSync(logFile, 'a');
  fs.writeSync(out, `\n==== ${new Date().toISOString()} ${binary} ${args.join(' ')}\n`);
  const child = spawn(binary, [...args], { detached: true, stdio: ['ignore', out, out], cwd: layout.runDir });
  fs.closeSync(out);
  if (child.pid === undefined) {
    throw new Error(`could not start ${name} (${binary})`);
  }
  // Reap it if it dies while we still run, so a dead child is never mistaken for a live one.
  child.on('error', () => undefined);
  child.unref();
  return { pid: child.pid, binary, logFile };
}

/** True while `pid` is a running (not zombie) process of `binary`. */
export function isRunning(pid: number, binary: string): boolean {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return cmdline.split('\0')[0] === binary && state !== 'Z';
  } catch {
    return false;
  }
}

/** SIGCONT (it may be paused) and SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(pid: number, binary: string, graceMs = 15000): Promise<void> {
  if (!isRunning(pid, binary)) return;
  try {
    // A process paused by the fault hooks (SIGSTOP) would never act on SIGTERM.
    process.kill(pid, 'SIGCONT');
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isRunning(pid, binary)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        return;
      }
      await sleep(200);
      return;
    }
    await sleep(100);
  }
}

/** Last lines of a log file, for error messages. */
export async function logTail(file: string, lines = 8): Promise<string> {
  try {
    const text = await fsp.readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
