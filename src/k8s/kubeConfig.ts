// Reads a kubeconfig (or the in-cluster ServiceAccount mount) into what the API client needs:
// the server, TLS material and a source of credentials. Why not client-node's KubeConfig: its
// module imports the whole generated API (about 72 MiB of RSS, half of the operator's), and we
// use none of it. What kubectl users rely on is covered: KUBECONFIG with several files merged
// (the first file to name a cluster, user or context wins), relative paths resolved against the
// file that names them, *-data fields, tokens and token files, basic auth, insecure-skip-tls-verify,
// tls-server-name, and exec credential plugins (client.authentication.k8s.io) that return a token.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import * as z from 'zod';

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** What the API client needs to reach and authenticate to one API server. */
export interface ClusterConnection {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  skipTlsVerify?: boolean;
  tlsServerName?: string;
  credentials: Credentials;
}

export type Credentials =
  | { kind: 'none' }
  | { kind: 'token'; token: string }
  /** Re-read now and then: projected ServiceAccount tokens rotate. */
  | { kind: 'tokenFile'; path: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'exec'; exec: ExecConfig; cwd: string };

export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

const execSchema = z.object({
  apiVersion: z.string().optional(),
  command: z.string().min(1),
  args: z.array(z.string()).nullish(),
  env: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
});
export type ExecConfig = z.infer<typeof execSchema>;

const clusterSchema = z.object({
  server: z.string().min(1),
  'certificate-authority': z.string().optional(),
  'certificate-authority-data': z.string().optional(),
  'insecure-skip-tls-verify': z.boolean().optional(),
  'tls-server-name': z.string().optional(),
});
const userSchema = z.object({
  'client-certificate': z.string().optional(),
  'client-certificate-data': z.string().optional(),
  'client-key': z.string().optional(),
  'client-key-data': z.string().optional(),
  token: z.string().optional(),
  tokenFile: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  exec: execSchema.optional(),
  'auth-provider': z.unknown().optional(),
});
const contextSchema = z.object({ cluster: z.string(), user: z.string().optional(), namespace: z.string().optional() });
const kubeconfigSchema = z.object({
  'current-context': z.string().nullish(),
  clusters: z.array(z.object({ name: z.string(), cluster: clusterSchema })).nullish(),
  users: z.array(z.object({ name: z.string(), user: userSchema })).nullish(),
  contexts: z.array(z.object({ name: z.string(), context: contextSchema })).nullish(),
});

interface FromFile<T> {
  value: T;
  /** Directory of the file that named it: relative paths are resolved against it. */
  dir: string;
}

/** The file, parsed and checked; its entries tagged with its directory. */
function readKubeconfigFile(file: string): z.infer<typeof kubeconfigSchema> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KubeconfigError(`cannot read the kubeconfig ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (err) {
    throw new KubeconfigError(`the kubeconfig ${file} is not YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = kubeconfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KubeconfigError(`the kubeconfig ${file} is not valid at ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Merges the files as kubectl does (the first to name an entry wins) and picks the context. */
export function loadKubeconfigFiles(files: readonly string[], contextName?: string): ClusterConnection {
  const clusters = new Map<string, FromFile<z.infer<typeof clusterSchema>>>();
  const users = new Map<string, FromFile<z.infer<typeof userSchema>>>();
  const contexts = new Map<string, z.infer<typeof contextSchema>>();
  let current: string | undefined;
  for (const file of files) {
    const config = readKubeconfigFile(file);
    const dir = dirname(resolve(file));
    current ??= config['current-context'] || undefined;
    for (const c of config.clusters ?? []) if (!clusters.has(c.name)) clusters.set(c.name, { value: c.cluster, dir });
    for (const u of config.users ?? []) if (!users.has(u.name)) users.set(u.name, { value: u.user, dir });
    for (const c of config.contexts ?? []) if (!contexts.has(c.name)) contexts.set(c.name, c.context);
  }
  const name = contextName ?? current;
  if (!name) throw new KubeconfigError(`the kubeconfig (${files.join(', ')}) sets no current-context`);
  const context = contexts.get(name);
  if (!context) throw new KubeconfigError(`the kubeconfig has no context named ${name}`);
  const cluster = clusters.get(context.cluster);
  if (!cluster) throw new KubeconfigError(`context ${name} names cluster ${context.cluster}, which the kubeconfig does not define`);
  const user = context.user ? users.get(context.user) : undefined;
  if (context.user && !user) throw new KubeconfigError(`context ${name} names user ${context.user}, which the kubeconfig does not define`);
  return { ...clusterPart(cluster), ...userPart(user) };
}

function fileOrData(data: string | undefined, file: string | undefined, dir: string, what: string): Buffer | undefined {
  if (data) return Buffer.from(data, 'base64');
  if (!file) return undefined;
  const path = isAbsolute(file) ? file : resolve(dir, file);
  try {
    return readFileSync(path);
  } catch (err) {
    throw new KubeconfigError(`cannot read the ${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

function clusterPart({ value, dir }: FromFile<z.infer<typeof clusterSchema>>): Omit<ClusterConnection, 'credentials'> {
  return {
    server: value.server,
    ca: fileOrData(value['certificate-authority-data'], value['certificate-authority'], dir, 'certificate-authority'),
    skipTlsVerify: value['insecure-skip-tls-verify'],
    tlsServerName: value['tls-server-name'],
  };
}

function userPart(user: FromFile<z.infer<typeof userSchema>> | undefined): Pick<ClusterConnection, 'cert' | 'key' | 'credentials'> {
  if (!user) return { credentials: { kind: 'none' } };
  const { value, dir } = user;
  if (value['auth-provider'] !== undefined) {
    throw new KubeconfigError('the kubeconfig user uses an auth-provider (removed from kubectl); use an exec credential plugin instead');
  }
  const cert = fileOrData(value['client-certificate-data'], value['client-certificate'], dir, 'client-certificate');
  const key = fileOrData(value['client-key-data'], value['client-key'], dir, 'client-key');
  let credentials: Credentials = { kind: 'none' };
  if (value.token) credentials = { kind: 'token', token: value.token };
  else if (value.tokenFile) credentials = { kind: 'tokenFile', path: isAbsolute(value.tokenFile) ? value.tokenFile : resolve(dir, value.tokenFile) };
  else if (value.exec) credentials = { kind: 'exec', exec: value.exec, cwd: dir };
  else if (value.username !== undefined && value.password !== undefined) credentials = { kind: 'basic', username: value.username, password: value.password };
  return { cert, key, credentials };
}

/** The pod's ServiceAccount: the API server from the environment, the token file re-read as it rotates. */
export function inClusterConnection(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): ClusterConnection {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new KubeconfigError('not in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set');
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: fileOrData(undefined, `${dir}/ca.crt`, dir, 'ServiceAccount CA'),
    credentials: { kind: 'tokenFile', path: `${dir}/token` },
  };
}

const execCredentialSchema = z.object({
  status: z.object({ token: z.string().min(1), expirationTimestamp: z.string().optional() }),
});

const run = promisify(execFile);

/** A credential and until when it may be used. */
export interface Credential {
  headers: Record<string, string>;
  /** ms since the epoch; undefined: re-read after the client's refresh period. */
  expiresAt?: number;
}

/** The Authorization header for `credentials`, now. */
export async function credentialHeaders(credentials: Credentials): Promise<Credential> {
  switch (credentials.kind) {
    case 'none':
      return { headers: {} };
    case 'token':
      return { headers: { Authorization: `Bearer ${credentials.token}` } };
    case 'tokenFile': {
      let token: string;
      try {
        token = readFileSync(credentials.path, 'utf8').trim();
      } catch (err) {
        throw new KubeconfigError(`cannot read the token file ${credentials.path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      return { headers: { Authorization: `Bearer ${token}` } };
    }
    case 'basic':
      return { headers: { Authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` } };
    case 'exec':
      return execCredential(credentials.exec, credentials.cwd);
  }
}

async function execCredential(exec: ExecConfig, cwd: string): Promise<Credential> {
  const env = { ...process.env, ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])) };
  let stdout: string;
  try {
    ({ stdout } = await run(exec.command, exec.args ?? [], { cwd, env, timeout: 60_000, maxBuffer: 1 << 20 }));
  } catch (err) {
    throw new KubeconfigError(`the exec credential plugin ${exec.command} failed: ${(err as Error).message.split('\n')[0]}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new KubeconfigError(`the exec credential plugin ${exec.command} printed no ExecCredential JSON`);
  }
  const parsed = execCredentialSchema.safeParse(json);
  if (!parsed.success)
    throw new KubeconfigError(`the exec credential plugin ${exec.command} returned no status.token (client certificates from a plugin are not supported)`);
  const expiry = parsed.data.status.expirationTimestamp ? Date.parse(parsed.data.status.expirationTimestamp) : NaN;
  return { headers: { Authorization: `Bearer ${parsed.data.status.token}` }, expiresAt: Number.isNaN(expiry) ? undefined : expiry };
}
