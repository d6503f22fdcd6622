// Helpers to drive the real peers (keytool, javac/java, openssl) from the peer tests: run a
// tool without a shell, run a few at a time (the machine has 2 cores), parse `keytool -list -v`.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool; never throws on a non-zero exit (the caller asserts), only if it cannot start. */
export function run(command: string, args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      if (error && typeof error.code === 'string') {
        reject(new Error(`cannot run ${command}: ${error.code}; install it (see .ci/run)`));
        return;
      }
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs tasks at most `limit` at a time, results in task order. */
export async function inParallel<T>(tasks: (() => Promise<T>)[], limit = 2): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** JVM flags that halve keytool's start-up on a busy machine; they change nothing it prints. */
export const FAST_JVM = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

export interface KeytoolEntry {
  alias: string;
  type: string;
  chainLength?: number;
  owners: string[];
}

export interface KeytoolListing {
  storeType: string;
  declaredCount: number;
  entries: KeytoolEntry[];
}

/** Parses `keytool -list -v`: the declared entry count and each entry's alias, type and chain. */
export function parseKeytoolList(output: string): KeytoolListing {
  const storeType = /^Keystore type: (\S+)/m.exec(output)?.[1] ?? '';
  const countMatch = /^Your keystore contains (\d+) entr(?:y|ies)$/m.exec(output);
  if (!countMatch) throw new Error(`keytool printed no entry count:\n${output.slice(0, 2000)}`);
  const entries: KeytoolEntry[] = [];
  for (const block of output.split(/^Alias name: /m).slice(1)) {
    const alias = block.split('\n')[0].trim();
    const type = /^Entry type: (\S+)/m.exec(block)?.[1] ?? '';
    const chain = /^Certificate chain length: (\d+)/m.exec(block)?.[1];
    const owners = [...block.matchAll(/^Owner: (.*)$/gm)].map((m) => m[1]);
    entries.push({ alias, type, chainLength: chain === undefined ? undefined : Number(chain), owners });
  }
  return { storeType, declaredCount: Number(countMatch[1]), entries };
}

/** `keytool -list -v` on one store, password read from a file. */
export async function keytoolList(path: string, storeType: 'JKS' | 'PKCS12', passwordFile: string): Promise<KeytoolListing> {
  const args = [...FAST_JVM.map((f) => `-J${f}`), '-list', '-v', '-storetype', storeType, '-keystore', path, '-storepass:file', passwordFile];
  const result = await run('keytool', args);
  if (result.code !== 0) throw new Error(`keytool -list failed on ${path}: ${result.stdout}${result.stderr}`);
  return parseKeytoolList(result.stdout);
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** Compiles TlsHandshake.java into test/peer/keystore/.build (git-ignored); returns the class dir. */
export async function compileTlsHandshake(): Promise<string> {
  const out = join(HERE, '.build');
  mkdirSync(out, { recursive: true });
  const result = await run('javac', ['-J-XX:TieredStopAtLevel=1', '-d', out, join(HERE, 'TlsHandshake.java')]);
  if (result.code !== 0) throw new Error(`javac failed: ${result.stderr}`);
  return out;
}
