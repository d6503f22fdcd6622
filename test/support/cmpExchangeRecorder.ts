// A CMP-over-HTTP forwarder for tests: it stands in front of a CA on 127.0.0.1 and records, per
// exchange, when the request arrived, when the answer left, both body types, the transaction and
// what the answer asked of the client (`waiting`, checkAfter). Tests read the client's timing
// from what reached the CA, not from times taken around the code under test.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PKIBody } from '../../src/cmp/asn1/PKIBody.js';
import { decodePKIMessage, type PKIMessage } from '../../src/cmp/asn1/PKIMessage.js';

export interface CmpExchange {
  /** performance.now() when the request body had fully arrived. */
  arrivedMs: number;
  /** performance.now() just before the answer was handed to the socket. */
  answeredMs: number;
  requestType: string;
  /** The answer's body type, or `HTTP <status>` when it is not a PKIMessage. */
  answerType: string;
  /** transactionID (hex) of the request. */
  transaction: string;
  /** A CertRepMessage answer whose status is `waiting`. */
  waiting: boolean;
  /** pollRep: the checkAfter it asks for, in seconds (the smallest of its entries). */
  checkAfterSeconds?: number;
}

export interface CmpExchangeRecorder {
  /** Point the issuer here (any path is forwarded to the CA's URL). */
  url: string;
  exchanges: CmpExchange[];
  close(): Promise<void>;
}

function decode(bytes: Uint8Array): PKIMessage | undefined {
  try {
    return decodePKIMessage(bytes);
  } catch {
    return undefined;
  }
}

/** What an answer asks of the client: wait (a CertRepMessage with status `waiting`), and when to ask again (pollRep). */
function asked(body: PKIBody | undefined): { waiting: boolean; checkAfterSeconds?: number } {
  if (body?.type === 'ip' || body?.type === 'cp' || body?.type === 'kup') return { waiting: body.content.response.some((r) => r.status.status === 'waiting') };
  if (body?.type === 'pollRep') return { waiting: false, checkAfterSeconds: Math.min(...body.content.map((p) => p.checkAfter)) };
  return { waiting: false };
}

/** Starts a recording forwarder to `target` (a CMP URL). */
export async function recordCmpExchanges(target: string): Promise<CmpExchangeRecorder> {
  const exchanges: CmpExchange[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrivedMs = performance.now();
      const body = Buffer.concat(chunks);
      const request = decode(body);
      fetch(target, { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? 'application/pkixcmp' }, body })
        .then(async (answer) => {
          const bytes = new Uint8Array(await answer.arrayBuffer());
          const reply = decode(bytes);
          exchanges.push({
            arrivedMs,
            answeredMs: performance.now(),
            requestType: request?.body.type ?? 'not a PKIMessage',
            answerType: reply?.body.type ?? `HTTP ${answer.status}`,
            transaction: Buffer.from(request?.header.transactionID ?? new Uint8Array()).toString('hex'),
            ...asked(reply?.body),
          });
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/pkixcmp' });
          res.end(bytes);
        })
        .catch((err: Error) => {
          res.writeHead(502);
          res.end(err.message);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/cmp`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
