import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import { listenForCmp, type HttpListener } from '../../../src/cmp/server/httpListener.js';
import { CertificateAuthority } from '../../../src/cmp/server/ca.js';
import { encodeName } from '../../../src/cmp/server/distinguishedName.js';

interface Reply {
  status: number;
  contentType: string;
  body: Buffer;
}

function post(url: string, body: Buffer, options: { method?: string; contentType?: string; ca?: string } = {}): Promise<Reply> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: options.method ?? 'POST',
        headers: { 'content-type': options.contentType ?? 'application/pkixcmp', 'content-length': body.length },
        ...(options.ca ? { ca: options.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const reversing = async (request: Uint8Array) => new Uint8Array(request).reverse();

describe('CMP HTTP listener', () => {
  let listener: HttpListener;
  before(async () => {
    listener = await listenForCmp(reversing, { host: '127.0.0.1', port: 0, maxBodyBytes: 1024 });
  });
  after(async () => {
    await listener.close();
  });

  it('binds a random port and reports its URL', () => {
    assert.match(listener.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(listener.port > 0);
  });

  for (const path of ['/', '/.well-known/cmp', '/.well-known/cmp/p/RA', '/anything/else']) {
    it(`answers a POST of application/pkixcmp on ${path}`, async () => {
      const reply = await post(`${listener.origin}${path}`, Buffer.from([1, 2, 3]));
      assert.equal(reply.status, 200);
      assert.equal(reply.contentType, 'application/pkixcmp');
      assert.deepEqual([...reply.body], [3, 2, 1]);
    });
  }

  it('refuses other methods with 405', async () => {
    const reply = await post(`${listener.origin}/.well-known/cmp`, Buffer.alloc(0), { method: 'PUT' });
    assert.equal(reply.status, 405);
  });

  it('refuses other content types with 415', async () => {
    const reply = await post(`${listener.origin}/`, Buffer.from('{}'), { contentType: 'application/json' });
    assert.equal(reply.status, 415);
  });

  it('refuses an oversized body with 413 and keeps serving', async () => {
    const reply = await post(`${listener.origin}/`, Buffer.alloc(4096, 0x30));
    assert.equal(reply.status, 413);
    const next = await post(`${listener.origin}/`, Buffer.from([9]));
    assert.equal(next.status, 200);
  });
});

describe('CMP HTTPS listener', () => {
  it('serves HTTPS with the given certificate and key', async () => {
    const ca = await CertificateAuthority.open({ roots: 1 });
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const san = new pkijs.GeneralNames({
      names: [new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: new Uint8Array([127, 0, 0, 1]) }) })],
    });
    const leaf = ca.issue({
      subject: encodeName([['CN', '127.0.0.1']]),
      publicKeyInfo: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
      extensions: [{ oid: '2.5.29.17', critical: false, value: new Uint8Array(san.toSchema().toBER()) }],
    });
    const chain = [leaf, ca.intermediate.certificate].map((der) => new X509Certificate(der).toString()).join('');
    const listener = await listenForCmp(reversing, {
      host: '127.0.0.1',
      port: 0,
      tls: { cert: chain, key: privateKey.export({ type: 'pkcs8', format: 'pem' }) },
    });
    try {
      assert.match(listener.origin, /^https:/);
      const reply = await post(`${listener.origin}/.well-known/cmp`, Buffer.from([7, 8]), {
        ca: new X509Certificate(ca.roots[0]).toString(),
      });
      assert.equal(reply.status, 200);
      assert.deepEqual([...reply.body], [8, 7]);
    } finally {
      await listener.close();
    }
  });
});
