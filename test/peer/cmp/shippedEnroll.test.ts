// The shipped CLI (`node bin/cmpv2-operator.js enroll`, the dist/bundle/ esbuild bundle) as a child
// process against OpenSSL's mock CMP server; the files it writes are read back with `openssl x509`
// and checked with `openssl verify`, so the bundle's pkijs/asn1js/zod paths are exercised end to end.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { makeCertificate, makeKey } from '../../cmp/fixtures.js';
import { runShippedBin } from '../../support/shippedBin.js';
import { type OpenSslServer, startOpenSslServer, TempFiles } from './opensslServerHelpers.js';

const openssl = (args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8' });

describe('peer: shipped bin/cmpv2-operator.js enroll against openssl cmp mock server', function () {
  this.timeout(60_000);
  const files = new TempFiles();
  const servers: OpenSslServer[] = [];
  const rootKey = makeKey('ec');
  const root = makeCertificate({ subject: 'CN=Shipped Root', key: rootKey, ca: true });
  const key = makeKey('ec');
  const keyFile = files.key('new.key', key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  const leaf = makeCertificate({ subject: 'CN=shipped-cli', key, issuer: { certificate: root, key: rootKey } });
  const leafFile = files.certs('rsp.pem', [leaf]);
  const rootFile = files.certs('capubs.pem', [root]);
  const out = (name: string) => path.join(files.dir, name);

  async function server(): Promise<string> {
    const s = await startOpenSslServer(['-srv_ref', 'bin-ref', '-srv_secret', 'pass:bin-secret', '-rsp_cert', leafFile, '-rsp_capubs', rootFile]);
    servers.push(s);
    return s.url;
  }

  const enrollArgs = (url: string, secret: string, certout: string): string[] => [
    'enroll',
    '--server',
    url,
    '--cmd',
    'ir',
    '--newkey',
    keyFile,
    '--subject',
    'CN=shipped-cli',
    '--san',
    'shipped.example',
    '--secret',
    secret,
    '--ref',
    'bin-ref',
    '--certout',
    certout,
    '--cacertsout',
    out('ca.pem'),
  ];

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    files.remove();
  });

  it('ir writes the certificate the server issued (openssl x509 reads it, openssl verify chains it to the CA sent)', async () => {
    const url = await server();
    const result = await runShippedBin(enrollArgs(url, 'pass:bin-secret', out('cert.pem')));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^enrolled "CN=shipped-cli"/);
    const fingerprint = (file: string) => openssl(['x509', '-in', file, '-noout', '-fingerprint', '-sha256']);
    assert.equal(fingerprint(out('cert.pem')), fingerprint(leafFile));
    assert.equal(openssl(['x509', '-in', out('cert.pem'), '-noout', '-subject']), 'subject=CN = shipped-cli\n');
    assert.equal(openssl(['x509', '-in', out('ca.pem'), '-noout', '-subject']), 'subject=CN = Shipped Root\n');
    assert.equal(openssl(['verify', '-CAfile', out('ca.pem'), out('cert.pem')]), `${out('cert.pem')}: OK\n`);
  });

  it('a wrong secret exits 1 with one line carrying the CA rejection text, and writes no certificate', async () => {
    const url = await server();
    const result = await runShippedBin(enrollArgs(url, 'pass:not-the-secret', out('wrong.pem')));
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.split('\n').length, 2, result.stderr);
    // OpenSSL's mock server answers a failed MAC with an error message it protects with its own secret.
    assert.match(result.stderr, /^cmpv2-operator: the CA rejected the request: rejection \(badRequest\): "wrong pbm value"/);
    assert.match(result.stderr, /password-based MAC does not verify/);
    assert.equal(existsSync(out('wrong.pem')), false);
  });
});
