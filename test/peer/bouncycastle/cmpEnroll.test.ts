// BouncyCastle (bcpkix, what ONAP CertService is built on) as a second, independent CMP client:
// CmpEnroll.java enrolls against our development CA with ir + PBM, then certConf (or implicitConfirm).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repository = join(here, '..', '..', '..');
const lib = join(here, '.build', 'lib');
const classes = join(here, '.build', 'classes');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], timeout = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout, encoding: 'utf8', cwd: repository }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr: stderr || (error && typeof error.code !== 'number' ? String(error.message) : '') });
    });
  });
}

const pemBlocks = (text: string) => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
const fingerprint = (certificate: string | Uint8Array) => new X509Certificate(certificate).fingerprint256;

const SECRET = 'onap-iak-secret';
const REFERENCE = 'onap-rv';

describe('BouncyCastle CMP client (ONAP CertService style) against the development CA', function () {
  this.timeout(240_000);
  let ca: DevelopmentCa;
  let dir: string;

  before(async function () {
    this.timeout(660_000); // a first fetch from Maven Central may take minutes
    // The jars come from Maven Central (.ci/run fetches them first; this is a no-op then).
    const fetched = await run('bash', [join(repository, 'scripts', 'fetch-bouncycastle.sh')], 600_000);
    assert.equal(fetched.code, 0, `BouncyCastle jars unavailable: ${fetched.stderr}${fetched.stdout}`);
    const jars = (await readdir(lib)).filter((name) => name.endsWith('.jar'));
    assert.ok(
      ['bcprov', 'bcpkix', 'bcutil'].every((name) => jars.some((jar) => jar.startsWith(name))),
      `jars: ${jars.join(', ')}`,
    );
    const compiled = await run('javac', ['-Xlint:all', '-Werror', '-cp', join(lib, '*'), '-d', classes, join(here, 'CmpEnroll.java')]);
    assert.equal(compiled.code, 0, `javac failed: ${compiled.stderr}`);
    dir = await mkdtemp(join(tmpdir(), 'bc-cmp-'));
    ca = await startDevelopmentCa({ port: 0, secret: SECRET, reference: REFERENCE });
    await writeFile(join(dir, 'roots.pem'), ca.rootsPem);
    await writeFile(join(dir, 'intermediate.pem'), ca.intermediatePem);
  });

  after(async () => {
    await ca?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function enroll(out: string, extra: string[] = [], secret = SECRET): Promise<Run> {
    const url = (ca.url as string).replace(/\/\.well-known\/cmp$/, '/.well-known/cmp/p/RA');
    return run('java', [
      '-cp',
      `${join(lib, '*')}:${classes}`,
      'CmpEnroll',
      '--url',
      url,
      '--ref',
      REFERENCE,
      '--secret',
      secret,
      '--subject',
      'CN=onap-component,OU=ONAP,O=Linux-Foundation',
      '--dns',
      'component.onap.example',
      '--recipient',
      'CN=ManagementCA',
      '--out',
      join(dir, out),
      ...extra,
    ]);
  }

  it('ir + PBM, then certConf: the certificate verifies against the roots and carries the SAN', async () => {
    const confirmsBefore = ca.stats.requests.get('certConf') ?? 0;
    const result = await enroll('confirmed');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^enrolled .*CN=onap-component.* \(confirmed\)$/m);
    // BouncyCastle's defaults (as CertService uses them) come back: SHA-1 OWF, HMAC-SHA1, 1000 iterations.
    assert.match(result.stdout, /^response PBM owf 1\.3\.14\.3\.2\.26 mac 1\.3\.6\.1\.5\.5\.8\.1\.2 iterations 1000$/m);
    assert.equal(ca.stats.requests.get('certConf'), confirmsBefore + 1);
    const certPath = join(dir, 'confirmed', 'cert.pem');
    const verify = await run('openssl', ['verify', '-CAfile', join(dir, 'roots.pem'), '-untrusted', join(dir, 'intermediate.pem'), certPath]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    const cert = new X509Certificate(await readFile(certPath));
    assert.equal(cert.subjectAltName, 'DNS:component.onap.example');
    // BouncyCastle encodes the DN in the order written (CN first); the CA copies it as asked.
    assert.equal(cert.subject, 'CN=onap-component\nOU=ONAP\nO=Linux-Foundation');
    const caPubs = pemBlocks(await readFile(join(dir, 'confirmed', 'capubs.pem'), 'utf8'));
    assert.deepEqual(caPubs.map(fingerprint).sort(), ca.roots.map(fingerprint).sort());
    const extra = pemBlocks(await readFile(join(dir, 'confirmed', 'extracerts.pem'), 'utf8'));
    assert.deepEqual(extra.map(fingerprint), [fingerprint(ca.intermediate)]);
  });

  it('ir + PBM with implicitConfirm (as CertService sends it): granted, no certConf', async () => {
    const confirmsBefore = ca.stats.requests.get('certConf') ?? 0;
    const result = await enroll('implicit', ['--implicit-confirm']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\(implicitly confirmed\)$/m);
    assert.equal(ca.stats.requests.get('certConf') ?? 0, confirmsBefore);
  });

  it('ir + PBM with SHA-256 and hmacWithSHA256: the CA answers in the same algorithms', async () => {
    const result = await enroll('sha256', ['--pbm', 'sha256']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^response PBM owf 2\.16\.840\.1\.101\.3\.4\.2\.1 mac 1\.2\.840\.113549\.2\.9 iterations 2000$/m);
    assert.match(result.stdout, /^enrolled .*\(confirmed\)$/m);
    const verify = await run('openssl', [
      'verify',
      '-CAfile',
      join(dir, 'roots.pem'),
      '-untrusted',
      join(dir, 'intermediate.pem'),
      join(dir, 'sha256', 'cert.pem'),
    ]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });

  it('a wrong shared secret is answered with a CMP error BouncyCastle reports (badMessageCheck)', async () => {
    const enrollmentsBefore = ca.stats.enrollments;
    const result = await enroll('wrong', [], 'not-the-iak');
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /the CA refused: status 2, failInfo badMessageCheck, "protection check failed: password-based MAC does not verify/);
    assert.match(result.stderr, /\[protection not verified\]/);
    assert.equal(ca.stats.enrollments, enrollmentsBefore);
  });
});
