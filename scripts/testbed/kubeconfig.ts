// Kubeconfig files for the bed, with the certificates embedded so the file alone is enough
// (cert-manager and the operator read it outside a pod).
import fs from 'node:fs/promises';
import { stringify } from 'yaml';
import { caCertFile, type KeyPair } from './pki.js';

export const contextName = 'cmpv2-testbed';

async function base64(file: string): Promise<string> {
  return (await fs.readFile(file)).toString('base64');
}

export interface KubeconfigOptions {
  readonly server: string;
  readonly user: string;
  /** A client certificate, or a bearer token (a ServiceAccount token, for instance). */
  readonly credentials: KeyPair | { readonly token: string };
}

export async function kubeconfigYaml(options: KubeconfigOptions): Promise<string> {
  const user =
    'token' in options.credentials
      ? { token: options.credentials.token }
      : {
          'client-certificate-data': await base64(options.credentials.certFile),
          'client-key-data': await base64(options.credentials.keyFile),
        };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: contextName, cluster: { server: options.server, 'certificate-authority-data': await base64(caCertFile) } }],
    users: [{ name: options.user, user }],
    contexts: [{ name: contextName, context: { cluster: contextName, user: options.user } }],
    'current-context': contextName,
  });
}

export async function writeKubeconfig(file: string, options: KubeconfigOptions): Promise<void> {
  await fs.writeFile(file, await kubeconfigYaml(options), { mode: 0o600 });
}
