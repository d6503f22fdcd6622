// `cmpv2-operator enroll` against the scripted CA over HTTP (issue 11 items 5 and 6, issue 10
// findings 4 and 9): an endless `waiting` ends at --total-timeout; an unreadable certificate is
// refused with a rejecting certConf and nothing is written; junk caPubs are skipped and named;
// PBM needs --ref or --sender; --tls-ca/--tls-cert/--tls-key reach a CA that requires mTLS.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { registerEnrollCommand } from '../../src/cli/enroll.js';
import { listenForCmp, type HttpListener } from '../../src/cmp/server/httpListener.js';
import { startDevelopmentCa } from '../../src/cmp/server/index.js';
import { parseCertificateBundle } from '../../src/pki/pem.js';
import { hex, makeKey } from '../cmp/fixtures.js';
import { ScriptedCa } from '../cmp/scriptedCa.js';

async function enroll(args: string[]): Promise<{ stdout: string; stderr: string; error?: Error }> {
  const program = new Command('cmpv2-operator').exitOverride();
  registerEnrollCommand(program);
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  try {
    await program.parseAsync(['enroll', ...args], { from: 'user' });
    return { stdout, stderr };
  } catch (error) {
    return { stdout, stderr, error: error as Error };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

describe('cli enroll (scripted CA over HTTP)', function () {
  this.timeout(30_000);
  const ca = new ScriptedCa();
  const dir = mkdtempSync(path.join(tmpdir(), 'enroll-cli-'));
  const file = (name: string) => path.join(dir, name);
  let listener: HttpListener;
  const key = makeKey('ec');
  writeFileSync(file('new.key'), key.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const base = () => [
    '--server',
    `${listener.origin}/`,
    '--cmd',
    'ir',
    '--newkey',
    file('new.key'),
    '--subject',
    'CN=cli',
    '--secret',
    'pass:scripted-secret',
    '--ref',
    'cli',
  ];

  before(async () => {
    const transport = ca.transport();
    listener = await listenForCmp((request) => transport.send(request), { host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await listener.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    ca.script = {};
    ca.received.length = 0;
  });

  it('an unreadable certificate: a rejecting certConf, nothing written, one line saying why', async () => {
    ca.script = { damageCertificate: true };
    const { error } = await enroll([...base(), '--certout', file('cert.pem'), '--chainout', file('chain.pem'), '--cacertsout', file('ca.pem')]);
    assert.ok(error);
    assert.equal(error.message, 'the issued certificate is not a readable X.509 certificate; refused it with a rejecting certConf');
    for (const name of ['cert.pem', 'chain.pem', 'ca.pem']) assert.equal(existsSync(file(name)), false, `${name} not written`);
    const conf = ca.received.find((m) => m.body.type === 'certConf');
    if (conf?.body.type !== 'certConf') throw new Error('no certConf seen by the CA');
    assert.equal(conf.body.content[0].statusInfo?.status, 'rejection');
  });

  it('an endless waiting answer to pollReq ends at --total-timeout', async () => {
    ca.script = { waitCount: 1, waitForever: true };
    const started = Date.now();
    const { error } = await enroll([...base(), '--total-timeout', '2']);
    assert.ok(error);
    assert.match(error.message, /^the CA did not issue within the total timeout of 2s/);
    assert.ok(Date.now() - started < 10_000, 'ended near the deadline');
    // At least 1 s between polls: at most one request, one immediate poll and two timed polls in 2 s.
    assert.ok(ca.received.length <= 4, `${ca.received.length} messages`);
  });

  it('junk caPubs are skipped and named on stderr, never written as roots', async () => {
    ca.script = { caPubs: [Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x00]), ca.root1, Uint8Array.from([0x30, 0x00])] };
    const { stdout, stderr, error } = await enroll([...base(), '--cacertsout', file('roots.pem')]);
    assert.equal(error, undefined, String(error));
    assert.match(stdout, /trusted roots 1\b/);
    assert.match(stderr, /enroll: caPubs\[0\] is not a readable X\.509 certificate; skipped/);
    assert.match(stderr, /enroll: caPubs\[2\] is not a readable X\.509 certificate; skipped/);
    assert.deepEqual(
      parseCertificateBundle(readFileSync(file('roots.pem'), 'utf8')).certificates.map((c) => hex(c)),
      [hex(ca.root1)],
    );
  });

  it('a password-based MAC needs --ref or --sender; --sender alone goes into header.sender', async () => {
    const noIdentity = base().filter((a, i, all) => a !== '--ref' && all[i - 1] !== '--ref');
    const refused = await enroll(noIdentity);
    assert.match(refused.error?.message ?? '', /--secret \(password-based MAC\) needs an identity: give --ref \(sent as senderKID\) or --sender/);
    const { error } = await enroll([...noIdentity, '--sender', 'CN=ra-cli,O=Example']);
    assert.equal(error, undefined, String(error));
    const request = ca.received[0];
    assert.equal(request.header.senderKID, undefined);
    assert.equal(request.header.sender.type, 4);
  });
});

describe('cli enroll --tls-ca/--tls-cert/--tls-key against the development CA requiring mTLS', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'enroll-tls-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const file = (name: string) => path.join(dir, name);
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('enrols over HTTPS with a client certificate; without one the CA refuses the handshake', async () => {
    for (const who of ['server', 'client']) {
      run(
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        `${who}-ca.key`,
        '-out',
        `${who}-ca.pem`,
        '-days',
        '1',
        '-subj',
        `/CN=${who} CA`,
      );
      run(
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        `${who}.key`,
        '-out',
        `${who}.csr`,
        '-subj',
        `/CN=${who}`,
      );
      writeFileSync(file(`${who}.ext`), who === 'server' ? 'subjectAltName=IP:127.0.0.1\n' : 'extendedKeyUsage=clientAuth\n');
      run(
        'x509',
        '-req',
        '-in',
        `${who}.csr`,
        '-CA',
        `${who}-ca.pem`,
        '-CAkey',
        `${who}-ca.key`,
        '-CAcreateserial',
        '-days',
        '1',
        '-extfile',
        `${who}.ext`,
        '-out',
        `${who}.pem`,
      );
    }
    const ca = await startDevelopmentCa({
      port: 0,
      secret: 'tls-secret',
      tls: { cert: readFileSync(file('server.pem')), key: readFileSync(file('server.key')), clientCa: readFileSync(file('client-ca.pem')) },
    });
    try {
      writeFileSync(file('new.key'), makeKey('ec').privateKey.export({ format: 'pem', type: 'pkcs8' }));
      const args = ['--server', ca.url!, '--cmd', 'ir', '--newkey', file('new.key'), '--subject', 'CN=over-mtls', '--secret', 'pass:tls-secret', '--ref', 'x'];
      const tlsCa = ['--tls-ca', file('server-ca.pem')];
      const ok = await enroll([...args, ...tlsCa, '--tls-cert', file('client.pem'), '--tls-key', file('client.key'), '--certout', file('cert.pem')]);
      assert.equal(ok.error, undefined, String(ok.error));
      assert.match(ok.stdout, /^enrolled "CN=over-mtls"/);
      const refused = await enroll([...args, ...tlsCa]);
      assert.match(refused.error?.message ?? '', /ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED/);
      const untrusted = await enroll([...args, '--tls-cert', file('client.pem'), '--tls-key', file('client.key')]);
      assert.match(untrusted.error?.message ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate/);
    } finally {
      await ca.stop();
    }
  });
});
