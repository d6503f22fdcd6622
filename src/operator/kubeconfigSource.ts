// Where `run` finds its cluster, decided before the Kubernetes client is asked: the client
// falls back to http://localhost:8080 when it finds nothing, and the first request then fails
// with a connection or TLS error that does not say the kubeconfig is missing. This says so.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export type KubeconfigSource = { kind: 'files'; files: string[] } | { kind: 'in-cluster' };

export class NoKubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoKubeconfigError';
  }
}

export interface KubeconfigLookup {
  env: NodeJS.ProcessEnv;
  home: string;
  exists: (file: string) => boolean;
}

const defaultLookup = (): KubeconfigLookup => ({ env: process.env, home: homedir(), exists: existsSync });

/** The kubeconfig files kubectl would read, or the in-cluster config; throws a one-line reason when there is none. */
export function findKubeconfig(lookup: KubeconfigLookup = defaultLookup()): KubeconfigSource {
  const { env, home, exists } = lookup;
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f.length > 0);
  if (listed.length > 0) {
    const files = listed.filter((f) => exists(f));
    if (files.length === 0) throw new NoKubeconfigError(`KUBECONFIG names no existing file (${listed.join(delimiter)})`);
    return { kind: 'files', files };
  }
  const homeConfig = join(home, '.kube', 'config');
  if (exists(homeConfig)) return { kind: 'files', files: [homeConfig] };
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && exists(SERVICE_ACCOUNT_TOKEN)) return { kind: 'in-cluster' };
  throw new NoKubeconfigError(`no kubeconfig: set KUBECONFIG or write ${homeConfig} (in a pod, the ServiceAccount token at ${SERVICE_ACCOUNT_TOKEN} is used)`);
}
