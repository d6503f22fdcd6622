// The CertService-compatible REST server (SPEC §5.1) on node:https with mutual TLS:
//   GET /v1/certificate/{caName}         CSR, PK                   → 200 {certificateChain, trustedCertificates}
//   GET /v1/certificate-update/{caName}  CSR, PK, OLD_CERT, OLD_PK → the same
//   GET /ready (503 until a good config), GET /reload, GET /actuator/health ({"status":"UP"})
// Errors are {"errorMessage": …} with CertService's texts and codes. Limits: header size (node
// answers 431 above it), concurrent CMP work (queue, then 503), a CMP timeout per request, and
// socket timeouts, so a hanging CA or a slow client never hangs the server. Logs carry the CA,
// endpoint, status and outcome — never a header value (the headers carry private keys).
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CaGateway, describeLeaf, type CertificationAnswer } from './caGateway.js';
import type { ConfigStore } from './config.js';
import { CertServiceAnswerError, caNotFoundError, notReadyError, overloadedError } from './errors.js';
import { ConcurrencyLimiter } from './limiter.js';
import type { CertServiceMetrics } from './metrics.js';
import { parseCertificationRequest, parseUpdateRequest, type CertificationHeaders } from './request.js';

/** The logging calls the server makes (pino's signature). */
export interface CertServiceLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface CertServiceServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  config: ConfigStore;
  /** PEM server certificate (chain) and key; plain HTTP when absent (tests of the handler only). */
  tls?: { cert: string; key: string; clientCa?: string };
  /** Development only: do not ask clients for a certificate. */
  insecureNoClientAuth?: boolean;
  /** Per-request CMP budget, ms. Default 30 000. */
  cmpTimeoutMs?: number;
  /** CMP transactions at once (default 32) and waiting ones beyond (default 512). */
  maxConcurrent?: number;
  maxQueued?: number;
  /** Largest request head in bytes (default 64 KiB: CSR, PK, OLD_CERT, OLD_PK of RSA 4096 fit); larger → 431. */
  maxHeaderBytes?: number;
  logger?: CertServiceLogger;
  metrics?: CertServiceMetrics;
  /** Injected for tests. */
  gateway?: CaGateway;
}

export interface RunningCertService {
  /** https://host:port (or http:// without TLS). */
  url: string;
  port: number;
  close(): Promise<void>;
}

const silent: CertServiceLogger = { info() {}, warn() {}, error() {} };

const ROUTE = /^\/v1\/(certificate|certificate-update)\/([^/]+)$/;

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

/** As CertService: the path's caName with line breaks and tabs made `_`. */
function caNameOf(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment).replace(/[\n\r\t]/g, '_');
  } catch {
    return undefined;
  }
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function startCertService(options: CertServiceServerOptions): Promise<RunningCertService> {
  const logger = options.logger ?? silent;
  const metrics = options.metrics;
  const gateway =
    options.gateway ??
    new CaGateway({
      timeoutMs: options.cmpTimeoutMs ?? 30_000,
      observe: (ca, type, result, seconds) => metrics?.cmp(ca, type, result, seconds),
    });
  const limiter = new ConcurrencyLimiter(options.maxConcurrent ?? 32, options.maxQueued ?? 512);

  async function certification(endpoint: string, segment: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const caName = caNameOf(segment) ?? segment;
    let caLabel = '(unknown)';
    const finish = (status: number, outcome: string, body: unknown, extra: Record<string, unknown> = {}) => {
      send(response, status, body);
      metrics?.request(caLabel, endpoint, outcome);
      const fields = { ca: caName.slice(0, 128), endpoint, status, outcome, ms: Math.round(performance.now() - started), ...extra };
      if (status >= 500) logger.warn(fields, 'certification request failed');
      else logger.info(fields, status === 200 ? 'certificate issued' : 'certification request refused');
    };
    try {
      const config = options.config.current;
      if (!config) throw notReadyError(options.config.problem ?? 'the configuration is not loaded yet');
      const headers: CertificationHeaders = {
        csr: headerValue(request, 'csr'),
        pk: headerValue(request, 'pk'),
        oldCert: headerValue(request, 'old_cert'),
        oldPk: headerValue(request, 'old_pk'),
      };
      // As CertService: the headers are decoded before the CA is looked up.
      const parsed =
        endpoint === 'certificate'
          ? { kind: 'certify' as const, request: parseCertificationRequest(headers) }
          : { kind: 'update' as const, request: parseUpdateRequest(headers) };
      const server = config.servers.get(caName);
      if (!server) throw caNotFoundError();
      caLabel = server.caName;
      const work = () => (parsed.kind === 'certify' ? gateway.certify(server, parsed.request) : gateway.update(server, parsed.request));
      metrics?.inFlight.inc();
      let ran: { value: CertificationAnswer } | undefined;
      try {
        ran = await limiter.run(work);
      } finally {
        metrics?.inFlight.dec();
      }
      if (!ran) throw overloadedError();
      finish(200, 'issued', ran.value, describeLeaf(ran.value));
    } catch (err) {
      if (err instanceof CertServiceAnswerError) {
        const cause = err.cause instanceof Error ? err.cause.message : undefined;
        // The cause is for the operator's log: library texts never hold key material.
        finish(err.status, err.outcome, { errorMessage: err.message }, cause && err.status >= 500 ? { cause } : {});
        return;
      }
      logger.error({ endpoint, error: err instanceof Error ? err.message : String(err) }, 'unexpected error');
      finish(500, 'internal', { errorMessage: `Exception occurred during call to cmp client: ${err instanceof Error ? err.message : String(err)}` });
    }
  }

  const maxHeaderBytes = options.maxHeaderBytes ?? 64 * 1024;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    const headBytes = request.rawHeaders.reduce((sum, part) => sum + part.length + 2, 0);
    if (headBytes > maxHeaderBytes) {
      metrics?.request('(unknown)', 'any', 'headers_too_large');
      logger.info({ path: path.slice(0, 200), headBytes, limit: maxHeaderBytes }, 'request headers too large');
      response.setHeader('connection', 'close');
      send(response, 431, { errorMessage: `Request header fields too large (at most ${maxHeaderBytes} bytes)` });
      return;
    }
    if (request.method !== 'GET') {
      send(response, 405, { errorMessage: 'Only GET is supported' });
      return;
    }
    const route = ROUTE.exec(path);
    if (route) {
      await certification(route[1], route[2], request, response);
      return;
    }
    switch (path) {
      case '/actuator/health':
        send(response, 200, { status: 'UP' });
        return;
      case '/ready':
        if (options.config.current) send(response, 200, { status: 'READY' });
        else send(response, 503, { errorMessage: options.config.problem ?? 'the configuration is not loaded yet' });
        return;
      case '/reload':
        try {
          const config = await options.config.reload();
          logger.info({ servers: [...config.servers.keys()] }, 'configuration reloaded');
          send(response, 200, undefined);
        } catch (err) {
          const reason = err instanceof Error ? err.message : String(err);
          logger.warn({ reason, keeping: options.config.current ? 'the last good configuration' : 'none' }, 'configuration reload failed');
          send(response, 500, { errorMessage: reason });
        }
        return;
      default:
        send(response, 404, { status: 404, error: 'Not Found', path: path.slice(0, 200) });
    }
  }

  // node reads heads up to 4× our limit, so a too-large one still gets a clean JSON 431;
  // beyond that node itself answers 431 and closes the connection.
  const maxHeaderSize = maxHeaderBytes * 4;
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((err: unknown) => {
      logger.error({ error: err instanceof Error ? err.message : String(err) }, 'request handling failed');
      if (!response.headersSent) send(response, 500, { errorMessage: 'internal error' });
      else response.destroy();
    });
  };
  const server: Server = options.tls
    ? createHttpsServer(
        {
          cert: options.tls.cert,
          key: options.tls.key,
          ...(options.tls.clientCa !== undefined ? { ca: options.tls.clientCa } : {}),
          requestCert: !options.insecureNoClientAuth,
          rejectUnauthorized: !options.insecureNoClientAuth,
          maxHeaderSize,
        },
        listener,
      )
    : createHttpServer({ maxHeaderSize }, listener);
  // A client that sends its head slowly is cut off; answers wait for the CMP timeout at most.
  server.headersTimeout = 20_000;
  server.requestTimeout = (options.cmpTimeoutMs ?? 30_000) * 2 + 10_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
