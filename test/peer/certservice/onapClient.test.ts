// Peer, an independent client: OnapCertServiceClient.java (BouncyCastle + JSSE, behaving like
// ONAP's CertService client: RSA 2048, SHA1withRSA CSR, reversed subject, PKCS#8 body labelled
// RSA PRIVATE KEY, JKS keystore/truststore made by openssl + keytool) enrols through
// `certservice` (mTLS) → the development CA (CMP over HTTPS); it checks the chain and both roots.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, type Stack } from '../../certservice/support.js';

const here = dirname(fileURLToPath(import.meta.url));
const repository = join(here, '..', '..', '..');
const lib = join(repository, 'test', 'peer', 'bouncycastle', '.build', 'lib');
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

const PASSWORD = 'onap-store-pass';

describe('peer: an ONAP-style CertService client (BouncyCastle, JSSE, JKS) through certservice to the development CA', function () {
  this.timeout(240_000);
  let stack: Stack;
  let dir: string;

  before(async function () {
    this.timeout(660_000); // a first fetch from Maven Central may take minutes
    const fetched = await run('bash', [join(repository, 'scripts', 'fetch-bouncycastle.sh')], 600_000);
    assert.equal(fetched.code, 0, `BouncyCastle jars unavailable: ${fetched.stderr}${fetched.stdout}`);
    const jars = (await readdir(lib)).filter((name) => name.endsWith('.jar'));
    assert.ok(
      ['bcprov', 'bcpkix', 'bcutil'].every((name) => jars.some((jar) => jar.startsWith(name))),
      `jars: ${jars.join(', ')}`,
    );
    const compiled = await run('javac', ['-Xlint:all', '-Werror', '-cp', join(lib, '*'), '-d', classes, join(here, 'OnapCertServiceClient.java')]);
    assert.equal(compiled.code, 0, `javac failed: ${compiled.stderr}`);
    stack = await startStack();
    dir = await mkdtemp(join(tmpdir(), 'certservice-onap-client-'));
    // The client's JKS stores, made by the real tools from the test's TLS credentials.
    await writeFile(join(dir, 'client.pem'), stack.tls.client.cert);
    await writeFile(join(dir, 'client.key'), stack.tls.client.key, { mode: 0o600 });
    await writeFile(join(dir, 'ca.pem'), stack.tls.ca);
    const steps: [string, string[]][] = [
      [
        'openssl',
        [
          'pkcs12',
          '-export',
          '-in',
          join(dir, 'client.pem'),
          '-inkey',
          join(dir, 'client.key'),
          '-name',
          'client',
          '-out',
          join(dir, 'client.p12'),
          '-passout',
          `pass:${PASSWORD}`,
        ],
      ],
      [
        'keytool',
        [
          '-importkeystore',
          '-noprompt',
          '-srckeystore',
          join(dir, 'client.p12'),
          '-srcstoretype',
          'PKCS12',
          '-srcstorepass',
          PASSWORD,
          '-destkeystore',
          join(dir, 'keystore.jks'),
          '-deststoretype',
          'JKS',
          '-deststorepass',
          PASSWORD,
        ],
      ],
      [
        'keytool',
        [
          '-importcert',
          '-noprompt',
          '-alias',
          'root',
          '-file',
          join(dir, 'ca.pem'),
          '-keystore',
          join(dir, 'truststore.jks'),
          '-storetype',
          'JKS',
          '-storepass',
          PASSWORD,
        ],
      ],
    ];
    for (const [command, args] of steps) {
      const made = await run(command, args);
      assert.equal(made.code, 0, `${command} ${args[0]}: ${made.stderr}${made.stdout}`);
    }
  });

  after(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function client(caName: string): Promise<Run> {
    return run('java', [
      '-cp',
      `${join(lib, '*')}:${classes}`,
      'OnapCertServiceClient',
      '--request-url',
      `${stack.url}/v1/certificate/`,
      '--ca-name',
      caName,
      '--keystore',
      join(dir, 'keystore.jks'),
      '--keystore-password',
      PASSWORD,
      '--truststore',
      join(dir, 'truststore.jks'),
      '--truststore-password',
      PASSWORD,
      '--common-name',
      'onap-component.onap.org',
      '--organization',
      'Linux-Foundation',
      '--organization-unit',
      'ONAP',
      '--location',
      'San-Francisco',
      '--state',
      'California',
      '--country',
      'US',
      '--sans',
      'onap-component.onap.org,192.168.0.7,admin@onap.org,https://onap.org/component',
    ]);
  }

  it('enrols: SHA1withRSA CSR with the reversed subject passed on, chain for its key, both roots once', async () => {
    const irBefore = stack.ca.stats.requests.get('ir') ?? 0;
    const result = await client('RA');
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /^csr 1\.2\.840\.113549\.1\.1\.5$/m, 'the CSR was SHA1withRSA');
    // RFC 2253 prints the last RDN first: the certificate keeps the client's L, OU, O, ST, C, CN order.
    assert.match(result.stdout, /^enrolled CN=onap-component\.onap\.org,C=US,ST=California,O=Linux-Foundation,OU=ONAP,L=San-Francisco$/m);
    for (const san of ['2:onap-component.onap.org', '7:192.168.0.7', '1:admin@onap.org', '6:https://onap.org/component']) {
      assert.match(result.stdout, new RegExp(`^san ${san.replace(/[.]/g, '\\.')}$`, 'm'));
    }
    assert.match(result.stdout, /^roots 2$/m);
    const printed = [...result.stdout.matchAll(/^root (.+)$/gm)].map((m) => m[1]).sort();
    const expected = stack.ca.roots.map((der) => new X509Certificate(der).subject.split('\n').reverse().join(',')).sort();
    assert.deepEqual(printed, expected);
    assert.equal(stack.ca.stats.requests.get('ir'), irBefore + 1, 'ir with the key from PK');
  });

  it("an unknown CA name: the client reads CertService's 404 errorMessage", async () => {
    const result = await client('NoSuchCA');
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stdout, /^error 404 Certification authority not found for given CAName$/m);
  });
});
