// OpenSSL as the CMP client against our development CA: `openssl cmp -cmd ir|cr|p10cr|kur|genm`
// with PBM and with signature protection; every certificate verifies with `openssl verify` against
// the roots and carries what was asked; refusals arrive as CMP errors that openssl reports.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePKIMessage, encodePKIMessage } from '../../../src/cmp/asn1/PKIMessage.js';
import { protectMessage } from '../../../src/cmp/protection.js';
import { CertificateAuthority, startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import { encodeName } from '../../../src/cmp/server/distinguishedName.js';

interface Run {
  code: number;
  output: string;
}

/** Runs a command without blocking the event loop (the CA answers in this very process). */
function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const SECRET = 'dev-secret-1';
const REFERENCE = 'rv-1';

describe('OpenSSL cmp client against the development CA', function () {
  this.timeout(120_000);
  let ca: DevelopmentCa;
  let dir: string;
  let server: string;
  let roots: string;
  let intermediate: string;
  let serial = 0;

  const file = (name: string) => join(dir, name);
  const pbm = ['-ref', REFERENCE, '-secret', `pass:${SECRET}`, '-recipient', '/CN=cmpv2-operator test-ca'];
  const signedBy = (cert: string, key: string) => ['-cert', cert, '-key', key, '-trusted', roots];

  async function newKey(type: 'ec' | 'rsa' = 'ec'): Promise<string> {
    const { privateKey } = type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
    const path = file(`key-${++serial}.pem`);
    await writeFile(path, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    return path;
  }

  async function cmp(args: string[]): Promise<Run> {
    return run('openssl', ['cmp', '-server', server, '-path', '.well-known/cmp/p/RA', ...args]);
  }

  /** Asserts success and `openssl verify` of the certificate against the roots (intermediate untrusted). */
  async function expectIssued(result: Run, certPath: string): Promise<X509Certificate> {
    assert.equal(result.code, 0, result.output);
    const verify = await run('openssl', ['verify', '-CAfile', roots, '-untrusted', intermediate, certPath]);
    assert.equal(verify.code, 0, verify.output);
    assert.match(verify.output, /: OK/);
    return new X509Certificate(await readFile(certPath));
  }

  async function samePublicKey(cert: X509Certificate, keyPath: string): Promise<void> {
    const pub = await run('openssl', ['pkey', '-in', keyPath, '-pubout']);
    assert.equal(cert.publicKey.export({ type: 'spki', format: 'pem' }).toString(), pub.output);
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openssl-cmp-client-'));
    ca = await startDevelopmentCa({ port: 0, secret: SECRET, reference: REFERENCE });
    server = (ca.url as string).replace(/^http:\/\//, '').replace(/\/.*$/, '');
    roots = file('roots.pem');
    intermediate = file('intermediate.pem');
    await writeFile(roots, ca.rootsPem);
    await writeFile(intermediate, ca.intermediatePem);
  });

  after(async () => {
    await ca?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // A certificate issued with PBM, used below for signature protection and kur.
  let enrolledCert: string;
  let enrolledKey: string;

  it('ir + PBM: issues the subject, key and SANs asked; roots in caPubs, intermediate in extraCerts', async () => {
    enrolledKey = await newKey();
    enrolledCert = file('ir-pbm.pem');
    const result = await cmp([
      '-cmd',
      'ir',
      ...pbm,
      '-newkey',
      enrolledKey,
      '-subject',
      '/O=Example/CN=ir-pbm',
      '-sans',
      'ir.example.org 192.0.2.10 https://ir.example.org/svc',
      '-certout',
      enrolledCert,
      '-cacertsout',
      file('capubs.pem'),
      '-extracertsout',
      file('extra.pem'),
    ]);
    const cert = await expectIssued(result, enrolledCert);
    assert.match(result.output, /sending IR[\s\S]*received IP[\s\S]*sending CERTCONF[\s\S]*received PKICONF/);
    assert.equal(cert.subject, 'O=Example\nCN=ir-pbm');
    assert.equal(cert.subjectAltName, 'DNS:ir.example.org, IP Address:192.0.2.10, URI:https://ir.example.org/svc');
    await samePublicKey(cert, enrolledKey);
    const caPubs = (await readFile(file('capubs.pem'), 'utf8')).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    assert.deepEqual(
      caPubs.map((pem) => new X509Certificate(pem).fingerprint256).sort(),
      ca.roots.map((der) => new X509Certificate(der).fingerprint256).sort(),
    );
    assert.equal(caPubs.length, 2);
    assert.equal(new X509Certificate(await readFile(file('extra.pem'))).fingerprint256, new X509Certificate(ca.intermediate).fingerprint256);
  });

  it('ir + signature protection (a certificate this CA issued) with an RSA key', async () => {
    const key = await newKey('rsa');
    const out = file('ir-sig.pem');
    const result = await cmp([
      '-cmd',
      'ir',
      ...signedBy(enrolledCert, enrolledKey),
      '-newkey',
      key,
      '-subject',
      '/CN=ir-sig',
      '-sans',
      'sig.example.org',
      '-certout',
      out,
    ]);
    const cert = await expectIssued(result, out);
    assert.equal(cert.subject, 'CN=ir-sig');
    await samePublicKey(cert, key);
  });

  for (const protection of ['pbm', 'signature'] as const) {
    it(`cr + ${protection}`, async () => {
      const key = await newKey();
      const out = file(`cr-${protection}.pem`);
      const auth = protection === 'pbm' ? pbm : signedBy(enrolledCert, enrolledKey);
      const result = await cmp(['-cmd', 'cr', ...auth, '-newkey', key, '-subject', `/CN=cr-${protection}`, '-sans', 'cr.example.org', '-certout', out]);
      const cert = await expectIssued(result, out);
      assert.match(result.output, /sending CR[\s\S]*received CP/);
      assert.equal(cert.subject, `CN=cr-${protection}`);
      assert.equal(cert.subjectAltName, 'DNS:cr.example.org');
      await samePublicKey(cert, key);
    });

    it(`p10cr + ${protection}: a CSR with every SAN type, key usage and extended key usage`, async () => {
      const key = await newKey();
      const csr = file(`p10-${protection}.csr`);
      const req = await run('openssl', [
        'req',
        '-new',
        '-key',
        key,
        '-subj',
        `/CN=p10cr-${protection}`,
        '-out',
        csr,
        '-addext',
        'subjectAltName=DNS:p10.example.org,IP:198.51.100.7,email:ops@example.org,URI:urn:example:p10',
        '-addext',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        '-addext',
        'extendedKeyUsage=serverAuth,clientAuth',
      ]);
      assert.equal(req.code, 0, req.output);
      const out = file(`p10cr-${protection}.pem`);
      const auth = protection === 'pbm' ? pbm : signedBy(enrolledCert, enrolledKey);
      const result = await cmp(['-cmd', 'p10cr', ...auth, '-csr', csr, '-certout', out]);
      const cert = await expectIssued(result, out);
      assert.match(result.output, /sending P10CR[\s\S]*received CP/);
      assert.equal(cert.subjectAltName, 'DNS:p10.example.org, IP Address:198.51.100.7, email:ops@example.org, URI:urn:example:p10');
      assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
      const text = await run('openssl', ['x509', '-in', out, '-noout', '-ext', 'keyUsage']);
      assert.match(text.output, /critical\s+Digital Signature, Key Encipherment/);
      await samePublicKey(cert, key);
    });
  }

  it('kur + signature: signed with the old key, keeps the old subject and SANs, new key', async () => {
    const key = await newKey();
    const out = file('kur.pem');
    const result = await cmp(['-cmd', 'kur', ...signedBy(enrolledCert, enrolledKey), '-newkey', key, '-certout', out]);
    const cert = await expectIssued(result, out);
    assert.match(result.output, /sending KUR[\s\S]*received KUP/);
    const old = new X509Certificate(await readFile(enrolledCert));
    assert.equal(cert.subject, old.subject);
    assert.equal(cert.subjectAltName, old.subjectAltName);
    assert.notEqual(cert.serialNumber, old.serialNumber);
    await samePublicKey(cert, key);
  });

  it('kur + PBM is refused: a kur must be signed by the certificate it updates', async () => {
    const result = await cmp(['-cmd', 'kur', ...pbm, '-oldcert', enrolledCert, '-newkey', await newKey(), '-certout', file('kur-pbm.pem')]);
    assert.notEqual(result.code, 0);
    assert.match(result.output, /received ERROR/);
    assert.match(result.output, /PKIFailureInfo: notAuthorized/);
  });

  it('implicitConfirm: granted when asked, so no certConf is sent', async () => {
    const before = ca.stats.requests.get('certConf') ?? 0;
    const out = file('implicit.pem');
    const result = await cmp(['-cmd', 'ir', ...pbm, '-implicit_confirm', '-newkey', await newKey(), '-subject', '/CN=implicit', '-certout', out]);
    await expectIssued(result, out);
    assert.doesNotMatch(result.output, /CERTCONF/);
    assert.equal(ca.stats.requests.get('certConf') ?? 0, before);
  });

  it('genm: answers caCerts', async () => {
    const result = await cmp(['-cmd', 'genm', ...pbm]);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /received GENP[\s\S]*id-it-caCerts/);
  });

  it('a wrong secret is answered with a signed error that openssl verifies against the roots and reports', async () => {
    const result = await cmp([
      '-cmd',
      'ir',
      '-ref',
      REFERENCE,
      '-secret',
      'pass:not-the-secret',
      '-trusted',
      roots,
      '-recipient',
      '/CN=x',
      '-newkey',
      await newKey(),
      '-subject',
      '/CN=wrong-secret',
      '-certout',
      file('never.pem'),
    ]);
    assert.equal(result.code, 1, result.output);
    assert.match(result.output, /received ERROR/);
    assert.match(
      result.output,
      /PKIStatus: rejection; PKIFailureInfo: badMessageCheck; StatusString: "protection check failed: password-based MAC does not verify/,
    );
    assert.doesNotMatch(result.output, /ignoring invalid protection/);
  });

  it('a wrong secret without trust anchors: openssl reports the error with -unprotected_errors', async () => {
    const result = await cmp([
      '-cmd',
      'ir',
      '-ref',
      REFERENCE,
      '-secret',
      'pass:not-the-secret',
      '-recipient',
      '/CN=x',
      '-unprotected_errors',
      '-newkey',
      await newKey(),
      '-subject',
      '/CN=wrong-secret',
      '-certout',
      file('never.pem'),
    ]);
    assert.equal(result.code, 1, result.output);
    assert.match(result.output, /PKIFailureInfo: badMessageCheck/);
  });

  it('a POP openssl declares raVerified is answered with badPOP', async () => {
    const result = await cmp(['-cmd', 'ir', ...pbm, '-popo', '0', '-newkey', await newKey(), '-subject', '/CN=ra-verified', '-certout', file('never.pem')]);
    assert.equal(result.code, 1, result.output);
    assert.match(result.output, /PKIFailureInfo: badPOP; StatusString: "proof-of-possession by raVerified is not accepted/);
  });

  it('an ir whose POP signature is corrupted, sent by openssl (-reqin), is answered with badPOP', async () => {
    // openssl builds the ir (against its own mock server), we flip one bit of the POP signature
    // and re-protect it, and openssl sends it to our CA and reports the answer.
    const original = file('ir-original.der');
    const made = await run('openssl', [
      'cmp',
      '-cmd',
      'ir',
      '-use_mock_srv',
      '-srv_ref',
      'mock',
      '-srv_secret',
      'pass:mock',
      '-rsp_cert',
      enrolledCert,
      ...pbm,
      '-newkey',
      await newKey(),
      '-subject',
      '/CN=corrupted-pop',
      '-reqout',
      original,
      '-certout',
      file('never.pem'),
    ]);
    const request = decodePKIMessage(new Uint8Array(await readFile(original)));
    assert.equal(request.body.type, 'ir', made.output);
    if (request.body.type !== 'ir') return;
    const popo = request.body.content[0].popo;
    assert.equal(popo?.type, 'signature');
    if (popo?.type !== 'signature') return;
    popo.signature.signature[popo.signature.signature.length - 1] ^= 0x01;
    const corrupted = protectMessage(
      { header: request.header, body: request.body },
      { type: 'pbm', secret: new TextEncoder().encode(SECRET), reference: new TextEncoder().encode(REFERENCE) },
    );
    await writeFile(file('ir-corrupted.der'), encodePKIMessage(corrupted));
    const result = await cmp([
      ...pbm,
      '-cmd',
      'ir',
      '-reqin',
      file('ir-corrupted.der'),
      '-newkey',
      await newKey(),
      '-subject',
      '/CN=x',
      '-certout',
      file('never.pem'),
    ]);
    assert.equal(result.code, 1, result.output);
    assert.match(result.output, /received ERROR/);
    assert.match(result.output, /PKIFailureInfo: badPOP; StatusString: "the proof-of-possession signature does not verify/);
  });
});

describe('OpenSSL cmp client against the development CA with --poll 2', function () {
  this.timeout(120_000);
  let ca: DevelopmentCa;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openssl-cmp-poll-'));
    ca = await startDevelopmentCa({ port: 0, secret: SECRET, poll: 2, checkAfterSeconds: 0 });
  });
  after(async () => {
    await ca?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers waiting twice (ip waiting, pollRep), then the certificate; one enrollment', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(join(dir, 'roots.pem'), ca.rootsPem);
    const server = (ca.url as string).replace(/^http:\/\//, '').replace(/\/.*$/, '');
    const result = await run('openssl', [
      'cmp',
      '-cmd',
      'ir',
      '-server',
      server,
      '-secret',
      `pass:${SECRET}`,
      '-ref',
      'any',
      '-recipient',
      '/CN=x',
      '-newkey',
      join(dir, 'key.pem'),
      '-subject',
      '/CN=polled',
      '-certout',
      join(dir, 'cert.pem'),
    ]);
    assert.equal(result.code, 0, result.output);
    assert.equal((result.output.match(/sending POLLREQ/g) ?? []).length, 2);
    assert.equal((result.output.match(/received POLLREP/g) ?? []).length, 1);
    assert.match(result.output, /received ip\/cp\/kup after polling/);
    assert.equal(ca.stats.enrollments, 1);
    await writeFile(join(dir, 'intermediate.pem'), ca.intermediatePem);
    const verify = await run('openssl', ['verify', '-CAfile', join(dir, 'roots.pem'), '-untrusted', join(dir, 'intermediate.pem'), join(dir, 'cert.pem')]);
    assert.equal(verify.code, 0, verify.output);
  });
});

describe('OpenSSL cmp client against the development CA over HTTPS', function () {
  this.timeout(120_000);
  let ca: DevelopmentCa;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openssl-cmp-tls-'));
    // The TLS server certificate comes from a separate CA core, as a real deployment's would.
    const tlsCa = await CertificateAuthority.open({ roots: 1 });
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const san = new Uint8Array([0x30, 0x06, 0x87, 0x04, 127, 0, 0, 1]);
    const serverCert = tlsCa.issue({
      subject: encodeName([['CN', '127.0.0.1']]),
      publicKeyInfo: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
      extensions: [{ oid: '2.5.29.17', critical: false, value: san }],
    });
    const chain = [serverCert, tlsCa.intermediate.certificate].map((der) => new X509Certificate(der).toString()).join('');
    await writeFile(join(dir, 'tls-root.pem'), new X509Certificate(tlsCa.roots[0]).toString());
    ca = await startDevelopmentCa({
      port: 0,
      secret: SECRET,
      tls: { cert: chain, key: privateKey.export({ type: 'pkcs8', format: 'pem' }) },
    });
    await writeFile(join(dir, 'roots.pem'), ca.rootsPem);
    await writeFile(join(dir, 'intermediate.pem'), ca.intermediatePem);
  });
  after(async () => {
    await ca?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ir + PBM over TLS (-tls_used, server certificate checked against its CA)', async () => {
    assert.match(ca.url as string, /^https:\/\/127\.0\.0\.1:\d+\/\.well-known\/cmp$/);
    const server = (ca.url as string).replace(/^https:\/\//, '').replace(/\/.*$/, '');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const result = await run('openssl', [
      'cmp',
      '-cmd',
      'ir',
      '-server',
      server,
      '-tls_used',
      '-tls_trusted',
      join(dir, 'tls-root.pem'),
      '-secret',
      `pass:${SECRET}`,
      '-ref',
      'tls',
      '-recipient',
      '/CN=x',
      '-newkey',
      join(dir, 'key.pem'),
      '-subject',
      '/CN=over-tls',
      '-certout',
      join(dir, 'cert.pem'),
    ]);
    assert.equal(result.code, 0, result.output);
    const verify = await run('openssl', ['verify', '-CAfile', join(dir, 'roots.pem'), '-untrusted', join(dir, 'intermediate.pem'), join(dir, 'cert.pem')]);
    assert.equal(verify.code, 0, verify.output);
  });

  it('refuses a TLS client that does not trust the server certificate', async () => {
    const server = (ca.url as string).replace(/^https:\/\//, '').replace(/\/.*$/, '');
    const result = await run('openssl', [
      'cmp',
      '-cmd',
      'genm',
      '-server',
      server,
      '-tls_used',
      '-tls_trusted',
      join(dir, 'roots.pem'),
      '-secret',
      `pass:${SECRET}`,
      '-ref',
      'tls',
      '-recipient',
      '/CN=x',
    ]);
    assert.notEqual(result.code, 0);
    // The words "tls" and "ssl" are in every run's output (the -tls_* options are echoed), so only the
    // failed verification of the server certificate proves the point; a server that is down says "connect error".
    assert.match(
      result.output,
      /CMP error: certificate verification failed:Certificate verification at depth = \d+ error = 20 \(unable to get local issuer certificate\)/,
    );
    assert.doesNotMatch(result.output, /Connection refused|connect error/i);
  });
});
