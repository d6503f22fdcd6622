// The health and metrics endpoints over real HTTP on 127.0.0.1:0.
import assert from 'node:assert/strict';
import { EndpointServer, groupByAddress, textEndpoint } from '../../src/operator/httpEndpoints.js';

describe('operator/httpEndpoints', () => {
  let server: EndpointServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers its routes, 404 elsewhere, 405 for other methods; /readyz follows the check', async () => {
    let ready = false;
    server = await EndpointServer.listen(
      { host: '127.0.0.1', port: 0 },
      {
        '/healthz': textEndpoint(() => ({ status: 200, body: 'ok\n' })),
        '/readyz': textEndpoint(() => (ready ? { status: 200, body: 'ok\n' } : { status: 503, body: 'not yet\n' })),
      },
    );
    const base = `http://127.0.0.1:${server.port}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const notReady = await fetch(`${base}/readyz`);
    assert.deepEqual([notReady.status, await notReady.text()], [503, 'not yet\n']);
    ready = true;
    assert.equal((await fetch(`${base}/readyz?verbose`)).status, 200);
    assert.equal((await fetch(`${base}/metrics`)).status, 404);
    assert.equal((await fetch(`${base}/healthz`, { method: 'POST' })).status, 405);
  });

  it('a failing endpoint answers 500 with its message', async () => {
    server = await EndpointServer.listen({ host: '127.0.0.1', port: 0 }, { '/x': textEndpoint(() => Promise.reject(new Error('broken'))) });
    const res = await fetch(`http://127.0.0.1:${server.port}/x`);
    assert.deepEqual([res.status, await res.text()], [500, 'broken\n']);
  });

  it('health and metrics on the same address share a server; disabled ones are left out', () => {
    const health = { '/healthz': textEndpoint(() => ({ status: 200, body: '' })) };
    const metrics = { '/metrics': textEndpoint(() => ({ status: 200, body: '' })) };
    const same = groupByAddress([
      { name: 'health', address: { port: 9000 }, routes: health },
      { name: 'metrics', address: { port: 9000 }, routes: metrics },
    ]);
    assert.equal(same.length, 1);
    assert.deepEqual(Object.keys(same[0].routes), ['/healthz', '/metrics']);
    assert.equal(
      groupByAddress([
        { name: 'health', address: { port: 0 }, routes: health },
        { name: 'metrics', address: { port: 0 }, routes: metrics },
      ]).length,
      2,
    );
    assert.equal(groupByAddress([{ name: 'metrics', address: undefined, routes: metrics }]).length, 0);
  });
});
