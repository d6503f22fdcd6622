// Builds the test bed's binaries from the Go modules under testbed/, once: a binary is rebuilt
// only when its inputs (go.mod, go.sum, *.go, Go version, flags) changed. Go's own module and
// build caches under $HOME make a rebuild after an input change cheap.
import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import fs from 'node:fs/promises';
import path from 'node:path';
import { binaries, binaryPath, layout, type GoBinary } from './layout.js';

const run = promisify(execFile);

export class GoMissingError extends Error {
  constructor(cause: string) {
    super(`the test bed is built from Go modules, but the go command is not usable (${cause}); install Go 1.26 or later`);
  }
}

export type Log = (line: string) => void;

const buildTags = 'selinux,notest';

async function goVersion(): Promise<string> {
  try {
    const { stdout } = await run('go', ['env', 'GOVERSION', 'GOOS', 'GOARCH']);
    return stdout.trim().split('\n').join(' ');
  } catch (err) {
    throw new GoMissingError(err instanceof Error ? err.message.split('\n')[0] : String(err));
  }
}

function ldflags(binary: GoBinary): string {
  return ['-s', '-w', ...binary.ldflags].join(' ');
}

/** Hash of everything that decides the binary's content. */
async function inputsHash(binary: GoBinary, go: string): Promise<string> {
  const dir = path.join(layout.modulesDir, binary.moduleDir);
  const files = (await fs.readdir(dir)).filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go')).sort();
  const hash = createHash('sha256');
  hash.update(`${go}\n${buildTags}\n${ldflags(binary)}\n`);
  if (binary.pkg) hash.update(`package ${binary.pkg}\n`);
  for (const f of files) {
    hash.update(`${f}\n`);
    hash.update(await fs.readFile(path.join(dir, f)));
  }
  return hash.digest('hex');
}

const hashFile = (binary: GoBinary): string => `${binaryPath(binary.name)}.inputs-sha256`;

async function isCurrent(binary: GoBinary, hash: string): Promise<boolean> {
  try {
    await fs.access(binaryPath(binary.name));
    return (await fs.readFile(hashFile(binary), 'utf8')).trim() === hash;
  } catch {
    return false;
  }
}

/** Number of packages `go build` will consider, for the progress line. */
async function packageCount(moduleDir: string, pkg: string): Promise<number | undefined> {
  try {
    const { stdout } = await run('go', ['list', '-tags', buildTags, '-deps', pkg], {
      cwd: moduleDir,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout.split('\n').filter((l) => l.length > 0).length;
  } catch {
    return undefined;
  }
}

async function goBuild(binary: GoBinary, log: Log): Promise<void> {
  const moduleDir = path.join(layout.modulesDir, binary.moduleDir);
  const out = binaryPath(binary.name);
  const tmp = `${out}.tmp`;
  const logFile = path.join(layout.logsDir, `build-${binary.name}.log`);
  const pkg = binary.pkg ?? '.';
  const total = await packageCount(moduleDir, pkg);
  const started = Date.now();
  log(`testbed: building ${binary.name} from testbed/${binary.moduleDir} (log: ${path.relative(process.cwd(), logFile)})`);

  const handle = await fs.open(logFile, 'w');
  let compiled = 0;
  let tail: string[] = [];
  const child = spawn(
    'go',
    ['build', '-v', '-trimpath', '-tags', buildTags, '-ldflags', ldflags(binary), '-o', tmp, pkg],
    { cwd: moduleDir, env: { ...process.env, CGO_ENABLED: '0' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const onOutput = (chunk: Buffer): void => {
    void handle.write(chunk);
    const lines = chunk.toString('utf8').split('\n').filter((l) => l.length > 0);
    // `go build -v` prints one package path per line as it is built; anything else is a message.
    compiled += lines.filter((l) => /^[\w.\-/]+$/.test(l)).length;
    tail = [...tail, ...lines].slice(-20);
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const ticker = setInterval(() => {
    const minutes = ((Date.now() - started) / 60000).toFixed(1);
    log(`testbed:   ${binary.name}: ${compiled}${total ? `/${total}` : ''} packages compiled (cached ones are skipped), ${minutes} min`);
  }, 30000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  }).finally(() => {
    clearInterval(ticker);
  });
  await handle.close();
  if (code !== 0) {
    throw new Error(`go build of ${binary.name} failed (exit ${code}): ${tail.slice(-5).join(' | ')} — see ${logFile}`);
  }
  await fs.rename(tmp, out);
  log(`testbed: built ${binary.name} in ${((Date.now() - started) / 60000).toFixed(1)} min`);
}

/** cert-manager's CRDs ship in its module; copy them next to the binary built from that module. */
async function copyCertManagerCrds(): Promise<void> {
  const { stdout } = await run('go', ['list', '-m', '-f', '{{.Dir}}', 'github.com/cert-manager/cert-manager'], {
    cwd: path.join(layout.modulesDir, 'cert-manager'),
  });
  const source = path.join(stdout.trim(), 'deploy', 'crds');
  await fs.rm(layout.certManagerCrdsDir, { recursive: true, force: true });
  await fs.mkdir(layout.certManagerCrdsDir, { recursive: true });
  for (const f of (await fs.readdir(source)).filter((n) => n.endsWith('.yaml'))) {
    await fs.copyFile(path.join(source, f), path.join(layout.certManagerCrdsDir, f));
  }
}

async function certManagerCrdsPresent(): Promise<boolean> {
  try {
    return (await fs.readdir(layout.certManagerCrdsDir)).some((f) => f.endsWith('.yaml'));
  } catch {
    return false;
  }
}

const forceVariable = (binary: GoBinary): string => `TESTBED_BUILD_${binary.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/** Whether `command` is an executable file in a PATH directory other than .testbed/bin. */
async function onPath(command: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter((d) => d && path.resolve(d) !== layout.binDir)) {
    try {
      await fs.access(path.join(dir, command), fs.constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** Builds what is missing or stale; returns the names that were (re)built. */
export async function ensureBuilt(log: Log): Promise<string[]> {
  await fs.mkdir(layout.binDir, { recursive: true });
  await fs.mkdir(layout.logsDir, { recursive: true });
  const go = await goVersion();
  const rebuilt: string[] = [];
  for (const binary of binaries) {
    if (binary.onlyWhenMissing && (await onPath(binary.onlyWhenMissing)) && process.env[forceVariable(binary)] !== '1') {
      log(`testbed: ${binary.onlyWhenMissing} is installed (${forceVariable(binary)}=1 builds ${binary.name} anyway)`);
      continue;
    }
    const hash = await inputsHash(binary, go);
    if (await isCurrent(binary, hash)) {
      log(`testbed: ${binary.name} is up to date (cached in ${path.relative(process.cwd(), layout.binDir)})`);
    } else {
      await goBuild(binary, log);
      await fs.writeFile(hashFile(binary), `${hash}\n`);
      rebuilt.push(binary.name);
    }
    if (binary.moduleDir === 'cert-manager' && (rebuilt.includes(binary.name) || !(await certManagerCrdsPresent()))) {
      await copyCertManagerCrds();
    }
  }
  return rebuilt;
}

/** Whether every binary exists (without checking freshness, which needs Go). */
export async function binariesPresent(): Promise<boolean> {
  for (const binary of binaries.filter((b) => !b.onlyWhenMissing)) {
    try {
      await fs.access(binaryPath(binary.name));
    } catch {
      return false;
    }
  }
  return certManagerCrdsPresent();
}
