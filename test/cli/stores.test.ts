import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { main } from '../../src/cli/main.js';
import { readJks, readPkcs12 } from '../../src/keystore/index.js';
import { messyBundle, Pki } from '../keystore/fixtures.js';
import { damageBasicConstraints, damageSignature } from '../pki/damage.js';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const originalOut = process.stdout.write.bind(process.stdout);
  const originalErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'cmpv2-operator', 'stores', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
  }
}

function secretYaml(data: Record<string, string>): string {
  const lines = Object.entries(data).map(([k, v]) => `  ${k}: ${Buffer.from(v).toString('base64')}`);
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: demo-tls\n  namespace: default\ntype: kubernetes.io/tls\ndata:\n${lines.join('\n')}\n`;
}

describe('cli/stores', function () {
  this.timeout(60_000);
  const pki = new Pki();
  const { root, intermediate, leaf, tlsCrt } = pki.chain('cli', 'ec-p256');
  const extra = pki.roots('cli extra', 2);
  const stranger = pki.issue('cli stranger');
  const file = (name: string, content: string): string => {
    const path = pki.path(name);
    writeFileSync(path, content);
    return path;
  };
  const cert = file('tls.crt', tlsCrt);
  const key = file('tls.key', leaf.keyPem);
  const ca = file('ca.crt', messyBundle([root, extra[0]], 1));
  const ca2 = file('extra.pem', extra[1].certPem + root.certPem);
  const passwordFile = file('password', 'from-file-pw\n');
  let outputs = 0;
  const outDir = (): string => pki.path(`out-${++outputs}`);
  after(() => pki.dispose());

  it('writes all SPEC §4 files with a generated password, the stores reading back', async () => {
    const out = outDir();
    const run = await cli('--cert', cert, '--key', key, '--ca', ca, '--ca', ca2, '--alias', 'Web', '--out', out);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(out).sort(), [
      'key.pem',
      'keystore.jks',
      'keystore.p12',
      'keystore.pass',
      'keystore.pem',
      'truststore.jks',
      'truststore.p12',
      'truststore.pass',
      'truststore.pem',
    ]);
    assert.match(run.stdout, /^wrote 9 files to .*: key entry 'Web' with a chain of 2, 3 trusted CAs \(generated password in keystore\.pass\)\n$/);
    assert.match(run.stderr, /^warning: .*ca\.crt: skipped unreadable block 2 \(CERTIFICATE\)/);
    const password = readFileSync(join(out, 'keystore.pass'), 'utf8');
    assert.match(password, /^[A-Za-z0-9_$#]{24}$/);
    assert.equal(readFileSync(join(out, 'truststore.pass'), 'utf8'), password);
    assert.equal(statSync(join(out, 'keystore.p12')).mode & 0o777, 0o600);
    assert.equal(readPkcs12(readFileSync(join(out, 'keystore.p12')), password).entries[0].alias, 'Web');
    assert.equal(readJks(readFileSync(join(out, 'truststore.jks')), password).length, 3);
    assert.doesNotMatch(run.stdout + run.stderr, new RegExp(password.replace(/[$]/g, '\\$')));
  });

  it('takes passwords from files and flags, formats and profile', async () => {
    const out = outDir();
    const trustFile = file('trust-password', 'trust-pw\r\n');
    const run = await cli(
      '--cert',
      cert,
      '--key',
      key,
      '--ca',
      ca,
      '--formats',
      'pkcs12',
      '--password-file',
      passwordFile,
      '--truststore-password-file',
      trustFile,
      '--pkcs12-profile',
      'LegacyDES',
      '--out',
      out,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(out).sort(), ['keystore.p12', 'keystore.pass', 'truststore.p12', 'truststore.pass']);
    assert.equal(readFileSync(join(out, 'keystore.pass'), 'utf8'), 'from-file-pw');
    const trust = readPkcs12(readFileSync(join(out, 'truststore.p12')), 'trust-pw');
    assert.equal(trust.protection.macHash, 'sha1');
    assert.equal(trust.entries.length, 2);
    const pemOnly = outDir();
    assert.equal((await cli('--cert', cert, '--key', key, '--ca', ca, '--formats', 'pem', '--password', 'x', '--out', pemOnly)).code, 0);
    assert.deepEqual(readdirSync(pemOnly).sort(), ['key.pem', 'keystore.pem', 'truststore.pem']);
  });

  it('reads --from-secret (kubectl get -o yaml), with --ca adding bundles after ca.crt', async () => {
    const secret = file('secret.yaml', secretYaml({ 'ca.crt': root.certPem, 'tls.crt': tlsCrt, 'tls.key': leaf.keyPem }));
    const out = outDir();
    const run = await cli('--from-secret', secret, '--ca', ca2, '--password', 'pw', '--out', out);
    assert.equal(run.code, 0, run.stderr);
    const trusted = readJks(readFileSync(join(out, 'truststore.jks')), 'pw');
    assert.equal(trusted.length, 2);
    const keystore = readJks(readFileSync(join(out, 'keystore.jks')), 'pw');
    assert.ok(keystore[0].kind === 'privateKey');
    assert.equal(keystore[0].alias, 'certificate');
    assert.deepEqual(keystore[0].chain[1], new X509Certificate(intermediate.certPem).raw);
  });

  describe('bad input: exit 1, one clear line, nothing written', () => {
    const badCases: [string, () => string[], RegExp][] = [
      [
        'key does not match the certificate',
        () => ['--cert', cert, '--key', file('stranger.key', stranger.keyPem), '--ca', ca],
        /does not match the certificate in tls\.crt/,
      ],
      ['no CA at all for a truststore', () => ['--cert', cert, '--key', key], /no CA certificate for the truststore/],
      ['only junk in the CA bundle', () => ['--cert', cert, '--key', key, '--ca', file('junk.pem', 'nothing here\n')], /no CA certificate for the truststore/],
      [
        'unreadable password file',
        () => ['--cert', cert, '--key', key, '--ca', ca, '--password-file', pki.path('no-such-file')],
        /cannot read the password file .*no-such-file: ENOENT/,
      ],
      [
        'unreadable truststore password file',
        () => ['--cert', cert, '--key', key, '--ca', ca, '--truststore-password-file', pki.dir],
        /cannot read the password file .*: EISDIR/,
      ],
      [
        'empty password file',
        () => ['--cert', cert, '--key', key, '--ca', ca, '--password-file', file('empty', '\n')],
        /the keystore password must not be empty/,
      ],
      ['unknown format', () => ['--cert', cert, '--key', key, '--ca', ca, '--formats', 'jks,p7b'], /unknown format 'p7b'; use jks, pkcs12 or pem/],
      [
        'unknown profile',
        () => ['--cert', cert, '--key', key, '--ca', ca, '--pkcs12-profile', 'modern'],
        /unknown PKCS#12 profile 'modern'; use Modern2023, LegacyDES, LegacyRC2/,
      ],
      [
        'unreadable certificate file',
        () => ['--cert', pki.path('missing.crt'), '--key', key, '--ca', ca],
        /cannot read the certificate file .*missing\.crt: ENOENT/,
      ],
      ['not a key', () => ['--cert', cert, '--key', cert, '--ca', ca], /no private key found/],
      [
        'both --password and --password-file',
        () => ['--cert', cert, '--key', key, '--ca', ca, '--password', 'a', '--password-file', passwordFile],
        /either --password or --password-file/,
      ],
      ['--from-secret with --cert', () => ['--from-secret', ca, '--cert', cert], /either --from-secret or --cert/],
      ['neither input', () => ['--ca', ca], /give --cert and --key/],
      ['a Secret without tls.key', () => ['--from-secret', file('nokey.yaml', secretYaml({ 'tls.crt': tlsCrt }))], /the Secret has no data\.tls\.key/],
      ['a file that is not a Secret', () => ['--from-secret', file('cm.yaml', 'kind: ConfigMap\ndata: {}\n')], /not a Secret/],
      ['broken YAML', () => ['--from-secret', file('broken.yaml', 'kind: Secret\ndata: [\n')], /not valid YAML/],
    ];
    for (const [title, args, message] of badCases) {
      it(title, async () => {
        const out = outDir();
        const run = await cli(...args(), '--out', out);
        assert.equal(run.code, 1);
        assert.equal(run.stdout, '');
        const lines = run.stderr
          .trim()
          .split('\n')
          .filter((l) => !l.startsWith('warning: '));
        assert.equal(lines.length, 1, run.stderr);
        assert.match(lines[0], /^cmpv2-operator: /);
        assert.match(lines[0], message);
        assert.equal(existsSync(out), false, 'the output directory was created');
      });
    }

    it('leaves an existing directory untouched', async () => {
      const out = outDir();
      mkdirSync(out);
      writeFileSync(join(out, 'keystore.jks'), 'old store');
      const run = await cli('--cert', cert, '--key', file('stranger2.key', stranger.keyPem), '--ca', ca, '--out', out);
      assert.equal(run.code, 1);
      assert.deepEqual(readdirSync(out), ['keystore.jks']);
      assert.equal(readFileSync(join(out, 'keystore.jks'), 'utf8'), 'old store');
    });
  });

  describe('issue 11: hostile and mistaken input', () => {
    const runBad = async (args: string[], message: RegExp, out = outDir()): Promise<void> => {
      const run = await cli(...args, '--out', out);
      assert.equal(run.code, 1, run.stderr);
      const lines = run.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('warning: '));
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0], message);
      assert.equal(existsSync(out), false, 'the output directory was created');
    };
    const binary = (name: string, bytes: Buffer): string => {
      const path = pki.path(name);
      writeFileSync(path, bytes);
      return path;
    };
    const encryptedEcKey = (): string => {
      const path = pki.path('encrypted-ec.key');
      execFileSync('openssl', ['ec', '-in', leaf.keyPath, '-aes256', '-passout', 'pass:secret', '-out', path], { stdio: 'ignore' });
      return path;
    };
    const cases: [string, () => string[], RegExp][] = [
      [
        'a password file that is not UTF-8 (\\xff\\xfe)',
        () => ['--cert', cert, '--key', key, '--ca', ca, '--password-file', binary('utf16.pass', Buffer.from([0xff, 0xfe, 0x70, 0x00]))],
        /the password file .*utf16\.pass is not valid UTF-8 text; save it as UTF-8/,
      ],
      [
        'a password file with a second trailing newline',
        () => ['--cert', cert, '--key', key, '--ca', ca, '--password-file', file('two-newlines.pass', 'pw-with-two\n\n')],
        /the keystore password contains a control character \(tab, newline, NUL…\) or a byte-order mark; remove it \(a password file may end with one newline only\)/,
      ],
      [
        'a password with a tab',
        () => ['--cert', cert, '--key', key, '--ca', ca, '--truststore-password', 'a\tb'],
        /the truststore password contains a control character/,
      ],
      [
        'a password file with a BOM',
        () => ['--cert', cert, '--key', key, '--ca', ca, '--password-file', file('bom.pass', '\ufeffpw\n')],
        /the keystore password contains a control character .* or a byte-order mark/,
      ],
      [
        'a non-ASCII password with pkcs12',
        () => ['--cert', cert, '--key', key, '--ca', ca, '--password', 'pässwort', '--formats', 'pkcs12'],
        /the keystore password has a non-ASCII character, which Java cannot use for a PKCS#12 store; use printable ASCII only, or leave pkcs12 out of the formats/,
      ],
      [
        '--from-secret with a file that is no object at all',
        () => ['--from-secret', file('plain.txt', 'just some text\n')],
        /the file is not a Secret: expected a YAML or JSON object with kind: Secret/,
      ],
      [
        '--from-secret whose tls.crt is a number',
        () => ['--from-secret', file('number.yaml', 'kind: Secret\ndata:\n  tls.crt: 12345\n  tls.key: YQ==\n')],
        /data\.tls\.crt must be a base64 string \(found a number\); put the base64 text of the PEM there/,
      ],
      [
        'a DER certificate',
        () => ['--cert', binary('tls.der', Buffer.from(new X509Certificate(leaf.certPem).raw)), '--key', key, '--ca', ca],
        /tls\.crt is binary DER, not PEM; convert it with `openssl x509 -inform der -in FILE -out FILE\.pem`/,
      ],
      [
        'a tls.crt whose only block is damaged: the block and its reason',
        () => ['--cert', file('damaged.crt', '-----BEGIN CERTIFICATE-----\nnot*base64\n-----END CERTIFICATE-----\n'), '--key', key, '--ca', ca],
        /tls\.crt holds no readable certificate: block 1 \(CERTIFICATE\): the base64 body is damaged; give the certificate chain as PEM, leaf first/,
      ],
      ['an encrypted (Proc-Type) EC key', () => ['--cert', cert, '--key', encryptedEcKey(), '--ca', ca], /the private key is encrypted; give it unencrypted/],
    ];
    for (const [title, args, message] of cases) it(title, async () => runBad(args(), message));

    it('a non-ASCII password for JKS only is written (Java reads JKS passwords as UTF-16)', async () => {
      const out = outDir();
      const run = await cli('--cert', cert, '--key', key, '--ca', ca, '--password', 'pässwort', '--formats', 'jks', '--out', out);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(readJks(readFileSync(join(out, 'keystore.jks')), 'pässwort').length, 1);
    });

    it('exactly one trailing newline (LF or CRLF) is dropped from a password file', async () => {
      for (const ending of ['\n', '\r\n']) {
        const out = outDir();
        const run = await cli(
          '--cert',
          cert,
          '--key',
          key,
          '--ca',
          ca,
          '--password-file',
          file('one-newline.pass', `one-pw${ending}`),
          '--formats',
          'pkcs12',
          '--out',
          out,
        );
        assert.equal(run.code, 0, run.stderr);
        assert.equal(readFileSync(join(out, 'keystore.pass'), 'utf8'), 'one-pw');
      }
    });

    it('--out naming an existing file: one line saying it is not a directory', async () => {
      const target = file('a-file', 'x');
      const run = await cli('--cert', cert, '--key', key, '--ca', ca2, '--out', target);
      assert.equal(run.code, 1);
      assert.equal(run.stderr, `cmpv2-operator: ${target} exists and is not a directory; give --out a directory (it is created if missing)\n`);
    });

    it('damaged CAs among good ones: exit 0, the good ones in every store, a warning naming each damaged block', async () => {
      const out = outDir();
      const bundle = file(
        'damaged-among-good.pem',
        root.certPem + damageSignature(extra[0].certPem) + extra[1].certPem + damageBasicConstraints(intermediate.certPem),
      );
      const run = await cli('--cert', cert, '--key', key, '--ca', bundle, '--password', 'pw', '--out', out);
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stderr,
        /^warning: .*damaged-among-good\.pem: skipped unreadable block 2 \(CERTIFICATE\): not a readable X\.509 certificate \(it is self-signed but its signature does not verify \(the certificate is damaged\)\); block 4 \(CERTIFICATE\): not a readable X\.509 certificate \(basicConstraints is malformed\)\n$/,
      );
      const good = [root, extra[1]].map((c) => Buffer.from(new X509Certificate(c.certPem).raw));
      const jks = readJks(readFileSync(join(out, 'truststore.jks')), 'pw');
      assert.deepEqual(
        jks.map((e) => (e.kind === 'trustedCertificate' ? e.certificate : undefined)),
        good,
      );
      const p12 = readPkcs12(readFileSync(join(out, 'truststore.p12')), 'pw').entries;
      assert.deepEqual(
        p12.map((e) => (e.kind === 'trustedCertificate' ? e.certificate : undefined)),
        good,
      );
      // OpenSSL reads every certificate of truststore.pem.
      const listed = execFileSync('openssl', ['storeutl', '-noout', '-certs', join(out, 'truststore.pem')], { encoding: 'utf8' });
      assert.match(listed, /^Total found: 2$/m);
    });

    it('a failing rename (truststore.pem is a directory): the old set stays, no temporary file', async () => {
      const out = outDir();
      assert.equal((await cli('--cert', cert, '--key', key, '--ca', ca, '--password', 'old', '--out', out)).code, 0);
      rmSync(join(out, 'truststore.pem'));
      mkdirSync(join(out, 'truststore.pem'));
      const before = readdirSync(out)
        .sort()
        .map((n) => [n, statSync(join(out, n)).isDirectory() ? '<dir>' : readFileSync(join(out, n)).toString('hex')]);
      const run = await cli('--cert', cert, '--key', key, '--ca', ca, '--password', 'new', '--out', out);
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        /truststore\.pem is a directory or special file where the store file truststore\.pem belongs; remove or rename it \(nothing was written\)\n$/,
      );
      const after = readdirSync(out)
        .sort()
        .map((n) => [n, statSync(join(out, n)).isDirectory() ? '<dir>' : readFileSync(join(out, n)).toString('hex')]);
      assert.deepEqual(after, before);
    });
  });
});
