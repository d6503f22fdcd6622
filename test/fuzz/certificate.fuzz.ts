// Fuzz target: certificate DER before it is trusted (issue 11, finding 2). Every mutated
// certificate checkCertificate accepts is then loaded by Java's CertificateFactory and by
// OpenSSL, as keytool, JSSE and `openssl` do when they open a truststore: none may be refused
// (one refused certificate makes Java refuse the whole truststore).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCertificate, CertificateFormatError } from '../../src/pki/certificate.js';
import { toPem } from '../../src/pki/pem.js';
import { Pki } from '../keystore/fixtures.js';
import { assertWithinBounds, fuzz, mutations } from './harness.js';

const JAVA_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'java', 'LoadCertificates.java');
const MAX_KEPT = 3_000;

describe('fuzz: certificates', function () {
  this.timeout(0);
  const pki = new Pki();
  const { root, intermediate, leaf } = pki.chain('fuzz cert');
  const rsa = pki.issue('fuzz cert rsa', { keyType: 'rsa' });
  const ed = pki.issue('fuzz cert ed', { keyType: 'ed25519', issuer: rsa });
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'fuzz-cert-'));
  });
  after(() => {
    pki.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  /** A certificate with many extension types Java decodes by OID. */
  function richCertificate(): Buffer {
    const out = join(work, 'rich.pem');
    const extensions = [
      'subjectAltName=DNS:a.example,IP:127.0.0.1,email:a@example.org,URI:https://a.example/x',
      'authorityInfoAccess=OCSP;URI:http://ocsp.example,caIssuers;URI:http://ca.example/ca.crt',
      'crlDistributionPoints=URI:http://crl.example/ca.crl',
      'certificatePolicies=1.2.3.4,2.23.140.1.2.1',
      'extendedKeyUsage=serverAuth,clientAuth',
      'nameConstraints=permitted;DNS:.example',
      'basicConstraints=critical,CA:TRUE,pathlen:1',
      'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    ];
    execFileSync(
      'openssl',
      ['req', '-x509', '-new', '-key', root.keyPath, '-subj', '/CN=rich/O=fuzz/C=DE', '-days', '30', '-out', out, ...extensions.flatMap((e) => ['-addext', e])],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    return Buffer.from(new X509Certificate(readFileSync(out)).raw);
  }

  it('checkCertificate on mutated certificates: accepted or CertificateFormatError; Java and OpenSSL load every accepted one', async () => {
    const corpus: Buffer[] = [root, intermediate, leaf, rsa, ed].map((c) => Buffer.from(new X509Certificate(c.certPem).raw));
    corpus.push(richCertificate());
    const originals = new Set(corpus.map((c) => c.toString('hex')));
    const accepted = new Map<string, Buffer>();
    const summary = await fuzz('certificate', {
      weight: 18,
      inputs: mutations(corpus),
      run: (input) => {
        checkCertificate(input);
        const hex = input.toString('hex');
        if (!originals.has(hex) && accepted.size < MAX_KEPT) accepted.set(hex, input);
      },
      expected: (err) => err instanceof CertificateFormatError,
    });
    assertWithinBounds(summary);

    const bundle = join(work, 'accepted.pem');
    writeFileSync(bundle, [...accepted.values()].map((der) => toPem('CERTIFICATE', der)).join(''));
    execFileSync('javac', ['-d', work, JAVA_SOURCE]);
    const java = execFileSync('java', ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', work, 'LoadCertificates', bundle], { encoding: 'utf8' });
    const openssl = accepted.size === 0 ? 'Total found: 0' : execFileSync('openssl', ['storeutl', '-noout', '-certs', bundle], { encoding: 'utf8' });
    process.stdout.write(`      accepted mutants: ${accepted.size}; Java: ${java.trim().split('\n').at(-1)}; OpenSSL: ${openssl.trim().split('\n').at(-1)}\n`);
    assert.match(java, new RegExp(`^loaded ${accepted.size} of ${accepted.size}$`, 'm'), java);
    assert.match(openssl, new RegExp(`^Total found: ${accepted.size}$`, 'm'));
  });
});
