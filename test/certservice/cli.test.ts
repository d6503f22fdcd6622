// `cmpv2-operator certservice` as a user runs it: flag errors on one line, a child process that
// prints its URL, starts with a bad cmpServers.json (503 until /reload reads a good one), serves
// /metrics and the probes on --metrics-addr, logs JSON lines, and stops on SIGTERM with exit 0.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, makeTlsMaterial, type TlsMaterial } from './support.js';

const ENTRY = "import { main } from './src/cli/main.ts'; process.exitCode = await main(process.argv);";
const ROOT = join(import.meta.dirname ?? '.', '..', '..');

interface Cli {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

function startCli(args: string[]): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ENTRY, 'cmpv2-operator', ...args], { cwd: ROOT });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function until<T>(what: string, probe: () => T | undefined, cli: Cli): Promise<T> {
  for (let waited = 0; waited < 30_000; waited += 50) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what}: ${cli.output()}`);
}

function plainGet(port: number, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      })
      .on('error', reject);
  });
}

describe('cmpv2-operator certservice (the command)', function () {
  this.timeout(60_000);
  let dir: string;
  let tls: TlsMaterial;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'certservice-cli-'));
    tls = await makeTlsMaterial();
    writeFileSync(join(dir, 'server.pem'), tls.server.cert);
    writeFileSync(join(dir, 'server.key'), tls.server.key);
    writeFileSync(join(dir, 'ca.pem'), tls.ca);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start without client authentication, in one line', async () => {
    const cli = startCli(['certservice', '--config', join(dir, 'none.json'), '--tls-cert', join(dir, 'server.pem'), '--tls-key', join(dir, 'server.key')]);
    assert.equal(await cli.exited, 1);
    assert.equal(
      cli.output(),
      'cmpv2-operator: --tls-client-ca is required (clients must present a certificate); --insecure-no-client-auth is for development only\n',
    );
  });

  it('bad config at start: 503 until /reload reads a good file; metrics and probes on --metrics-addr; SIGTERM exits 0', async () => {
    const config = join(dir, 'cmpServers.json');
    writeFileSync(config, '{"cmpv2Servers":');
    const metricsPort = await new Promise<number>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const cli = startCli([
      'certservice',
      '--config',
      config,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--tls-cert',
      join(dir, 'server.pem'),
      '--tls-key',
      join(dir, 'server.key'),
      '--tls-client-ca',
      join(dir, 'ca.pem'),
      '--metrics-addr',
      `127.0.0.1:${metricsPort}`,
      '--log-format',
      'json',
    ]);
    try {
      const url = await until('no URL printed', () => /^(https:\/\/127\.0\.0\.1:\d+)$/m.exec(cli.output())?.[1], cli);
      const get = (path: string) => call(url, path, {}, { ca: tls.ca, ...tls.client });
      const notReady = await get('/ready');
      assert.equal(notReady.status, 503);
      assert.match(String(notReady.body.errorMessage), /the configuration is not JSON/);
      assert.equal((await plainGet(metricsPort, '/ready')).status, 503, 'the kubelet probe sees it too');
      assert.deepEqual(JSON.parse((await plainGet(metricsPort, '/actuator/health')).text), { status: 'UP' });
      writeFileSync(
        config,
        JSON.stringify({ cmpv2Servers: [{ caName: 'RA', url: 'http://127.0.0.1:1/cmp', issuerDN: 'CN=CA', authentication: { iak: 'a', rv: 'b' } }] }),
      );
      assert.equal((await get('/reload')).status, 200);
      assert.equal((await get('/ready')).status, 200);
      assert.equal((await plainGet(metricsPort, '/ready')).status, 200);
      assert.equal((await get('/v1/certificate/Nope')).status, 400, 'no CSR header');
      assert.match((await plainGet(metricsPort, '/metrics')).text, /certservice_requests_total\{ca="\(unknown\)",endpoint="certificate",outcome="bad_csr"\} 1/);
      const lines = cli
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string });
      assert.ok(
        lines.some((l) => l.msg === 'configuration reloaded'),
        cli.output(),
      );
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});
