// Fuzz targets: the CMP message decoder, and the development CA's HTTP handler (tests only; the
// CMP code is another engineer's). Decoding answers a PKIMessage or a CmpDecodeError; the HTTP
// handler answers every request with an HTTP status and stays up for the next one.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePKIMessage } from '../../src/cmp/asn1/PKIMessage.js';
import { CmpDecodeError, CmpTransportError } from '../../src/cmp/errors.js';
import { HttpTransport } from '../../src/cmp/transport.js';
import { startDevelopmentCa, type DevelopmentCa } from '../../src/cmp/server/index.js';
import { assertWithinBounds, fuzz, mutations } from './harness.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'cmp', 'fixtures');
const recordedNames = readdirSync(FIXTURES).filter((n) => n.endsWith('.der'));
const recorded = recordedNames.map((n) => readFileSync(join(FIXTURES, n)));

/** POSTs `body`; resolves with the status and body, rejects on any transport failure. */
function post(url: string, body: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/pkixcmp', 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(5_000, () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** The HTTP handler failed to answer: a crash of the target. */
class NoAnswerError extends Error {}

describe('fuzz: CMP', function () {
  this.timeout(0);

  it('decodePKIMessage on mutated OpenSSL-recorded messages: a message or CmpDecodeError', async () => {
    const summary = await fuzz('cmp-decode', {
      weight: 14,
      inputs: mutations(recorded),
      run: (input) => decodePKIMessage(new Uint8Array(input)),
      expected: (err) => err instanceof CmpDecodeError,
    });
    assertWithinBounds(summary);
  });

  it('regression (issue 11, finding 8): a non-CMP HTTP 200 is reported as such, not as "PKIMessage: not valid DER"', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login</html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/portal`;
      await assert.rejects(new HttpTransport({ url }).send(recorded[0]), (e: Error) => {
        assert.ok(e instanceof CmpTransportError);
        assert.match(
          e.message,
          /answered HTTP 200 with Content-Type text\/html, not a CMP message \(application\/pkixcmp\); check that the URL is the CA's CMP endpoint/,
        );
        return true;
      });
    } finally {
      server.close();
    }
  });

  describe('the development CA over HTTP', () => {
    let ca: DevelopmentCa;
    before(async () => {
      ca = await startDevelopmentCa({ port: 0, host: '127.0.0.1', secret: 'secret1', reference: 'ref1', roots: 1 });
    });
    after(async () => ca?.stop());

    it('mutated requests: every one answered with an HTTP status (CMP errors as PKIMessages), the CA up afterwards', async () => {
      const statuses = new Map<number, number>();
      const summary = await fuzz('devca-http', {
        weight: 14,
        inputs: mutations(recorded),
        run: async (input) => {
          let answer: { status: number; body: Buffer };
          try {
            answer = await post(ca.url!, input);
          } catch (err) {
            throw new NoAnswerError(`no HTTP answer: ${err instanceof Error ? err.message : String(err)}`);
          }
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          // A 200 carries a CMP message we can decode (an error message for bad input).
          if (answer.status === 200) decodePKIMessage(new Uint8Array(answer.body));
        },
        expected: () => false,
      });
      process.stdout.write(`      HTTP statuses: ${JSON.stringify(Object.fromEntries(statuses))}\n`);
      assertWithinBounds(summary);
      const genm = recorded[recordedNames.findIndex((n) => n.includes('genm'))];
      const after = await post(ca.url!, genm);
      assert.equal(after.status, 200);
      assert.ok(decodePKIMessage(new Uint8Array(after.body)));
    });
  });
});
