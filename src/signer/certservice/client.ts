// ONAP CertService's REST API as a client sees it (oom-platform-cert-service
// `CertificationController`): GET with the request in headers, over mutual TLS.
//   GET {url}/{certEndpoint}/{caName}    headers CSR, PK                    (base64 of PEM text)
//   GET {url}/{updateEndpoint}/{caName}  headers CSR, PK, OLD_CERT, OLD_PK
//   200 {"certificateChain":[PEM…],"trustedCertificates":[PEM…]}
//   4xx/5xx {"errorMessage":"…"} (400 wrong CSR/PK, 404 unknown CA, 500 CMP trouble behind it)
// Errors say what happened without echoing a header: the headers carry private keys.
import https from 'node:https';
import tls from 'node:tls';
import * as z from 'zod';
import { CertServiceHttpError, CertServiceResponseError, CertServiceTransportError } from './errors.js';

export interface CertServiceClientOptions {
  /** Base URL, e.g. https://oom-cert-service:8443 */
  url: string;
  /** PEM CA bundle the server's certificate chains to. */
  tlsCa: string;
  /** PEM client certificate (chain) and key for mutual TLS. */
  tlsCert: string;
  tlsKey: string;
  /** Whole-request timeout (connect to last byte). Default 30 s. */
  timeoutMs?: number;
  /** Largest accepted body. Default 1 MiB. */
  maxResponseBytes?: number;
}

/** What CertService answers on success; entries are PEM certificates. */
export const certificationResponseSchema = z.object({
  certificateChain: z.array(z.string().min(1)).min(1),
  trustedCertificates: z.array(z.string().min(1)),
});
export type CertificationResponse = z.infer<typeof certificationResponseSchema>;

const errorResponseSchema = z.object({ errorMessage: z.string() });

/** PEM texts of a first enrollment (the client base64-encodes them into headers). */
export interface CertificationHeaders {
  csrPem: string;
  /** PKCS#8 PEM of the key the CSR is for. */
  privateKeyPem: string;
}

export interface UpdateHeaders extends CertificationHeaders {
  oldCertificatePem: string;
  /** PKCS#8 PEM of the old certificate's key. */
  oldPrivateKeyPem: string;
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** `{base}/{endpoint}/{caName}`: slashes between the parts made single, caName as one path segment. */
export function endpointUrl(base: string, endpoint: string, caName?: string): URL {
  const url = new URL(base);
  const parts = [url.pathname.replace(/\/+$/, ''), endpoint.replace(/^\/+|\/+$/g, '')];
  if (caName !== undefined) parts.push(encodeURIComponent(caName));
  url.pathname = parts.filter((p) => p !== '').join('/');
  if (!url.pathname.startsWith('/')) url.pathname = `/${url.pathname}`;
  return url;
}

interface RawAnswer {
  status: number;
  body: Buffer;
}

export class CertServiceClient {
  private readonly agent: https.Agent;
  private readonly base: URL;

  constructor(private readonly options: CertServiceClientOptions) {
    try {
      this.base = new URL(options.url);
    } catch {
      throw new CertServiceTransportError(`invalid CertService URL "${options.url}"`);
    }
    if (this.base.protocol !== 'https:') throw new CertServiceTransportError(`CertService needs an https:// URL (mutual TLS), got ${this.base.protocol}`);
    try {
      // Checked now, not at the first call: a certificate that does not match its key is the issuer's fault.
      tls.createSecureContext({ ca: options.tlsCa, cert: options.tlsCert, key: options.tlsKey });
    } catch (err) {
      throw new CertServiceTransportError(`unusable TLS client credentials: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    // Not kept alive: a signer builds a client per request, so nothing would reuse the socket.
    this.agent = new https.Agent({ keepAlive: false, ca: options.tlsCa, cert: options.tlsCert, key: options.tlsKey });
  }

  /** Resolves when the health endpoint answers 200; anything else is an error naming the status. */
  async health(endpoint: string, signal?: AbortSignal): Promise<void> {
    const url = endpointUrl(this.options.url, endpoint);
    const answer = await this.get(url, {}, signal);
    if (answer.status !== 200) throw new CertServiceHttpError(answer.status, errorMessageOf(answer.body), url.pathname);
  }

  certificate(endpoint: string, caName: string, request: CertificationHeaders, signal?: AbortSignal): Promise<CertificationResponse> {
    return this.certification(endpointUrl(this.options.url, endpoint, caName), { CSR: base64(request.csrPem), PK: base64(request.privateKeyPem) }, signal);
  }

  update(endpoint: string, caName: string, request: UpdateHeaders, signal?: AbortSignal): Promise<CertificationResponse> {
    return this.certification(
      endpointUrl(this.options.url, endpoint, caName),
      {
        CSR: base64(request.csrPem),
        PK: base64(request.privateKeyPem),
        OLD_CERT: base64(request.oldCertificatePem),
        OLD_PK: base64(request.oldPrivateKeyPem),
      },
      signal,
    );
  }

  close(): void {
    this.agent.destroy();
  }

  private async certification(url: URL, headers: Record<string, string>, signal?: AbortSignal): Promise<CertificationResponse> {
    const answer = await this.get(url, headers, signal);
    if (answer.status !== 200) throw new CertServiceHttpError(answer.status, errorMessageOf(answer.body), url.pathname);
    let json: unknown;
    try {
      json = JSON.parse(answer.body.toString('utf8'));
    } catch {
      throw new CertServiceResponseError(`the answer from ${url.pathname} is not JSON`);
    }
    const parsed = certificationResponseSchema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      throw new CertServiceResponseError(`the answer from ${url.pathname} is not a certification response (${problems})`);
    }
    return parsed.data;
  }

  private get(url: URL, headers: Record<string, string>, signal?: AbortSignal): Promise<RawAnswer> {
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const maxBytes = this.options.maxResponseBytes ?? 1024 * 1024;
    const where = `${url.origin}${url.pathname}`;
    return new Promise<RawAnswer>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | undefined, answer?: RawAnswer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve(answer!);
      };
      const onAbort = (): void => finish(new CertServiceTransportError(`request to ${where} aborted`));
      const req = https.request(url, { method: 'GET', agent: this.agent, headers: { ...headers, accept: 'application/json' } }, (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let total = 0;
        res.on('data', (chunk: Buffer) => {
          total += chunk.byteLength;
          if (total > maxBytes) finish(new CertServiceResponseError(`the answer from ${url.pathname} exceeds ${maxBytes} bytes`));
          else chunks.push(chunk);
        });
        res.on('error', (err) => finish(new CertServiceTransportError(`reading the answer from ${where}: ${networkText(err)}`, { cause: err })));
        res.on('end', () => finish(undefined, { status, body: Buffer.concat(chunks) }));
      });
      const timer = setTimeout(() => finish(new CertServiceTransportError(`no answer from ${where} within ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (err) => finish(new CertServiceTransportError(`cannot reach ${where}: ${networkText(err)}`, { cause: err })));
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
      req.end();
    });
  }
}

function networkText(err: Error & { code?: string }): string {
  return err.code && !err.message.includes(err.code) ? `${err.code}: ${err.message}` : err.message;
}

/** The server's `errorMessage`, cleaned to one short line; undefined when the body has none. */
function errorMessageOf(body: Buffer): string | undefined {
  try {
    const parsed = errorResponseSchema.safeParse(JSON.parse(body.toString('utf8')));
    if (!parsed.success) return undefined;
    const text = parsed.data.errorMessage.replace(/\s+/g, ' ').trim();
    return text === '' ? undefined : text.slice(0, 500);
  } catch {
    return undefined;
  }
}
