// Encrypted certificates made by a peer (issue 10, finding 7): OpenSSL 3.0 cannot produce one (its
// ossl_cmp_certrep_new refuses an encryption recipient with ERR_R_UNSUPPORTED), BouncyCastle can.
// BcEncryptedCert.java builds the EnvelopedData for the requested key with BouncyCastle's CMS
// generator and wraps it in its own EncryptedKey / CertOrEncCert; the scripted CA sends those bytes
// as they are, and our client must decrypt them, check the certificate and confirm it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePKIMessage, type PKIMessage } from '../../../src/cmp/asn1/PKIMessage.js';
import { CmpClient } from '../../../src/cmp/client.js';
import type { CmpTransport } from '../../../src/cmp/transport.js';
import { hex, makeCsr, makeKey } from '../../cmp/fixtures.js';
import { ScriptedCa } from '../../cmp/scriptedCa.js';

const here = dirname(fileURLToPath(import.meta.url));
const repository = join(here, '..', '..', '..');
const lib = join(repository, 'test', 'peer', 'bouncycastle', '.build', 'lib');

function run(command: string, args: string[], timeout = 120_000): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout, encoding: 'utf8', cwd: repository }, (error, stdout, stderr) => {
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
        output: `${stdout}${stderr}${error && typeof error.code !== 'number' ? error.message : ''}`,
      });
    });
  });
}

describe('peer: certificates encrypted by BouncyCastle (EnvelopedData, indirect POP)', function () {
  this.timeout(240_000);
  let dir: string;
  const ca = new ScriptedCa();
  const answers: PKIMessage[] = [];
  const transport: CmpTransport = {
    send: async (message) => {
      const answer = await ca.transport().send(message);
      answers.push(decodePKIMessage(answer));
      return answer;
    },
  };

  before(async function () {
    this.timeout(660_000); // a first fetch from Maven Central may take minutes
    const fetched = await run('bash', [join(repository, 'scripts', 'fetch-bouncycastle.sh')], 600_000);
    assert.equal(fetched.code, 0, `BouncyCastle jars unavailable: ${fetched.output}`);
    assert.ok(
      (await readdir(lib)).some((jar) => jar.startsWith('bcpkix')),
      'bcpkix jar',
    );
    dir = await mkdtemp(join(tmpdir(), 'bc-encrypted-cert-'));
    const compiled = await run('javac', ['-Xlint:all', '-Werror', '-cp', join(lib, '*'), '-d', dir, join(here, 'BcEncryptedCert.java')]);
    assert.equal(compiled.code, 0, `javac failed: ${compiled.output}`);
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    ca.script = {};
    ca.received.length = 0;
    answers.length = 0;
  });

  /** BouncyCastle encrypts `certificate` for `spki` and returns its CertOrEncCert DER. */
  const byBouncyCastle = (algorithm: 'RSA' | 'EC') => async (certificate: Uint8Array, spki: Uint8Array) => {
    await writeFile(join(dir, 'cert.der'), certificate);
    await writeFile(join(dir, 'spki.der'), spki);
    const classpath = `${dir}:${join(lib, '*')}`;
    const ran = await run('java', ['-cp', classpath, 'BcEncryptedCert', join(dir, 'cert.der'), join(dir, 'spki.der'), algorithm, join(dir, 'out.der')]);
    assert.equal(ran.code, 0, `BcEncryptedCert failed: ${ran.output}`);
    return new Uint8Array(await readFile(join(dir, 'out.der')));
  };

  for (const [kind, algorithm, type] of [
    ['ec', 'EC', 'ir'],
    ['rsa', 'RSA', 'cr'],
  ] as const) {
    it(`${type} with an ${algorithm} key: BouncyCastle's ${algorithm === 'RSA' ? 'RSAES-OAEP key transport' : 'ECDH key agreement'} EnvelopedData is decrypted, checked and confirmed`, async () => {
      const key = makeKey(kind);
      ca.script = { encryptCertificate: { form: 'external', encode: byBouncyCastle(algorithm) } };
      const client = new CmpClient({ transport, protection: { type: 'pbm', secret: ca.secret }, sleep: async () => undefined });
      const result = await client.enroll({ type, csr: makeCsr({ subject: `CN=bc-encrypted-${kind}`, key }), privateKey: key.privateKey });
      const answer = answers[0].body;
      assert.ok(
        (answer.type === 'ip' || answer.type === 'cp') && answer.content.response[0].certifiedKeyPair?.certOrEncCert.type === 'encryptedCert',
        'the CA sent the encryptedCert choice',
      );
      const conf = (ca.received.at(-1) as PKIMessage).body;
      if (conf.type !== 'certConf') throw new Error(`expected certConf, got ${conf.type}`);
      assert.equal(conf.content[0].statusInfo, undefined, 'accepted');
      assert.equal(hex(conf.content[0].certHash), createHash('sha256').update(result.certificate).digest('hex'));
    });
  }
});
