// RSASSA-PSS signature protection against OpenSSL (issue 10, finding 7). OpenSSL 3.0's mock server
// cannot sign with an RSA-PSS key (its protection asks OBJ_find_sigid_by_algs for a sha256 +
// rsassaPss signature id, which does not exist: "unsupported key type", HTTP 500) — the first test
// shows exactly that. So the proof takes both PSS pieces from OpenSSL itself: the mock answers
// signed with an RSA key (PKCS#1 v1.5), and each answer is re-signed by `openssl dgst` with PSS
// padding, under the AlgorithmIdentifier (RSASSA-PSS-params) that `openssl x509 -sigopt
// rsa_padding_mode:pss` wrote into a certificate. Our client must verify it, and must refuse a
// PSS signature whose salt differs from the parameters.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as pkijs from 'pkijs';
import { decodePKIMessage, encodePKIMessage, protectedPartDer } from '../../../src/cmp/asn1/PKIMessage.js';
import { CmpClient } from '../../../src/cmp/client.js';
import { CmpProtocolError, CmpTransportError } from '../../../src/cmp/errors.js';
import { type CmpTransport, HttpTransport } from '../../../src/cmp/transport.js';
import { parseCertificateBundle } from '../../../src/pki/pem.js';
import { makeCsr, makeKey } from '../../cmp/fixtures.js';
import { type OpenSslServer, startOpenSslServer, TempFiles } from './opensslServerHelpers.js';

describe('peer: RSASSA-PSS protection made by OpenSSL', function () {
  this.timeout(60_000);
  const files = new TempFiles();
  const servers: OpenSslServer[] = [];
  const file = (name: string) => path.join(files.dir, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: files.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const der = (name: string) => new Uint8Array(parseCertificateBundle(readFileSync(file(name), 'utf8')).certificates[0]);

  /** `name`.key (genpkey `algorithm`) and `name`.pem issued by root (or self-signed), `sigopts` for the issuer's signature. */
  function certificate(name: string, subject: string, algorithm: string, extensions: string[], sigopts: string[] = []): void {
    openssl(['genpkey', '-algorithm', algorithm, '-pkeyopt', 'rsa_keygen_bits:2048', '-out', `${name}.key`]);
    writeFileSync(file(`${name}.ext`), `[ext]\n${extensions.join('\n')}\n`);
    if (name === 'root') {
      writeFileSync(file('root.cnf'), `[req]\ndistinguished_name=dn\n[dn]\n[ext]\n${extensions.join('\n')}\n`);
      openssl(['req', '-x509', '-new', '-key', 'root.key', '-subj', subject, '-days', '2', '-config', 'root.cnf', '-extensions', 'ext', '-out', 'root.pem']);
      return;
    }
    openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
    openssl([
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'root.pem',
      '-CAkey',
      'root.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-extensions',
      'ext',
      ...sigopts,
      '-out',
      `${name}.pem`,
    ]);
  }

  const SIGNER = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'];
  /** RSASSA-PSS-params exactly as OpenSSL encodes them (SHA-384, MGF1-SHA-384, salt 48), taken from a certificate it signed. */
  let pssAlgorithm: pkijs.AlgorithmIdentifier;

  before(() => {
    certificate('root', '/CN=OpenSSL PSS Test Root', 'RSA', [
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier=hash',
    ]);
    certificate('client', '/CN=Peer RA', 'RSA', SIGNER);
    certificate('server', '/CN=Peer PSS CMP Server', 'RSA', SIGNER);
    certificate('pss-server', '/CN=Peer RSA-PSS-key CMP Server', 'RSA-PSS', SIGNER);
    certificate('leaf', '/CN=peer-leaf', 'RSA', SIGNER, ['-sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:48']);
    pssAlgorithm = pkijs.Certificate.fromBER(der('leaf.pem')).signatureAlgorithm;
    assert.equal(pssAlgorithm.algorithmId, '1.2.840.113549.1.1.10', 'openssl x509 -sigopt rsa_padding_mode:pss signs with RSASSA-PSS');
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    files.remove();
  });

  async function enroll(serverCert: string, rewrite?: (answer: Uint8Array) => Uint8Array): Promise<{ outcome: unknown; log: string }> {
    const s = await startOpenSslServer([
      '-srv_cert',
      file(`${serverCert}.pem`),
      '-srv_key',
      file(`${serverCert}.key`),
      '-srv_trusted',
      file('root.pem'),
      '-rsp_cert',
      file('leaf.pem'),
    ]);
    servers.push(s);
    const http = new HttpTransport({ url: s.url, timeoutMs: 20_000 });
    const transport: CmpTransport = {
      send: async (message, signal) => (rewrite ? rewrite(await http.send(message, signal)) : http.send(message, signal)),
      close: () => http.close(),
    };
    const client = new CmpClient({
      transport,
      protection: { type: 'signature', key: createPrivateKey(readFileSync(file('client.key'))), certificate: der('client.pem') },
      trusted: [der('root.pem')],
    });
    const key = makeKey('ec');
    let outcome: unknown;
    try {
      outcome = await client.enroll({ type: 'ir', csr: makeCsr({ subject: 'CN=peer-leaf', key }), privateKey: key.privateKey });
    } catch (err) {
      outcome = err;
    }
    return { outcome, log: s.log() };
  }

  /** The answer re-signed by `openssl dgst` with PSS padding and `saltLength`, under OpenSSL's PSS AlgorithmIdentifier. */
  const resignedWithPss = (saltLength: number) => (answer: Uint8Array) => {
    // Re-encoded from the decoded fields (not the received bytes), with OpenSSL's PSS identifier.
    const { header: received, body, extraCerts } = decodePKIMessage(answer);
    const header = { ...received, protectionAlg: pssAlgorithm };
    writeFileSync(file('part.der'), protectedPartDer({ header, body }));
    openssl([
      'dgst',
      '-sha384',
      '-sign',
      'server.key',
      '-sigopt',
      'rsa_padding_mode:pss',
      '-sigopt',
      `rsa_pss_saltlen:${saltLength}`,
      '-out',
      'part.sig',
      'part.der',
    ]);
    return encodePKIMessage({ header, body, extraCerts, protection: new Uint8Array(readFileSync(file('part.sig'))) });
  };

  it('OpenSSL 3.0 mock server with an RSA-PSS key cannot protect its answer: HTTP 500, "unsupported key type" (why the next tests re-sign)', async () => {
    const { outcome, log } = await enroll('pss-server');
    assert.ok(outcome instanceof CmpTransportError, String(outcome));
    assert.equal(outcome.httpStatus, 500);
    assert.match(log, /unsupported key type/);
    assert.match(log, /error protecting message/);
  });

  it('an answer signed by openssl with RSASSA-PSS (SHA-384, salt 48, its own parameters) passes protection', async () => {
    const { outcome } = await enroll('server', resignedWithPss(48));
    // The mock's canned certificate is not for our key: refused after protection passed (the control the signer tests use).
    assert.ok(outcome instanceof CmpProtocolError, String(outcome));
    assert.match(outcome.message, /the CA returned a certificate for a different public key/);
  });

  it('the same answer with a PSS salt of 20 while the parameters say 48 → refused: protection does not verify', async () => {
    const { outcome } = await enroll('server', resignedWithPss(20));
    assert.ok(outcome instanceof CmpProtocolError, String(outcome));
    assert.match(outcome.message, /signature protection \(RSASSA-PSS \(SHA384, salt 48\)\) does not verify/);
  });
});
