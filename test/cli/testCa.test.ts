// `cmpv2-operator test-ca` as a user runs it: a child process that prints its URL, answers CMP
// over HTTP, keeps its CA in --state-dir across restarts, and stops cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCaCertsValue, ID_IT_CA_CERTS } from '../../src/cmp/asn1/InfoTypeAndValue.js';
import { decodePKIMessage, encodePKIMessage } from '../../src/cmp/asn1/PKIMessage.js';
import { buildHeader, newNonce, newTransactionID } from '../../src/cmp/header.js';
import { genmCaCertsBody, p10crBody } from '../../src/cmp/messages.js';
import { makeCsr, makeKey } from '../cmp/fixtures.js';
import { protectMessage, verifyProtection } from '../../src/cmp/protection.js';

const ENTRY = "import { main } from './src/cli/main.ts'; process.exitCode = await main(process.argv);";

interface Cli {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

function startCli(args: string[]): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ENTRY, 'cmpv2-operator', ...args], {
    cwd: join(import.meta.dirname ?? '.', '..', '..'),
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function firstLine(cli: Cli): Promise<string> {
  for (let waited = 0; waited < 30_000; waited += 50) {
    const line = cli.output().split('\n')[0];
    if (cli.output().includes('\n')) return line;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`test-ca printed nothing: ${cli.output()}`);
}

async function caCerts(url: string, secret: string): Promise<Uint8Array[]> {
  const credentials = { type: 'pbm' as const, secret: new TextEncoder().encode(secret) };
  const header = buildHeader({ transactionID: newTransactionID(), senderNonce: newNonce() });
  const request = encodePKIMessage(protectMessage({ header, body: genmCaCertsBody() }, credentials));
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/pkixcmp' }, body: request });
  assert.equal(response.status, 200);
  const message = decodePKIMessage(new Uint8Array(await response.arrayBuffer()));
  verifyProtection(message, { secret: credentials.secret });
  assert.equal(message.body.type, 'genp');
  if (message.body.type !== 'genp') return [];
  return decodeCaCertsValue(message.body.content.find((i) => i.infoType === ID_IT_CA_CERTS)?.infoValue as Uint8Array);
}

describe('cli test-ca', function () {
  this.timeout(90_000);
  let dir: string;
  const running: Cli[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'test-ca-cli-'));
  });
  after(async () => {
    for (const cli of running) if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('prints its URL, serves CMP, keeps its CA in --state-dir across a restart, stops on SIGTERM', async () => {
    const args = ['test-ca', '--port', '0', '--secret', 'pass:cli-secret', '--roots', '3', '--state-dir', join(dir, 'state')];
    const first = startCli(args);
    running.push(first);
    const url = await firstLine(first);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/cmp$/);
    const certificates = await caCerts(url, 'cli-secret');
    assert.equal(certificates.length, 4, 'intermediate and three roots');
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.match(first.output(), /stopped on SIGTERM/);

    const second = startCli(args);
    running.push(second);
    const url2 = await firstLine(second);
    assert.deepEqual(await caCerts(`${url2.replace(/\/\.well-known\/cmp$/, '')}/.well-known/cmp/p/RA`, 'cli-secret'), certificates);
    const rootOnDisk = await readFile(join(dir, 'state', 'root-1.cert.pem'), 'utf8');
    assert.match(rootOnDisk, /^-----BEGIN CERTIFICATE-----/);
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0);
  });

  it('--no-capubs: a cp carries no caPubs (as OpenSSL and RFC 9483 servers answer)', async () => {
    const cli = startCli(['test-ca', '--port', '0', '--secret', 'pass:cli-secret', '--no-capubs']);
    running.push(cli);
    const url = await firstLine(cli);
    const credentials = { type: 'pbm' as const, secret: new TextEncoder().encode('cli-secret'), reference: new TextEncoder().encode('ref') };
    const header = buildHeader({ transactionID: newTransactionID(), senderNonce: newNonce(), implicitConfirm: true });
    const csr = makeCsr({ subject: 'CN=no-capubs', key: makeKey('ec') });
    const request = encodePKIMessage(protectMessage({ header, body: p10crBody(csr) }, credentials));
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/pkixcmp' }, body: request });
    const message = decodePKIMessage(new Uint8Array(await response.arrayBuffer()));
    if (message.body.type !== 'cp') throw new Error(`expected cp, got ${message.body.type}`);
    assert.equal(message.body.content.response[0].status.status, 'accepted');
    assert.equal(message.body.content.caPubs, undefined);
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0);
  });

  it('refuses bad flags with exit code 1 and one line', async () => {
    const cases = [
      [['--tls-cert', '/nonexistent.pem'], /--tls-cert and --tls-key go together/],
      [['--poll', '-1'], /--poll must be at least 0/],
      [['--check-after', '-5'], /--check-after must be at least 0/],
      [['--port', 'eighty'], /--port must be a number/],
      [['--tls-client-ca', '/nonexistent.pem'], /--tls-client-ca needs HTTPS: give --tls-cert and --tls-key too/],
    ] as const;
    await Promise.all(
      cases.map(async ([args, message]) => {
        const cli = startCli(['test-ca', ...args]);
        running.push(cli);
        assert.equal(await cli.exited, 1);
        const lines = cli.output().trim().split('\n');
        assert.equal(lines.length, 1, cli.output());
        assert.match(lines[0], message);
      }),
    );
  });
});
