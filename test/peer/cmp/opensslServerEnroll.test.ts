// `cmpv2-operator enroll` against OpenSSL's mock CMP server: files written on success, one-line
// errors that carry the CA's rejection text, flag validation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { registerEnrollCommand } from '../../../src/cli/enroll.js';
import { parseCertificateBundle, toPem } from '../../../src/pki/pem.js';
import { hex, makeCertificate, makeCsr, makeKey } from '../../cmp/fixtures.js';
import { type OpenSslServer, startOpenSslServer, TempFiles } from './opensslServerHelpers.js';

async function enroll(args: string[]): Promise<{ stdout: string; error?: Error }> {
  const program = new Command('cmpv2-operator').exitOverride();
  registerEnrollCommand(program);
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['enroll', ...args], { from: 'user' });
    return { stdout };
  } catch (err) {
    return { stdout, error: err as Error };
  } finally {
    process.stdout.write = write;
  }
}

describe('peer: cmpv2-operator enroll against openssl cmp mock server', function () {
  this.timeout(60_000);
  const files = new TempFiles();
  const servers: OpenSslServer[] = [];
  const rootKey = makeKey('ec');
  const root = makeCertificate({ subject: 'CN=Enroll Root', key: rootKey, ca: true });
  const root2 = makeCertificate({ subject: 'CN=Enroll Root 2', key: makeKey('ec'), ca: true });
  const key = makeKey('ec');
  const keyFile = files.key('new.key', key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  const leaf = makeCertificate({ subject: 'CN=enroll-cli', key, issuer: { certificate: root, key: rootKey } });
  const out = (name: string) => path.join(files.dir, name);

  async function server(extra: string[] = []): Promise<string> {
    const s = await startOpenSslServer([
      '-srv_ref',
      'cli-ref',
      '-srv_secret',
      'pass:cli-secret',
      '-rsp_cert',
      files.certs('rsp.pem', [leaf]),
      '-rsp_capubs',
      files.certs('capubs.pem', [root]),
      '-rsp_extracerts',
      files.certs('extra.pem', [root2]),
      ...extra,
    ]);
    servers.push(s);
    return s.url;
  }

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    files.remove();
  });

  it('ir with --newkey/--subject/--san writes --certout, --chainout and --cacertsout', async () => {
    const url = await server();
    process.env.CMP_ENROLL_TEST_SECRET = 'cli-secret';
    const { stdout, error } = await enroll([
      '--server',
      url,
      '--cmd',
      'ir',
      '--newkey',
      keyFile,
      '--subject',
      'CN=enroll-cli',
      '--san',
      'enroll.example',
      '--san',
      '192.0.2.1',
      '--secret',
      'env:CMP_ENROLL_TEST_SECRET',
      '--ref',
      'cli-ref',
      '--certout',
      out('cert.pem'),
      '--chainout',
      out('chain.pem'),
      '--cacertsout',
      out('ca.pem'),
    ]);
    assert.equal(error, undefined, String(error));
    assert.match(stdout, /^enrolled "CN=enroll-cli"/);
    const read = (name: string) => parseCertificateBundle(readFileSync(out(name), 'utf8')).certificates.map((c) => hex(c));
    assert.deepEqual(read('cert.pem'), [hex(leaf)]);
    assert.deepEqual(read('chain.pem'), [hex(leaf)]);
    // SPEC §3 (issue 10): root2 only travels in extraCerts (-rsp_extracerts), outside the protection: not trusted.
    assert.deepEqual(read('ca.pem'), [hex(root)]);
  });

  it('p10cr with --csr and --secret file:', async () => {
    const url = await server();
    const csrFile = path.join(files.dir, 'req.csr');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(csrFile, toPem('CERTIFICATE REQUEST', makeCsr({ subject: 'CN=enroll-cli', key })));
    writeFileSync(path.join(files.dir, 'secret.txt'), 'cli-secret\n');
    const { error } = await enroll([
      '--server',
      url,
      '--cmd',
      'p10cr',
      '--csr',
      csrFile,
      '--secret',
      `file:${path.join(files.dir, 'secret.txt')}`,
      '--ref',
      'cli-ref',
      '--certout',
      out('p10.pem'),
    ]);
    assert.equal(error, undefined, String(error));
    assert.equal(hex(parseCertificateBundle(readFileSync(out('p10.pem'), 'utf8')).certificates[0]), hex(leaf));
  });

  it("a CA rejection fails with one line carrying the CA's text", async () => {
    const url = await server(['-pkistatus', '2', '-failure', '23', '-statusstring', 'not on the list']);
    const { error } = await enroll([
      '--server',
      url,
      '--cmd',
      'cr',
      '--newkey',
      keyFile,
      '--subject',
      'CN=enroll-cli',
      '--secret',
      'pass:cli-secret',
      '--ref',
      'cli-ref',
    ]);
    assert.ok(error);
    assert.equal(error.message.split('\n').length, 1);
    assert.match(error.message, /rejection \(notAuthorized\): "not on the list"/);
  });

  it("a wrong secret fails with the CA's unverified answer and never echoes the secret", async () => {
    const url = await server();
    const { error } = await enroll([
      '--server',
      url,
      '--cmd',
      'ir',
      '--newkey',
      keyFile,
      '--subject',
      'CN=enroll-cli',
      '--secret',
      'pass:S3cr3t-W0rd',
      '--ref',
      'cli-ref',
    ]);
    assert.ok(error);
    assert.match(error.message, /unverified answer/);
    assert.doesNotMatch(error.message, /S3cr3t-W0rd/);
  });

  it('refuses incomplete flags with a one-line reason', async () => {
    const cases: [string[], RegExp][] = [
      [['--server', 'http://127.0.0.1:1/', '--cmd', 'ir', '--newkey', keyFile, '--subject', 'CN=x'], /--secret.*or --cert\/--key/],
      [['--server', 'http://127.0.0.1:1/', '--cmd', 'kur', '--newkey', keyFile, '--secret', 'pass:x'], /kur needs --cert/],
      [['--server', 'http://127.0.0.1:1/', '--cmd', 'xx', '--secret', 'pass:x'], /--cmd must be/],
      [
        ['--server', 'http://127.0.0.1:1/', '--cmd', 'ir', '--newkey', keyFile, '--subject', 'CN=x', '--secret', 'pass:x'],
        /--secret \(password-based MAC\) needs an identity: give --ref \(sent as senderKID\) or --sender/,
      ],
      [
        ['--server', 'http://127.0.0.1:1/', '--cmd', 'ir', '--newkey', keyFile, '--subject', 'CN=x', '--secret', 'plain', '--ref', 'r'],
        /pass:TEXT, env:VARIABLE or file:PATH/,
      ],
    ];
    for (const [args, pattern] of cases) {
      const { error } = await enroll(args);
      assert.ok(error, args.join(' '));
      assert.match(error.message, pattern);
    }
  });

  it('an unreachable server fails with a transport reason', async () => {
    const { error } = await enroll([
      '--server',
      'http://127.0.0.1:1/',
      '--cmd',
      'ir',
      '--newkey',
      keyFile,
      '--subject',
      'CN=x',
      '--secret',
      'pass:x',
      '--ref',
      'x',
      '--timeout',
      '5',
    ]);
    assert.ok(error);
    assert.match(error.message, /cannot reach http:\/\/127\.0\.0\.1:1\/: ECONNREFUSED/);
  });
});
