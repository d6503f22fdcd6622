// The operator's HTTP endpoints: /healthz (the process answers), /readyz (caches synced, on
// followers too), /metrics (Prometheus text). One server per distinct address; GET/HEAD only.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from './options.js';

export interface Endpoint {
  contentType: string;
  /** Status and body of one answer. */
  answer(): Promise<{ status: number; body: string }>;
}

export type Routes = Record<string, Endpoint>;

export function textEndpoint(answer: () => { status: number; body: string } | Promise<{ status: number; body: string }>): Endpoint {
  return { contentType: 'text/plain; charset=utf-8', answer: async () => answer() };
}

export class EndpointServer {
  private readonly server: http.Server;

  private constructor(server: http.Server) {
    this.server = server;
  }

  static async listen(address: ListenAddress, routes: Routes): Promise<EndpointServer> {
    const server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
        return;
      }
      route.answer().then(
        ({ status, body }) => res.writeHead(status, { 'content-type': route.contentType }).end(req.method === 'HEAD' ? undefined : body),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${err instanceof Error ? err.message : String(err)}\n`),
      );
    });
    // Probes and scrapes are short: do not let idle keep-alive sockets hold shutdown up.
    server.keepAliveTimeout = 5_000;
    server.listen(address.port, address.host);
    await once(server, 'listening'); // rejects on 'error' (e.g. the port is taken)
    return new EndpointServer(server);
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function addressKey(a: ListenAddress): string {
  return `${a.host ?? ''}|${a.port}`;
}

/** Groups routes by address (health and metrics may share one), port 0 always gets its own. */
export function groupByAddress(
  entries: { address: ListenAddress | undefined; routes: Routes; name: string }[],
): { address: ListenAddress; routes: Routes; names: string[] }[] {
  const groups: { address: ListenAddress; routes: Routes; names: string[] }[] = [];
  for (const entry of entries) {
    if (!entry.address) continue;
    const same = entry.address.port !== 0 ? groups.find((g) => addressKey(g.address) === addressKey(entry.address!)) : undefined;
    if (same) {
      Object.assign(same.routes, entry.routes);
      same.names.push(entry.name);
    } else {
      groups.push({ address: entry.address, routes: { ...entry.routes }, names: [entry.name] });
    }
  }
  return groups;
}
