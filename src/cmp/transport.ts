// CMP over HTTP(S) (RFC 9811): POST application/pkixcmp, one kept-alive connection per transaction
// (OpenSSL's mock server reads the next message of a transaction from the same connection), a
// response size cap, an overall timeout, and an AbortSignal that ends a pending exchange (the
// operator's shutdown). Pluggable: tests connect a client to an in-process server through the
// same interface.
import http from 'node:http';
import https from 'node:https';
import { CmpContentTypeError, CmpTransportError } from './errors.js';

/** Sends one DER PKIMessage and returns the DER answer; an aborted `signal` rejects it promptly. */
export interface CmpTransport {
  send(request: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>;
  /** Ends the current transaction's connection (called by the client after each transaction). */
  close?(): void;
}

export interface HttpTransportOptions {
  /** http:// or https:// URL of the CMP endpoint. */
  url: string;
  /** PEM CA bundle for the server's TLS certificate (default: node's roots). */
  tlsCa?: string;
  /** PEM client certificate (chain) for mutual TLS. */
  tlsCert?: string;
  /** PEM private key of the client certificate. */
  tlsKey?: string;
  /** Per-message timeout in milliseconds (connect to last byte). Default 30 000. */
  timeoutMs?: number;
  /** Largest accepted response body. Default 1 MiB. */
  maxResponseBytes?: number;
}

const CONTENT_TYPE = 'application/pkixcmp';

function describeNetworkError(err: Error & { code?: string }): string {
  return err.code ? `${err.code}: ${err.message}` : err.message;
}

/**
 * HTTP and HTTPS transport. Only a 200 answer labelled application/pkixcmp is a CMP answer; any
 * other status is a CmpTransportError with that status, a 200 with another (or no) Content-Type a
 * CmpContentTypeError. One instance carries one transaction at a time (one kept-alive connection): give each
 * concurrent enrolment its own instance.
 */
export class HttpTransport implements CmpTransport {
  private readonly url: URL;
  private readonly options: HttpTransportOptions;
  private agent: http.Agent | undefined;

  constructor(options: HttpTransportOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new CmpTransportError(`invalid CMP server URL "${options.url}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new CmpTransportError(`unsupported CMP server URL scheme "${url.protocol}" (use http or https)`);
    }
    if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
      throw new CmpTransportError('a TLS client certificate needs its key and vice versa');
    }
    this.url = url;
    this.options = options;
  }

  private currentAgent(): http.Agent {
    if (!this.agent) {
      this.agent =
        this.url.protocol === 'https:'
          ? new https.Agent({
              keepAlive: true,
              maxSockets: 1,
              ca: this.options.tlsCa,
              cert: this.options.tlsCert,
              key: this.options.tlsKey,
            })
          : new http.Agent({ keepAlive: true, maxSockets: 1 });
    }
    return this.agent;
  }

  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  send(request: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const maxBytes = this.options.maxResponseBytes ?? 1024 * 1024;
    const client = this.url.protocol === 'https:' ? https : http;
    const target = this.url.toString();
    return new Promise<Uint8Array>((resolve, reject) => {
      let settled = false;
      // Once the connection stands (TLS included) and the whole request is written, a missing
      // answer may be a lost one: the CA may have acted on the request.
      let connected = false;
      let written = false;
      const sent = () => connected && written;
      const fail = (err: CmpTransportError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        req.destroy();
        reject(err);
      };
      const onAbort = () => fail(new CmpTransportError(`request to ${target} aborted`, undefined, { answerLost: sent() }));
      const req = client.request(
        this.url,
        {
          method: 'POST',
          agent: this.currentAgent(),
          headers: { 'content-type': CONTENT_TYPE, 'content-length': request.byteLength, accept: CONTENT_TYPE },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const type = (res.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
          const declared = Number(res.headers['content-length'] ?? NaN);
          if (Number.isFinite(declared) && declared > maxBytes) {
            fail(
              new CmpTransportError(`response of ${declared} bytes from ${target} exceeds the ${maxBytes}-byte limit`, status, { answerLost: status === 200 }),
            );
            return;
          }
          const chunks: Buffer[] = [];
          let total = 0;
          res.on('data', (chunk: Buffer) => {
            total += chunk.byteLength;
            if (total > maxBytes) {
              fail(new CmpTransportError(`response from ${target} exceeds the ${maxBytes}-byte limit`, status, { answerLost: status === 200 }));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', (err) =>
            fail(new CmpTransportError(`reading response from ${target}: ${describeNetworkError(err)}`, status, { answerLost: status === 200 })),
          );
          res.on('end', () => {
            if (settled) return;
            const body = new Uint8Array(Buffer.concat(chunks));
            // RFC 6712 §3.3: a CMP answer comes with 200; 4xx/5xx report errors at the HTTP level. Like
            // OpenSSL 3.0 (HTTP_R_RECEIVED_ERROR), such a body is never read as CMP, whatever its label.
            if (status !== 200) {
              const detail =
                type === CONTENT_TYPE
                  ? ` (${CONTENT_TYPE} body not read: CMP answers come with 200)`
                  : type.startsWith('text/')
                    ? `: ${Buffer.from(body.subarray(0, 200)).toString('utf8').replace(/\s+/g, ' ').trim()}`
                    : '';
              fail(new CmpTransportError(`HTTP ${status} from ${target}${detail}`, status));
              return;
            }
            if (body.byteLength === 0) {
              fail(new CmpTransportError(`empty response from ${target} (HTTP ${status})`, status));
              return;
            }
            // RFC 6712 §3.4: the media type must be application/pkixcmp (parameters after ';' ignored, as OpenSSL does).
            if (type !== CONTENT_TYPE) {
              const shown = type === '' ? 'no Content-Type' : `Content-Type ${type}`;
              // Not CMP at all (a web page, a JSON API): say so rather than "PKIMessage: not valid DER".
              const message =
                body[0] !== 0x30
                  ? `${target} answered HTTP ${status} with ${shown}, not a CMP message (${CONTENT_TYPE}); check that the URL is the CA's CMP endpoint (e.g. …/.well-known/cmp)`
                  : `${target} answered HTTP ${status} with ${shown} instead of ${CONTENT_TYPE} (RFC 6712 §3.4); the answer is not read as CMP`;
              fail(new CmpContentTypeError(message, type === '' ? undefined : type));
              return;
            }
            settled = true;
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            resolve(body);
          });
        },
      );
      const timer = setTimeout(
        () => fail(new CmpTransportError(`no answer from ${target} within ${timeoutMs} ms`, undefined, { answerLost: sent() })),
        timeoutMs,
      );
      req.on('socket', (socket) => {
        if (req.reusedSocket) connected = true;
        else socket.once(this.url.protocol === 'https:' ? 'secureConnect' : 'connect', () => (connected = true));
      });
      req.on('finish', () => (written = true));
      req.on('error', (err: Error & { code?: string }) =>
        fail(
          // A TLS alert (TLS 1.3 servers refuse a client certificate after the client has sent) is a
          // refusal of the connection: the server never read the request.
          sent() && !/^ERR_(SSL|TLS)_/.test(err.code ?? '')
            ? new CmpTransportError(`no answer from ${target}: ${describeNetworkError(err)}`, undefined, { answerLost: true })
            : new CmpTransportError(`cannot reach ${target}: ${describeNetworkError(err)}`),
        ),
      );
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      req.end(Buffer.from(request));
    });
  }
}
