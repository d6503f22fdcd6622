// `cmpv2-operator test-ca --allow-ca --max-validity`: the development CA's stated policy from its
// flags, as a user starts it (a child process): a requested validity longer than --max-validity is
// shortened to it, cA=TRUE is issued only with --allow-ca (otherwise badCertTemplate with the
// reason), and bad values are refused in one line.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { decodePKIMessage, encodePKIMessage } from '../../src/cmp/asn1/PKIMessage.js';
import { buildHeader, newNonce, newTransactionID } from '../../src/cmp/header.js';
import { buildCertReqMsg } from '../../src/cmp/messages.js';
import { caBasicConstraintsExtension, certTemplateFromCsr } from '../../src/cmp/csr.js';
import { protectMessage } from '../../src/cmp/protection.js';
import { makeCsr, makeKey } from '../cmp/fixtures.js';

const ENTRY = "import { main } from './src/cli/main.ts'; process.exitCode = await main(process.argv);";
const DAY = 24 * 3600 * 1000;

function startCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ENTRY, 'cmpv2-operator', 'test-ca', ...args], {
    cwd: join(import.meta.dirname ?? '.', '..', '..'),
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = async () => {
    for (let waited = 0; waited < 30_000; waited += 50) {
      if (text.includes('\n')) return text.split('\n')[0];
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`test-ca printed nothing: ${text}`);
  };
  return { child, exited, url, output: () => text };
}

/** An ir for a fresh key asking for `days` of validity, optionally cA=TRUE; returns the answer's body. */
async function ir(url: string, days: number, ca: boolean) {
  const key = makeKey('ec');
  const template = certTemplateFromCsr(makeCsr({ subject: 'CN=policy', key }));
  const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000);
  template.validity = { notBefore, notAfter: new Date(notBefore.getTime() + days * DAY) };
  if (ca) template.extensions = [...(template.extensions ?? []), caBasicConstraintsExtension()];
  const credentials = { type: 'pbm' as const, secret: new TextEncoder().encode('cli-secret'), reference: new TextEncoder().encode('ref') };
  const header = buildHeader({ transactionID: newTransactionID(), senderNonce: newNonce(), implicitConfirm: true });
  const body = { type: 'ir' as const, content: [buildCertReqMsg({ template, popKey: key.privateKey })] };
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/pkixcmp' },
    body: encodePKIMessage(protectMessage({ header, body }, credentials)),
  });
  return decodePKIMessage(new Uint8Array(await response.arrayBuffer())).body;
}

function issued(body: Awaited<ReturnType<typeof ir>>): X509Certificate {
  if (body.type !== 'ip') throw new Error(`expected ip, got ${body.type}`);
  const entry = body.content.response[0];
  const certOrEncCert = entry.certifiedKeyPair?.certOrEncCert;
  if (certOrEncCert?.type !== 'certificate') throw new Error(`no certificate: ${JSON.stringify(entry.status)}`);
  return new X509Certificate(certOrEncCert.certificate);
}

describe('cli test-ca: --allow-ca and --max-validity', function () {
  this.timeout(90_000);

  it('default: 825 days at most, cA=TRUE refused with badCertTemplate and the reason', async () => {
    const cli = startCli(['--port', '0', '--secret', 'pass:cli-secret']);
    try {
      const url = await cli.url();
      const leaf = issued(await ir(url, 1000, false));
      assert.equal(Date.parse(leaf.validTo) - Date.parse(leaf.validFrom), 825 * DAY);
      const refused = await ir(url, 10, true);
      if (refused.type !== 'error') throw new Error(`expected an error message, got ${refused.type}`);
      const status = refused.content.pKIStatusInfo;
      assert.equal(status.status, 'rejection');
      assert.deepEqual(status.failInfo, ['badCertTemplate']);
      assert.match(status.statusString?.join(' ') ?? '', /end-entity certificates only \(cA=TRUE asked; start it with --allow-ca to issue CA certificates\)/);
    } finally {
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0);
    }
  });

  it('--allow-ca --max-validity 30: a CA certificate, 30 days at most', async () => {
    const cli = startCli(['--port', '0', '--secret', 'pass:cli-secret', '--allow-ca', '--max-validity', '30']);
    try {
      const url = await cli.url();
      const leaf = issued(await ir(url, 40, true));
      assert.equal(leaf.ca, true);
      assert.equal(Date.parse(leaf.validTo) - Date.parse(leaf.validFrom), 30 * DAY);
      assert.equal(pkijs.Certificate.fromBER(leaf.raw).extensions?.find((e) => e.extnID === '2.5.29.19')?.critical, true);
    } finally {
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0);
    }
  });

  it('refuses a --max-validity that is not a whole number of days from 1', async () => {
    for (const [value, message] of [
      ['0', /--max-validity must be at least 1/],
      ['two', /--max-validity must be a number/],
    ] as const) {
      const cli = startCli(['--max-validity', value]);
      assert.equal(await cli.exited, 1);
      assert.match(cli.output().trim(), message);
      assert.equal(cli.output().trim().split('\n').length, 1);
    }
  });
});
