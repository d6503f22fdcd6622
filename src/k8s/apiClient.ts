// A thin JSON client for the Kubernetes API. Authentication and TLS come from our own kubeconfig
// reader (kubeConfig.ts; `run` never loads client-node) or, in tests and scripts, from a
// client-node KubeConfig; requests go through one keep-alive agent so thousands of calls reuse a few
// connections. We use raw paths rather than the generated API classes because we need
// headers they do not expose (metadata-only `Accept`, merge-patch content types) and
// streaming watches we can abort and test against a plain HTTP server.
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiError } from './apiError.js';
import { credentialHeaders, type ClusterConnection, type Credential } from './kubeConfig.js';

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** Serialized as JSON. */
  body?: unknown;
  /** Defaults to `application/json`; patches pass their patch type. */
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  /** Gives up after this long (default 30 s); a hung connection must not hold a worker forever. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';

/** One line of a watch stream. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

interface Connection {
  headers: Record<string, string>;
  fetchedAt: number;
  expiresAt?: number;
}

/** Where the client gets its Authorization header from (and when to ask again). */
type CredentialSource = () => Promise<Credential>;

// Bearer tokens may rotate (projected ServiceAccount tokens, exec plugins): re-read them now
// and then, not on every request.
const AUTH_REFRESH_MS = 30_000;

export class KubeApi {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private connection: Connection | undefined;
  /** Requests made, by verb: tests count writes with it. */
  readonly requestCounts = new Map<string, number>();

  private constructor(
    server: string,
    tls: https.AgentOptions,
    private readonly credentials: CredentialSource,
  ) {
    this.base = new URL(server);
    const keepAlive = { keepAlive: true, maxSockets: 32 };
    this.agent = this.base.protocol === 'http:' ? new http.Agent(keepAlive) : new https.Agent({ ...keepAlive, ...tls });
  }

  /** From our kubeconfig reader or the in-cluster connection. */
  static fromConnection(connection: ClusterConnection): KubeApi {
    const tls: https.AgentOptions = { ca: connection.ca, cert: connection.cert, key: connection.key, servername: connection.tlsServerName };
    if (connection.skipTlsVerify) tls.rejectUnauthorized = false;
    return new KubeApi(connection.server, tls, () => credentialHeaders(connection.credentials));
  }

  /** From a client-node KubeConfig (tests and test-bed scripts, which use client-node anyway). */
  static async fromKubeConfig(kubeConfig: KubeConfig): Promise<KubeApi> {
    const opts: https.RequestOptions = {};
    await kubeConfig.applyToHTTPSOptions(opts);
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const tls: https.AgentOptions = {
      ca: opts.ca,
      cert: opts.cert,
      key: opts.key,
      pfx: opts.pfx,
      passphrase: opts.passphrase,
      servername: cluster.tlsServerName,
    };
    if (cluster.skipTLSVerify) tls.rejectUnauthorized = false;
    return new KubeApi(cluster.server, tls, async () => {
      const fresh: https.RequestOptions = {};
      await kubeConfig.applyToHTTPSOptions(fresh);
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(fresh.headers ?? {})) {
        if (typeof value === 'string' || typeof value === 'number') headers[key] = String(value);
      }
      if (fresh.auth) headers.Authorization = `Basic ${Buffer.from(fresh.auth).toString('base64')}`;
      return { headers };
    });
  }

  /** Closes idle connections; in-flight requests finish. */
  close(): void {
    this.agent.destroy();
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const response = await this.send(method, path, { ...options, signal });
    const text = await readBody(response);
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw toApiError(status, text);
    if (text.length === 0) return undefined as T;
    return JSON.parse(text) as T;
  }

  /**
   * Streams a watch; resolves when the server ends it (timeout) or the signal aborts,
   * rejects with an ApiError when the server refuses it (410 included).
   */
  async watch(
    path: string,
    query: Record<string, QueryValue>,
    onEvent: (event: WatchEvent) => void,
    options: { accept?: string; signal?: AbortSignal } = {},
  ): Promise<void> {
    const response = await this.send('GET', path, { query: { ...query, watch: true }, ...options });
    const status = response.statusCode ?? 0;
    if (status !== 200) throw toApiError(status, await readBody(response));
    await new Promise<void>((resolve, reject) => {
      let pending = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        pending += chunk;
        let newline = pending.indexOf('\n');
        while (newline >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (line.length > 0) {
            try {
              onEvent(JSON.parse(line) as WatchEvent);
            } catch (err) {
              // A line that is not JSON, or the caller refusing an event, ends this watch.
              response.destroy();
              reject(err instanceof SyntaxError ? new Error('the watch stream sent a line that is not JSON') : err);
              return;
            }
          }
          newline = pending.indexOf('\n');
        }
      });
      response.on('end', () => resolve());
      response.on('close', () => resolve());
      response.on('error', (err) => (options.signal?.aborted ? resolve() : reject(err)));
    });
  }

  private async authHeaders(): Promise<Record<string, string>> {
    const now = Date.now();
    const cached = this.connection;
    if (cached && now - cached.fetchedAt < AUTH_REFRESH_MS && (cached.expiresAt === undefined || now < cached.expiresAt - 10_000)) return cached.headers;
    const credential = await this.credentials();
    this.connection = { headers: credential.headers, fetchedAt: now, expiresAt: credential.expiresAt };
    return credential.headers;
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<http.IncomingMessage> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = {
      ...(await this.authHeaders()),
      Accept: options.accept ?? 'application/json',
    };
    if (body) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(body.length);
    }
    this.requestCounts.set(method, (this.requestCounts.get(method) ?? 0) + 1);
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, { method, headers, agent: this.agent, signal: options.signal }, resolve);
      req.on('error', reject);
      req.end(body);
    });
  }
}

function readBody(response: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
  });
}

/** Builds an ApiError from a `Status` body when there is one. */
function toApiError(statusCode: number, text: string): ApiError {
  let reason = '';
  let message = `HTTP ${statusCode}`;
  try {
    const status = JSON.parse(text) as { reason?: unknown; message?: unknown };
    if (typeof status.reason === 'string') reason = status.reason;
    if (typeof status.message === 'string') message = `${message}: ${status.message}`;
  } catch {
    if (text.length > 0) message = `${message}: ${text.slice(0, 200)}`;
  }
  return new ApiError(statusCode, reason, message);
}
