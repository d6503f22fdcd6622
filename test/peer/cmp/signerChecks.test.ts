// Who may sign a CMP response (SPEC §3, issue 10 finding 2): certificates made with the openssl
// command line, responses made by OpenSSL's mock server (`openssl cmp -port 0`, signature
// protection with -srv_cert/-srv_key), our client refusing each bad signer with a clear reason:
// a sender that is not the signer's subject (the response re-signed after its sender was
// changed), a signer certificate without digitalSignature, an intermediate without keyCertSign.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodePKIMessage, encodePKIMessage, protectedPartDer } from '../../../src/cmp/asn1/PKIMessage.js';
import { directoryName } from '../../../src/cmp/asn1/PKIHeader.js';
import { CmpClient } from '../../../src/cmp/client.js';
import { CmpProtocolError } from '../../../src/cmp/errors.js';
import { parseDistinguishedName } from '../../../src/cmp/names.js';
import { signData } from '../../../src/cmp/signature.js';
import { HttpTransport, type CmpTransport } from '../../../src/cmp/transport.js';
import { parseCertificateBundle } from '../../../src/pki/pem.js';
import { createPrivateKey } from 'node:crypto';
import { makeCsr, makeKey } from '../../cmp/fixtures.js';
import { type OpenSslServer, startOpenSslServer, TempFiles } from './opensslServerHelpers.js';

describe('peer: signer certificate checks on responses signed by openssl cmp mock server', function () {
  this.timeout(60_000);
  const files = new TempFiles();
  const servers: OpenSslServer[] = [];
  const file = (name: string) => path.join(files.dir, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: files.dir, stdio: ['ignore', 'pipe', 'pipe'] });

  /** An EC key and a certificate made by openssl: self-signed, or signed by `issuer`, with the given extensions. */
  function certificate(name: string, subject: string, extensions: string[], issuer?: string): string {
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
    writeFileSync(file(`${name}.ext`), `[ext]\n${extensions.join('\n')}\n`);
    if (!issuer) {
      writeFileSync(file(`${name}.cnf`), `[req]\ndistinguished_name=dn\n[dn]\n[ext]\n${extensions.join('\n')}\n`);
      openssl([
        'req',
        '-x509',
        '-new',
        '-key',
        `${name}.key`,
        '-subj',
        subject,
        '-days',
        '2',
        '-config',
        `${name}.cnf`,
        '-extensions',
        'ext',
        '-out',
        `${name}.pem`,
      ]);
    } else {
      openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
      openssl([
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${issuer}.pem`,
        '-CAkey',
        `${issuer}.key`,
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        `${name}.ext`,
        '-extensions',
        'ext',
        '-out',
        `${name}.pem`,
      ]);
    }
    return file(`${name}.pem`);
  }
  const der = (pemFile: string) => new Uint8Array(parseCertificateBundle(readFileSync(pemFile, 'utf8')).certificates[0]);

  const CA = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash'];
  const SIGNER = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'];
  let root: string;
  let clientCert: string;

  before(() => {
    root = certificate('root', '/CN=OpenSSL Test Root', CA);
    clientCert = certificate('client', '/CN=Peer RA', SIGNER, 'root');
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    files.remove();
  });

  /** The mock server signing with `signer` (and `chain` in extraCerts); our client trusts only the root. */
  async function enrollAgainst(signer: string, chain: string[] = [], rewrite?: (answer: Uint8Array) => Uint8Array): Promise<unknown> {
    const key = makeKey('ec');
    // The certificate the mock hands out: any certificate for our key; it is never reached when the signer is refused.
    const leaf = certificate(`leaf-${servers.length}`, '/CN=peer-leaf', SIGNER, 'root');
    const s = await startOpenSslServer([
      '-srv_cert',
      signer,
      '-srv_key',
      signer.replace(/\.pem$/, '.key'),
      '-srv_trusted',
      root,
      '-rsp_cert',
      leaf,
      ...(chain.length ? ['-rsp_extracerts', files.certs(`chain-${servers.length}.pem`, chain.map(der))] : []),
    ]);
    servers.push(s);
    const http = new HttpTransport({ url: s.url, timeoutMs: 20_000 });
    const transport: CmpTransport = {
      send: async (message, signal) => (rewrite ? rewrite(await http.send(message, signal)) : http.send(message, signal)),
      close: () => http.close?.(),
    };
    // Signed requests (a client certificate under the same root), so the mock signs its answers too.
    const client = new CmpClient({
      transport,
      protection: { type: 'signature', key: createPrivateKey(readFileSync(file('client.key'))), certificate: der(clientCert) },
      trusted: [der(root)],
    });
    const csr = makeCsr({ subject: 'CN=peer-leaf', key });
    try {
      return await client.enroll({ type: 'ir', csr, privateKey: key.privateKey });
    } catch (err) {
      return err;
    }
  }

  it('a well-formed signer (digitalSignature, chained to the trusted root) gets past protection: the control case', async () => {
    const signer = certificate('good', '/CN=Peer CMP Server', SIGNER, 'root');
    const outcome = await enrollAgainst(signer);
    // The mock's certificate is not for our key: refused after protection passed, never for the signer.
    assert.ok(outcome instanceof CmpProtocolError, String(outcome));
    assert.match(outcome.message, /the CA returned a certificate for a different public key/);
  });

  it('a response re-signed after its sender was changed to another name → refused: the signer is not the sender', async () => {
    const signer = certificate('resign', '/CN=Peer CMP Server', SIGNER, 'root');
    const key = createPrivateKey(readFileSync(signer.replace(/\.pem$/, '.key')));
    const outcome = await enrollAgainst(signer, [], (answer) => {
      // Re-encoded from the decoded fields (not the received bytes), with the new sender, then signed again.
      const { header, body, extraCerts } = decodePKIMessage(answer);
      const changed = { header: { ...header, sender: directoryName(parseDistinguishedName('CN=Totally Different CA')) }, body, extraCerts };
      return encodePKIMessage({ ...changed, protection: signData(key, protectedPartDer(changed)).signature });
    });
    assert.ok(outcome instanceof CmpProtocolError, String(outcome));
    assert.match(outcome.message, /the signer certificate's subject "CN=Peer CMP Server" is not the header's sender "CN=Totally Different CA"/);
  });

  it('a signer certificate whose keyUsage lacks digitalSignature → refused', async () => {
    const signer = certificate(
      'nodigsig',
      '/CN=Peer CMP Server',
      ['basicConstraints=CA:FALSE', 'keyUsage=critical,keyCertSign', 'subjectKeyIdentifier=hash'],
      'root',
    );
    const outcome = await enrollAgainst(signer);
    assert.ok(outcome instanceof CmpProtocolError, String(outcome));
    assert.match(outcome.message, /the signer certificate "CN=Peer CMP Server" may not sign messages \(its keyUsage lacks digitalSignature\)/);
  });

  it('a signer chaining through an intermediate without keyCertSign → refused', async () => {
    const intermediate = certificate(
      'badint',
      '/CN=Intermediate Without keyCertSign',
      ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,digitalSignature', 'subjectKeyIdentifier=hash'],
      'root',
    );
    const signer = certificate('underbadint', '/CN=Peer CMP Server', SIGNER, 'badint');
    const outcome = await enrollAgainst(signer, [intermediate]);
    assert.ok(outcome instanceof CmpProtocolError, String(outcome));
    assert.match(outcome.message, /intermediate "CN=Intermediate Without keyCertSign" may not sign certificates \(its keyUsage lacks keyCertSign\)/);
  });
});
