// CPU seconds (user + system) the test bed's processes, this process and any other named
// process have used so far, read from /proc: a phase's figure is the difference of two readings,
// which says who was busy while it ran (the bed shares the machine's cores with the loop).
import { readFileSync } from 'node:fs';
import { processNames, readState } from '../scripts/testbed/bed.js';

/** CPU seconds of `pid` so far (utime + stime of /proc/<pid>/stat; 100 clock ticks a second). */
export function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds so far of each bed process, of this process (`bench`) and of `others` (name → pid). */
export async function cpuSeconds(others: Record<string, number | undefined> = {}): Promise<Record<string, number>> {
  const pids = (await readState())?.pids ?? {};
  const result: Record<string, number> = {};
  for (const name of processNames) if (pids[name] !== undefined) result[name] = processCpuSeconds(pids[name]);
  for (const [name, pid] of Object.entries(others)) if (pid !== undefined) result[name] = processCpuSeconds(pid);
  const own = process.cpuUsage();
  result.bench = (own.user + own.system) / 1e6;
  return result;
}

/** `etcd 4.5 s, kube-apiserver 23.9 s, …`: what each used between two readings. */
export function cpuSpent(before: Record<string, number>, after: Record<string, number>): string {
  return Object.keys(after)
    .map((name) => `${name} ${(after[name] - (before[name] ?? 0)).toFixed(1)} s`)
    .join(', ');
}
