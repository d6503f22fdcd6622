// The certificates checkCertificate refuses because Java would (test/pki/javaRefusedCertificates.ts):
// OpenSSL parses each, and Java's CertificateFactory, as keytool and JSSE load a truststore,
// refuses each; a good certificate made the same way loads. The unit test checks our refusal.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pki } from '../../keystore/fixtures.js';
import { javaRefusedCertificates } from '../../pki/javaRefusedCertificates.js';
import { opensslSelfSigned } from '../../pki/opensslCertificate.js';
import { FAST_JVM } from './javaTools.js';

const LOADER = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fuzz', 'java', 'LoadCertificates.java');

describe('peer: certificates Java refuses (CertificateFactory), which OpenSSL parses', function () {
  this.timeout(60_000);
  const pki = new Pki();
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'java-refused-'));
    execFileSync('javac', ['-d', work, LOADER]);
  });
  after(() => {
    pki.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  const javaLoads = (name: string, pem: string): string => {
    const file = join(work, `${name}.pem`);
    writeFileSync(file, pem);
    return execFileSync('java', [...FAST_JVM, '-cp', work, 'LoadCertificates', file], { encoding: 'utf8' });
  };

  it('a good certificate made the same way loads', () => {
    assert.match(javaLoads('good', opensslSelfSigned('/CN=refused', ['2.5.29.36=critical,DER:3003800101'])), /^loaded 1 of 1$/m);
  });

  javaRefusedCertificates(pki).forEach((refused, i) => {
    it(`Java refuses ${refused.title}; OpenSSL parses it`, () => {
      assert.doesNotThrow(() => new X509Certificate(refused.pem));
      const output = javaLoads(`refused-${i}`, refused.pem);
      assert.match(output, /^refused 1: java\.security\.cert\.CertificateParsingException/m, output);
      assert.match(output, /^loaded 0 of 1$/m, output);
    });
  });
});
