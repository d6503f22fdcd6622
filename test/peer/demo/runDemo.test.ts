// `npm run demo` end to end: development CA → CMP enrollment over HTTP → SPEC §4 stores, read
// back by our readers and by keytool (Java is a peer here, so this lives in the peer tier).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../../src/demo/runDemo.js';

describe('npm run demo', function () {
  this.timeout(180_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cmp-demo-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('enrolls over CMP and writes every store of SPEC §4, which keytool lists as expected', async () => {
    const out = join(dir, 'out');
    const report = await runDemo({ outDir: out });
    assert.match(report.caUrl, /^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/cmp$/);
    assert.equal(report.rootCount, 2);
    assert.equal(report.subjectAltName, 'DNS:demo.example.org, DNS:localhost, IP Address:127.0.0.1');
    assert.deepEqual((await readdir(out)).sort(), [
      'ca.crt',
      'key.pem',
      'keystore.jks',
      'keystore.p12',
      'keystore.pass',
      'keystore.pem',
      'tls.crt',
      'truststore.jks',
      'truststore.p12',
      'truststore.pass',
      'truststore.pem',
    ]);
    assert.equal((await stat(join(out, 'keystore.pass'))).mode & 0o077, 0);
    const leaf = new X509Certificate(await readFile(join(out, 'tls.crt')));
    assert.equal(leaf.serialNumber, report.serialNumber);
    assert.equal(report.keytoolFound, true, 'keytool (Java 17) is needed for the peer tier');
    const byFile = Object.fromEntries(report.stores.map((s) => [s.file, s]));
    for (const file of ['keystore.jks', 'keystore.p12']) {
      assert.deepEqual(byFile[file].entries, ['PrivateKeyEntry certificate (chain of 2)']);
      assert.deepEqual(byFile[file].keytool, ['PrivateKeyEntry']);
    }
    for (const file of ['truststore.jks', 'truststore.p12']) {
      assert.deepEqual(byFile[file].entries, ['trustedCertEntry trusted-certificate-1', 'trustedCertEntry trusted-certificate-2']);
      assert.deepEqual(byFile[file].keytool, ['trustedCertEntry', 'trustedCertEntry']);
    }
  });
});
