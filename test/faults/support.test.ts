// The fault suite's own tools against real sockets and the real CA: the proxy's two kinds of
// drop (before: the CA never sees the request; after: it answers, the answer is lost), down/up
// and latency; the CA child process killed and restarted on its port with its enrolment log.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { CaProcess } from './support/caProcess.js';
import { TcpProxy } from './support/tcpProxy.js';

/** An HTTP server counting the requests it received. */
async function countingServer(): Promise<{ port: number; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = http.createServer((req, res) => {
    received += 1;
    req.resume();
    req.on('end', () => res.end('answer'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function post(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end('request');
  });
}

describe('fault suite tools', function () {
  it('the proxy: drop before (unseen by the server), drop after (answered, answer lost), down/up, latency', async function () {
    const server = await countingServer();
    const proxy = await TcpProxy.start({ target: { host: '127.0.0.1', port: server.port } });
    try {
      assert.equal(await post(proxy.port), 'answer');
      assert.equal(server.received(), 1);

      proxy.configure({ dropBefore: 1 });
      await assert.rejects(post(proxy.port), /ECONNRESET|socket hang up/);
      assert.equal(server.received(), 1, 'the server never saw the dropped request');

      proxy.configure({ dropBefore: 0, dropAfter: 1 });
      await assert.rejects(post(proxy.port), /ECONNRESET|socket hang up/);
      assert.equal(server.received(), 2, 'the server answered the request whose answer was lost');

      proxy.configure({ dropAfter: 0 });
      proxy.down();
      await assert.rejects(post(proxy.port), /ECONNRESET|socket hang up/);
      proxy.up();
      proxy.configure({ latencyMs: { down: 300 } });
      const began = performance.now();
      assert.equal(await post(proxy.port), 'answer');
      assert.ok(performance.now() - began >= 290, 'the answer was held back');
      assert.deepEqual(proxy.counts, { connections: 4, droppedBefore: 1, droppedAfter: 1, refused: 1 });
    } finally {
      await proxy.close();
      await server.close();
    }
  });

  it('the proxy drops the same connections for the same seed', async function () {
    const server = await countingServer();
    const outcomes = async (seed: number): Promise<string[]> => {
      const proxy = await TcpProxy.start({ target: { host: '127.0.0.1', port: server.port }, dropBefore: 0.3, dropAfter: 0.3, seed });
      const results: string[] = [];
      for (let i = 0; i < 12; i += 1) results.push(await post(proxy.port).catch(() => 'dropped'));
      await proxy.close();
      return results;
    };
    try {
      const first = await outcomes(42);
      assert.deepEqual(await outcomes(42), first);
      assert.ok(first.includes('dropped') && first.includes('answer'));
    } finally {
      await server.close();
    }
  });

  it('the CA child process: killed and restarted on the same port, its enrolment log kept', async function () {
    const ca = await CaProcess.start({ secret: 's', reference: 'r' });
    try {
      const port = ca.port;
      assert.deepEqual(ca.enrolments(), []);
      await ca.kill();
      assert.equal(ca.running, false);
      await ca.restart();
      assert.equal(ca.port, port);
      assert.equal(ca.starts, 2);
      assert.match(ca.output, /state in .*enrolments\.jsonl/);
    } finally {
      await ca.stop();
    }
  });
});
