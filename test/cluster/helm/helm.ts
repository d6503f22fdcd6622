// The bed's helm (built from helm.sh/helm/v3 into .testbed/bin by `npm run testbed -- build`)
// and kubectl, run as child processes; a failure carries the command's stderr.
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { binaryPath } from '../../../scripts/testbed/layout.js';

const run = promisify(execFile);

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const CHART = join(ROOT, 'deploy', 'helm', 'cmpv2-operator');

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly stderr: string,
  ) {
    super(`${command} failed: ${stderr.trim()}`);
  }
}

async function exec(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout } = await run(file, args, { maxBuffer: 32 * 1024 * 1024, env: { ...process.env, ...env }, cwd: ROOT });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new CommandError(`${file.split('/').at(-1)} ${args.slice(0, 2).join(' ')}`, e.stderr || e.message);
  }
}

/** Runs the bed's helm; `kubeconfig` for commands that reach the API server. */
export async function helm(args: string[], kubeconfig?: string): Promise<string> {
  const bin = binaryPath('helm');
  await access(bin).catch(() => {
    throw new Error(`${bin} is missing: build it with npm run testbed -- build`);
  });
  // A private HELM_* home: no repositories, plugins or cache of the machine's user.
  const home = join(ROOT, '.testbed', 'helm-home');
  return exec(bin, kubeconfig ? ['--kubeconfig', kubeconfig, ...args] : args, {
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  });
}

export async function kubectl(args: string[], kubeconfig: string): Promise<string> {
  return exec('kubectl', args, { KUBECONFIG: kubeconfig });
}

export function parseManifests(yaml: string): Manifest[] {
  return parseAllDocuments(yaml)
    .map((d) => d.toJSON() as Manifest | null)
    .filter((o): o is Manifest => o !== null);
}

export const objectKey = (o: Manifest): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
