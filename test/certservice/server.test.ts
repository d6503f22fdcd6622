// The CertService server end to end on 127.0.0.1: mTLS → request parsing → CMP over HTTPS to the
// development CA. Success bodies (chain leaf first, both roots once each), the message type
// reaching the CA (ir, p10cr, kur, cr), every error path with its status and text, a CA that is
// down or hangs, headers too large, bad config and reload, 200 requests at once, no key in a log.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import { CaGateway } from '../../src/certservice/index.js';
import { toPem } from '../../src/pki/pem.js';
import { call, CMP_TLS, csrHeader, ecKey, header, keyHeader, onapClientCsr, rsaKey, startStack, type Stack } from './support.js';
import { makeCsr } from '../cmp/fixtures.js';
import { createPublicKey, type KeyObject } from 'node:crypto';

const fingerprints = (pems: unknown) => (pems as string[]).map((p) => new X509Certificate(p).fingerprint256);
const pair = (k: KeyObject) => ({
  privateKey: k,
  publicKey: createPublicKey(k),
  spki: new Uint8Array(createPublicKey(k).export({ format: 'der', type: 'spki' })),
});

function ecRequest(subject = 'CN=svc.example', dns = ['svc.example']) {
  const key = ecKey();
  const csr = makeCsr({ subject, key: pair(key), dns });
  return { key, headers: { CSR: csrHeader(csr), PK: keyHeader(key) } };
}

describe('certservice server (mTLS) → development CA (CMP over HTTPS)', function () {
  this.timeout(60_000);
  let stack: Stack;
  before(async () => (stack = await startStack()));
  after(async () => stack?.stop());

  it("ONAP's client request (RSA 2048, SHA1withRSA, reversed subject, every SAN type, PKCS#8 labelled RSA PRIVATE KEY) → 200, chain leaf first, both roots once", async () => {
    const key = rsaKey();
    const subject = 'L=San Francisco,OU=ONAP,O=Linux-Foundation,ST=California,C=US,CN=onap.org';
    const csr = onapClientCsr(key, subject, ['onap.org', '192.168.0.1', 'onap@onap.org', 'https://onap.org/x']);
    const irBefore = stack.ca.stats.requests.get('ir') ?? 0;
    const answer = await stack.get('/v1/certificate/RA', { CSR: csrHeader(csr), PK: keyHeader(key, 'RSA PRIVATE KEY') });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(Object.keys(answer.body).sort(), ['certificateChain', 'trustedCertificates']);
    const chain = (answer.body.certificateChain as string[]).map((p) => new X509Certificate(p));
    assert.equal(chain.length, 2);
    assert.ok(chain[0].checkPrivateKey(key), 'leaf first, for the key of PK');
    assert.ok(chain[0].verify(chain[1].publicKey), 'then its issuer');
    assert.equal(chain[0].subject, 'L=San Francisco\nOU=ONAP\nO=Linux-Foundation\nST=California\nC=US\nCN=onap.org', 'subject passed on as sent');
    assert.equal(chain[0].subjectAltName, 'DNS:onap.org, IP Address:192.168.0.1, email:onap@onap.org, URI:https://onap.org/x');
    const roots = fingerprints(answer.body.trustedCertificates);
    assert.deepEqual([...roots].sort(), stack.ca.roots.map((r) => new X509Certificate(r).fingerprint256).sort());
    assert.equal(new Set(roots).size, roots.length, 'no duplicates');
    assert.equal(stack.ca.stats.requests.get('ir'), irBefore + 1, 'ir by default');
  });

  it('update endpoint: same subject and SANs → kur signed with the old key; a changed SAN → cr', async () => {
    const first = ecRequest('CN=renew.example', ['renew.example']);
    const issued = await stack.get('/v1/certificate/RA', first.headers);
    assert.equal(issued.status, 200, issued.text);
    const oldCert = (issued.body.certificateChain as string[])[0];
    const oldHeaders = { OLD_CERT: header(oldCert), OLD_PK: keyHeader(first.key) };
    const kurBefore = stack.ca.stats.requests.get('kur') ?? 0;
    const renewed = await stack.get('/v1/certificate-update/RA', { ...ecRequest('CN=renew.example', ['renew.example']).headers, ...oldHeaders });
    assert.equal(renewed.status, 200, renewed.text);
    assert.equal(stack.ca.stats.requests.get('kur'), kurBefore + 1, 'kur reached the CA');
    assert.equal(fingerprints(renewed.body.trustedCertificates).length, 2);
    const crBefore = stack.ca.stats.requests.get('cr') ?? 0;
    const changed = await stack.get('/v1/certificate-update/RA', {
      ...ecRequest('CN=renew.example', ['renew.example', 'more.example']).headers,
      ...oldHeaders,
    });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(stack.ca.stats.requests.get('cr'), crBefore + 1, 'cr reached the CA');
  });

  it("errors in CertService's words: 400 CSR / PK / certificate, 404 unknown CA (after the headers are checked)", async () => {
    const good = ecRequest();
    const cases: [string, Record<string, string>, number, string][] = [
      ['/v1/certificate/RA', {}, 400, 'Wrong certificate signing request (CSR) format'],
      ['/v1/certificate/RA', { CSR: 'bm90IGEgY3Ny', PK: good.headers.PK }, 400, 'Wrong certificate signing request (CSR) format'],
      ['/v1/certificate/RA', { CSR: good.headers.CSR }, 400, 'Wrong key (PK) format'],
      ['/v1/certificate/RA', { CSR: good.headers.CSR, PK: keyHeader(ecKey()) }, 400, 'Wrong key (PK) format'],
      ['/v1/certificate-update/RA', { ...good.headers, OLD_PK: good.headers.PK }, 400, 'Wrong certificate format'],
      ['/v1/certificate/NoSuchCA', good.headers, 404, 'Certification authority not found for given CAName'],
      ['/v1/certificate/NoSuchCA', { CSR: 'x', PK: 'y' }, 400, 'Wrong certificate signing request (CSR) format'],
    ];
    for (const [pathName, headers, status, text] of cases) {
      const answer = await stack.get(pathName, headers);
      assert.equal(answer.status, status, `${pathName} ${Object.keys(headers).join(',')}: ${answer.text}`);
      assert.deepEqual(answer.body, { errorMessage: text });
    }
  });

  it('health, ready, unknown paths; clients without a certificate or from another CA are refused at the handshake', async () => {
    assert.deepEqual((await stack.get('/actuator/health')).body, { status: 'UP' });
    assert.equal((await stack.get('/ready')).status, 200);
    assert.equal((await stack.get('/v2/whatever')).status, 404);
    await assert.rejects(call(stack.url, '/actuator/health', {}, { ca: stack.tls.ca }), /certificate|socket hang up|ECONNRESET|alert/i);
    await assert.rejects(call(stack.url, '/actuator/health', {}, { ca: stack.tls.ca, ...stack.tls.stranger }), /certificate|socket hang up|ECONNRESET|alert/i);
  });

  it('headers of 100 KiB → 431 from the server, which keeps answering', async () => {
    const answer = await stack.get('/v1/certificate/RA', { CSR: 'A'.repeat(100 * 1024), PK: 'B' });
    assert.equal(answer.status, 431);
    assert.deepEqual(answer.body, { errorMessage: 'Request header fields too large (at most 65536 bytes)' });
    assert.equal((await stack.get('/actuator/health')).status, 200);
  });

  it('no log line carries a key (PK / OLD_PK header or PEM body) or a header value', async () => {
    const text = stack.logs.join('\n');
    assert.ok(stack.logs.length > 10, `${stack.logs.length} lines`);
    assert.doesNotMatch(text, /PRIVATE KEY|MII[A-Za-z0-9+/]{20}|LS0tLS1CRUdJTi/);
  });

  it('metrics: requests by CA and outcome, CMP latency by CA and type', async () => {
    const text = await stack.metrics.registry.metrics();
    assert.match(text, /certservice_requests_total\{ca="RA",endpoint="certificate",outcome="issued"\} \d+/);
    assert.match(text, /certservice_requests_total\{ca="\(unknown\)",endpoint="certificate",outcome="unknown_ca"\} 1/);
    assert.match(text, /certservice_cmp_duration_seconds_count\{ca="RA",type="kur",result="ok"\} 1/);
  });
});

describe('certservice server: trouble behind it and configuration', function () {
  this.timeout(60_000);

  it('200 requests at once (8 CMP transactions at a time, the rest queued): every one 200 with its own certificate', async function () {
    this.timeout(120_000);
    const stack = await startStack({ inProcessCa: true, maxConcurrent: 8 });
    try {
      const requests = Array.from({ length: 200 }, (_, i) => ecRequest(`CN=load-${i}.example`, [`load-${i}.example`]));
      const answers = await Promise.all(requests.map((r) => stack.get('/v1/certificate/RA', r.headers)));
      assert.deepEqual([...new Set(answers.map((a) => a.status))], [200], JSON.stringify(answers.find((a) => a.status !== 200)?.body));
      answers.forEach((a, i) => assert.ok(new X509Certificate((a.body.certificateChain as string[])[0]).checkPrivateKey(requests[i].key)));
      assert.equal(stack.ca.stats.requests.get('ir'), 200);
      assert.doesNotMatch(stack.logs.join('\n'), /PRIVATE KEY|MII[A-Za-z0-9+/]{20}|LS0tLS1CRUdJTi/, 'no key in 200 log lines');
    } finally {
      await stack.stop();
    }
  });

  it('beyond the queue: 503 "Too many certification requests in progress; retry later" at once; the running and queued ones are issued', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const holder: { stack?: Stack } = {};
    // The CA answers only when the test says so: one transaction runs, one waits, the rest overflow.
    const gateway = new CaGateway({
      timeoutMs: 10_000,
      transport: () => ({
        send: async (request: Uint8Array) => {
          await gate;
          return holder.stack!.ca.handle(request);
        },
      }),
    });
    const stack = (holder.stack = await startStack({ gateway, maxConcurrent: 1, maxQueued: 1 }));
    try {
      const settled: number[] = [];
      const all = Array.from({ length: 4 }, (_, i) =>
        stack.get('/v1/certificate/RA', ecRequest(`CN=busy-${i}`, []).headers).then((a) => {
          settled.push(a.status);
          return a;
        }),
      );
      for (let waited = 0; settled.length < 2 && waited < 20_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(settled, [503, 503], 'two overflow while the CA holds the first');
      release();
      const answers = await Promise.all(all);
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 503, 503]);
      for (const a of answers.filter((x) => x.status === 503))
        assert.deepEqual(a.body, { errorMessage: 'Too many certification requests in progress; retry later' });
      assert.equal(stack.ca.stats.requests.get('ir'), 2);
    } finally {
      release();
      await stack.stop();
    }
  });

  it('a CA that rejects (wrong iak: the CA refuses our MAC) → 500 "CMPv2 server returned following error: …" with the CA\'s text', async () => {
    const stack = await startStack({});
    try {
      stack.writeConfig({
        cmpv2Servers: [
          {
            caName: 'RA',
            url: stack.ca.url,
            issuerDN: 'CN=ManagementCA',
            authentication: { iak: 'wrong-secret', rv: 'onap-rv' },
            tls: CMP_TLS,
          },
        ],
      });
      assert.equal((await stack.get('/reload')).status, 200);
      const answer = await stack.get('/v1/certificate/RA', ecRequest().headers);
      assert.equal(answer.status, 500, answer.text);
      assert.match(String(answer.body.errorMessage), /^CMPv2 server returned following error: .+\(failInfo: [a-zA-Z, ]+\)/);
    } finally {
      await stack.stop();
    }
  });

  it('a CA that is down → 500 "Exception occurred during call to cmp client: …"; a CA that hangs → the same after the CMP timeout, the server answering meanwhile', async () => {
    const held: net.Socket[] = [];
    const hanging = net.createServer((socket) => void held.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const hangPort = (hanging.address() as net.AddressInfo).port;
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const downPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const stack = await startStack({ cmpTimeoutMs: 1500 });
    try {
      stack.writeConfig({
        cmpv2Servers: [
          { caName: 'Down', url: `http://127.0.0.1:${downPort}/cmp`, issuerDN: 'CN=ManagementCA', authentication: { iak: 'a', rv: 'b' } },
          { caName: 'Hang', url: `http://127.0.0.1:${hangPort}/cmp`, issuerDN: 'CN=ManagementCA', authentication: { iak: 'a', rv: 'b' } },
        ],
      });
      assert.equal((await stack.get('/reload')).status, 200);
      const down = await stack.get('/v1/certificate/Down', ecRequest().headers);
      assert.equal(down.status, 500);
      assert.match(String(down.body.errorMessage), /^Exception occurred during call to cmp client: cannot reach .*ECONNREFUSED/);
      const hang = stack.get('/v1/certificate/Hang', ecRequest().headers);
      assert.equal((await stack.get('/actuator/health')).status, 200, 'answers while a CA hangs');
      const hung = await hang;
      assert.equal(hung.status, 500);
      assert.match(String(hung.body.errorMessage), /^Exception occurred during call to cmp client: no answer from .* within 1500 ms/);
    } finally {
      await stack.stop();
      held.forEach((socket) => socket.destroy());
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });

  it('a bad config: /ready 503 and every request 503 with the reason; /reload of a good file → ready; a bad reload → 500, last good config kept', async () => {
    const stack = await startStack({});
    try {
      const good = JSON.stringify({
        cmpv2Servers: [
          {
            caName: 'RA',
            url: stack.ca.url,
            issuerDN: 'CN=ManagementCA',
            authentication: { iak: 'onap-iak', rv: 'onap-rv' },
            tls: CMP_TLS,
          },
        ],
      });
      stack.writeConfig('{"cmpv2Servers": ');
      // A fresh server over the bad file (the stack's store had loaded the good one).
      const { ConfigStore, startCertService } = await import('../../src/certservice/index.js');
      const store = new ConfigStore(stack.configFile);
      await store.reload().catch(() => undefined);
      const server = await startCertService({
        host: '127.0.0.1',
        port: 0,
        config: store,
        tls: { cert: stack.tls.server.cert, key: stack.tls.server.key, clientCa: stack.tls.ca },
      });
      const get = (p: string, h: Record<string, string> = {}) => call(server.url, p, h, { ca: stack.tls.ca, ...stack.tls.client });
      try {
        const ready = await get('/ready');
        assert.equal(ready.status, 503);
        assert.match(String(ready.body.errorMessage), /not JSON/);
        const refused = await get('/v1/certificate/RA', ecRequest().headers);
        assert.equal(refused.status, 503);
        assert.match(String(refused.body.errorMessage), /not JSON/);
        stack.writeConfig(good);
        assert.equal((await get('/reload')).status, 200);
        assert.equal((await get('/ready')).status, 200);
        stack.writeConfig({ cmpv2Servers: [{ caName: 'RA' }] });
        const bad = await get('/reload');
        assert.equal(bad.status, 500);
        assert.match(String(bad.body.errorMessage), /the configuration is invalid: cmpv2Servers\.0\.url/);
        assert.equal((await get('/ready')).status, 200, 'last good config in use');
        assert.equal((await get('/v1/certificate/RA', ecRequest().headers)).status, 200);
      } finally {
        await server.close();
      }
    } finally {
      await stack.stop();
    }
  });

  it('CMP over HTTPS with mTLS: without tls.clientCertFile/clientKeyFile the CA refuses the connection → 500 cmp client text', async () => {
    const stack = await startStack({ serverEntry: { tls: { caBundleFile: 'ca-tls.pem' } } });
    try {
      const answer = await stack.get('/v1/certificate/RA', ecRequest().headers);
      assert.equal(answer.status, 500, answer.text);
      assert.match(String(answer.body.errorMessage), /^Exception occurred during call to cmp client: /);
      assert.equal(stack.ca.stats.requests.get('ir') ?? 0, 0, 'nothing reached the CA');
    } finally {
      await stack.stop();
    }
  });

  it('messageType p10cr: the CSR reaches the CA as it is', async () => {
    const stack = await startStack({ serverEntry: { messageType: 'p10cr' } });
    try {
      const key = rsaKey();
      const csr = onapClientCsr(key, 'OU=ONAP,CN=p10.example', ['p10.example']);
      const answer = await stack.get('/v1/certificate/RA', { CSR: csrHeader(csr), PK: keyHeader(key, 'RSA PRIVATE KEY') });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(stack.ca.stats.requests.get('p10cr'), 1);
      assert.equal(new X509Certificate((answer.body.certificateChain as string[])[0]).subject, 'OU=ONAP\nCN=p10.example');
      void toPem;
    } finally {
      await stack.stop();
    }
  });
});
