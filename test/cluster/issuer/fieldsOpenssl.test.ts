// Issue 13, request side, against OpenSSL's mock CMP server: the Certificates of the table
// (fieldsTable.ts) go through the real cert-manager and CMPv2Issuers (ir, cr, p10cr) to
// `openssl cmp -port`, behind a recording forwarder that keeps the exact bytes OpenSSL receives
// (OpenSSL 3.0's mock has no -reqout: "The -port option does not support -reqin and -reqout",
// and its log names only the body type). Each request is parsed with `openssl asn1parse`: ir/cr
// carry the validity (notAfter − notBefore = spec.duration) and every extension of the CSR byte
// for byte, plus basicConstraints cA=TRUE for isCA; p10cr carries the CSR as it is and no
// validity. OpenSSL answers ip/cp (it accepted the PBM protection and the signature POP); its
// fixed certificate is for another key, so the requests then end Failed, which is not what this
// test is about.
import type { RunningIssuerLoop } from '../../controllers/loops.js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as pkijs from 'pkijs';
import { decodePKIMessage } from '../../../src/cmp/asn1/PKIMessage.js';
import type { CertificateRequest } from '../../../src/api/certManager.js';
import type { KubeApi } from '../../../src/k8s/apiClient.js';
import { parseDuration } from '../../../src/k8s/duration.js';
import { startOpenSslServer, TempFiles, type OpenSslServer } from '../../peer/cmp/opensslServerHelpers.js';
import { eventually, useNamespace } from '../bed.js';
import { certificateFor, ROWS, type FieldRow } from './fieldsTable.js';
import { approvePending, issuerTestApi, listRequests, pbmCmpSpec, startIssuerLoop } from './support.js';

const SECRET = 'fields-mock-iak';
const REFERENCE = 'fields-mock-rv';
const hex = (bytes: ArrayBuffer | Uint8Array) =>
  Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes))
    .toString('hex')
    .toUpperCase();

interface Exchange {
  request: Uint8Array;
  answerType: string;
}

/** An HTTP forwarder on 127.0.0.1 that records every request body and the type of OpenSSL's answer. */
async function recordingForwarder(target: string): Promise<{ url: string; exchanges: Exchange[]; close(): Promise<void> }> {
  const exchanges: Exchange[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      fetch(target, { method: 'POST', headers: { 'content-type': 'application/pkixcmp' }, body })
        .then(async (answer) => {
          const bytes = new Uint8Array(await answer.arrayBuffer());
          let answerType = `HTTP ${answer.status}`;
          try {
            answerType = decodePKIMessage(bytes).body.type;
          } catch {
            // not a PKIMessage: keep the HTTP status
          }
          exchanges.push({ request: new Uint8Array(body), answerType });
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
    url: `http://127.0.0.1:${port}/pkix/`,
    exchanges,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("issuer loop: the table's requests as OpenSSL's mock CMP server receives them (real cert-manager)", function () {
  const ns = useNamespace('issuer-fields-mock');
  const files = new TempFiles();
  let api: KubeApi;
  let loop: RunningIssuerLoop | undefined;
  let mock: OpenSslServer | undefined;
  let forwarder: Awaited<ReturnType<typeof recordingForwarder>> | undefined;
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: files.dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

  before(async function () {
    api = await issuerTestApi();
  });
  after(async function () {
    await loop?.shutdown();
    await forwarder?.close();
    await mock?.stop();
    files.remove();
    api?.close();
  });

  it('ir/cr carry the validity and every extension asked, p10cr the CSR as it is; OpenSSL accepts protection and POP', async function () {
    this.timeout(180_000);
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'fixed.key',
      '-out',
      'fixed.pem',
      '-days',
      '2',
      '-subj',
      '/CN=Mock fixed answer',
    );
    mock = await startOpenSslServer(['-srv_ref', REFERENCE, '-srv_secret', `pass:${SECRET}`, '-rsp_cert', path.join(files.dir, 'fixed.pem')]);
    forwarder = await recordingForwarder(mock.url);
    const { name: namespace } = ns();
    await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cmp-iak' }, type: 'Opaque', stringData: { password: SECRET } });
    for (const messageType of ['ir', 'cr', 'p10cr'] as const) {
      await ns().create({
        apiVersion: 'certmanager.onap.org/v1',
        kind: 'CMPv2Issuer',
        metadata: { name: `mock-${messageType}` },
        spec: pbmCmpSpec(forwarder.url, 'cmp-iak', REFERENCE, { messageType }),
      });
    }
    for (const row of ROWS) await ns().create(certificateFor(row, `mock-${row.messageType}`));
    loop = await startIssuerLoop(api, namespace);

    const initial = (e: Exchange) => ['ir', 'cr', 'p10cr'].includes(decodePKIMessage(e.request).body.type);
    await eventually(
      `${ROWS.length} enrollment requests at the mock`,
      async () => {
        await approvePending(api, namespace);
        return forwarder!.exchanges.filter(initial).length >= ROWS.length ? true : undefined;
      },
      150_000,
    );
    const requests = await listRequests(api, namespace);
    const outcome: { row: string; ok: boolean; why: string }[] = [];
    for (const row of ROWS) {
      try {
        checkSent(row, requests, forwarder.exchanges.filter(initial));
        outcome.push({ row: row.name, ok: true, why: '' });
      } catch (err) {
        outcome.push({ row: row.name, ok: false, why: (err as Error).message });
      }
    }
    console.log(outcome.map((o) => `      ${o.ok ? 'pass' : 'FAIL'} ${o.row}${o.ok ? '' : `: ${o.why}`}`).join('\n'));
    assert.deepEqual(
      outcome.filter((o) => !o.ok),
      [],
      'every row of the table',
    );
    assert.equal(forwarder.exchanges.filter(initial).length, ROWS.length, 'one enrollment request per Certificate');
  });

  /** The row's request as OpenSSL received it, checked with `openssl asn1parse`. */
  function checkSent(row: FieldRow, requests: CertificateRequest[], exchanges: Exchange[]): void {
    const request = requests.find((r) => r.metadata.annotations?.['cert-manager.io/certificate-name'] === row.name);
    assert.ok(request, `${row.name}: a CertificateRequest`);
    const csrPem = Buffer.from(request.spec?.request ?? '', 'base64').toString('utf8');
    const csrDer = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const csr = pkijs.CertificationRequest.fromBER(csrDer);
    const spki = hex(csr.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
    const attribute = csr.attributes?.find((a) => a.type === '1.2.840.113549.1.9.14');
    const csrExtensions = attribute ? new pkijs.Extensions({ schema: attribute.values[0] }).extensions : [];
    const mine = exchanges.filter((e) => {
      const body = decodePKIMessage(e.request).body;
      if (body.type === 'p10cr')
        return hex(pkijs.CertificationRequest.fromBER(body.csr).subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView) === spki;
      if (body.type === 'ir' || body.type === 'cr') {
        const key = body.content[0].certReq.certTemplate.publicKey;
        return key !== undefined && hex(key.subjectPublicKey.valueBlock.valueHexView) === spki;
      }
      return false;
    });
    assert.equal(mine.length, 1, `${row.name}: one request for its key`);
    const [exchange] = mine;
    const type = decodePKIMessage(exchange.request).body.type;
    assert.equal(type, row.messageType, `${row.name}: message type`);
    assert.equal(exchange.answerType, row.messageType === 'ir' ? 'ip' : 'cp', `${row.name}: OpenSSL accepted it`);
    const file = path.join(files.dir, `${row.name}.der`);
    writeFileSync(file, exchange.request);
    const parsed = openssl('asn1parse', '-inform', 'DER', '-in', file, '-i');
    // Every extension of the CSR, byte for byte (in a p10cr inside the CSR, in ir/cr in the template).
    for (const extension of csrExtensions) {
      assert.ok(parsed.includes(`[HEX DUMP]:${hex(extension.extnValue.valueBlock.valueHexView)}`), `${row.name}: extension ${extension.extnID} sent`);
    }
    // Times inside the body (the header's messageTime sits at depth 3; the template's validity at 8).
    const times = [...parsed.matchAll(/d=\s*(\d+).*?(?:UTCTIME|GENERALIZEDTIME)\s*:(\d{12,14})Z/g)].filter((m) => Number(m[1]) > 3).map((m) => m[2]);
    if (row.messageType === 'p10cr') {
      assert.deepEqual(times, [], `${row.name}: a p10cr carries no validity`);
      assert.ok(parsed.includes('BIT STRING') && hex(exchange.request).includes(hex(csrDer)), `${row.name}: the CSR as it is`);
      return;
    }
    // basicConstraints cA=TRUE for isCA (cert-manager leaves it out of the CSR).
    const constraintsSent = parsed.includes('X509v3 Basic Constraints') && parsed.includes('[HEX DUMP]:30030101FF');
    assert.equal(constraintsSent, row.isCA === true, `${row.name}: basicConstraints cA=TRUE sent exactly for isCA`);
    // The validity: [4] { [0] notBefore, [1] notAfter } → two times, notAfter − notBefore = duration.
    assert.ok(/cont \[ 4 \]/.test(parsed), `${row.name}: validity [4] in the template`);
    assert.equal(times.length, 2, `${row.name}: notBefore and notAfter`);
    const utc = (t: string) => Date.parse(`${t.length === 12 ? `20${t}` : t}`.replace(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/, '$1-$2-$3T$4:$5:$6Z'));
    assert.equal(utc(times[1]) - utc(times[0]), parseDuration(row.duration!), `${row.name}: notAfter − notBefore = spec.duration`);
    assert.ok(Math.abs(utc(times[0]) - Date.now()) < 300_000, `${row.name}: notBefore is now`);
  }
});
