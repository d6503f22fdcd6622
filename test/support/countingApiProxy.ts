// A counting proxy in front of a Kubernetes API server, for tests that must show what a client
// asked of the API (how many lists and watches of a kind, with which Accept header). It listens
// on 127.0.0.1 over plain HTTP and forwards every request, streams included, to the real API
// server over TLS with the upstream connection's own credentials (client certificate, token).
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ClusterConnection } from '../../src/k8s/kubeConfig.js';

export interface ProxiedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  accept: string;
  /** A watch: `?watch=true` (or the legacy /watch/ prefix). */
  watch: boolean;
}

export interface CountingApiProxy {
  /** http://127.0.0.1:port — the server a client under test is given. */
  url: string;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

/** Starts the proxy in front of `upstream` (TLS; only client-certificate or token credentials). */
export async function startCountingApiProxy(upstream: ClusterConnection): Promise<CountingApiProxy> {
  const target = new URL(upstream.server);
  if (target.protocol !== 'https:') throw new Error(`the counting proxy expects an https API server, not ${upstream.server}`);
  const credentials = upstream.credentials;
  if (credentials.kind !== 'none' && credentials.kind !== 'token') throw new Error(`the counting proxy cannot forward ${credentials.kind} credentials`);
  const agent = new https.Agent({
    keepAlive: true,
    ca: upstream.ca,
    cert: upstream.cert,
    key: upstream.key,
    servername: upstream.tlsServerName,
    rejectUnauthorized: !upstream.skipTlsVerify,
  });
  const requests: ProxiedRequest[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      accept: String(req.headers.accept ?? ''),
      watch: url.searchParams.get('watch') === 'true' || url.pathname.includes('/watch/'),
    });
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: target.host };
    if (credentials.kind === 'token') headers.authorization = `Bearer ${credentials.token}`;
    const forward = https.request(
      { protocol: 'https:', hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    forward.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`counting proxy: ${err.message}`);
    });
    req.pipe(forward);
    // The client went away (a watch stopped): end the upstream request too.
    res.on('close', () => forward.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          agent.destroy();
          resolve();
        });
      }),
  };
}
