// RFC 9811 HTTP transfer for the CMP server: POST of `application/pkixcmp` on any path
// (`/.well-known/cmp`, `/.well-known/cmp/p/<name>`, …), HTTPS when a certificate is given.
// The handler always answers with a PKIMessage; HTTP errors are only for non-CMP traffic.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** Turns one DER PKIMessage into the DER answer; must not throw for bad input. */
export type CmpMessageHandler = (request: Uint8Array) => Promise<Uint8Array>;

export interface HttpListenerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** PEM certificate chain and key for HTTPS; plain HTTP when absent. */
  /** HTTPS; with `clientCa`, a client certificate issued by it is required (mTLS). */
  tls?: { cert: string | Buffer; key: string | Buffer; clientCa?: string | Buffer };
  /** Largest request body accepted (default 256 KiB); larger ones get HTTP 413. */
  maxBodyBytes?: number;
}

export interface HttpListener {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  origin: string;
  port: number;
  close(): Promise<void>;
}

export const CMP_CONTENT_TYPE = 'application/pkixcmp';
const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

function plainAnswer(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close', ...headers });
  response.end(`${text}\n`);
}

/** Reads the body up to `limit` bytes; resolves null when it was larger. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > limit) {
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(null);
        request.removeAllListeners('data');
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

async function serve(request: IncomingMessage, response: ServerResponse, handler: CmpMessageHandler, limit: number): Promise<void> {
  if (request.method !== 'POST') {
    plainAnswer(response, 405, 'CMP messages are sent with POST', { allow: 'POST' });
    return;
  }
  const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (contentType !== CMP_CONTENT_TYPE) {
    plainAnswer(response, 415, `expected Content-Type ${CMP_CONTENT_TYPE}`);
    return;
  }
  const body = await readBody(request, limit);
  if (body === null) {
    plainAnswer(response, 413, `a CMP message may be at most ${limit} bytes`);
    return;
  }
  const answer = await handler(new Uint8Array(body));
  response.writeHead(200, { 'content-type': CMP_CONTENT_TYPE, 'content-length': String(answer.byteLength) });
  response.end(Buffer.from(answer));
}

/** Starts listening; resolves once the port is bound. */
export function listenForCmp(handler: CmpMessageHandler, options: HttpListenerOptions): Promise<HttpListener> {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    serve(request, response, handler, limit).catch(() => {
      // The handler answers bad input itself; reaching here means a bug or a broken socket.
      if (!response.headersSent) plainAnswer(response, 500, 'internal error');
      else response.destroy();
    });
  };
  const tls = options.tls;
  const server: Server = tls
    ? createHttpsServer({ cert: tls.cert, key: tls.key, ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}) }, onRequest)
    : createHttpServer(onRequest);
  // Slow or stuck peers must not hold connections forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        origin: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
