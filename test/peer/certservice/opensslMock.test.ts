// Peer, an independent CA: `certservice` in front of OpenSSL's mock CMP server (`openssl cmp
// -port`) with PBM. A certificate comes back with the mock's caPubs as the only trusted root (a
// root in extraCerts only with trustExtraCertsRoots); the mock's rejection becomes CertService's 500 text with the CA's statusString and failInfo.
import assert from 'node:assert/strict';
import { X509Certificate, createPublicKey } from 'node:crypto';
import { makeCertificate, makeCsr, makeKey } from '../../cmp/fixtures.js';
import { csrHeader, keyHeader, startStack, type Stack } from '../../certservice/support.js';
import { type OpenSslServer, startOpenSslServer, TempFiles } from '../cmp/opensslServerHelpers.js';

describe('peer: certservice in front of openssl cmp mock server (PBM)', function () {
  this.timeout(60_000);
  const files = new TempFiles();
  const servers: OpenSslServer[] = [];
  let stack: Stack;
  const rootKey = makeKey('ec');
  const root = makeCertificate({ subject: 'CN=Mock Root', key: rootKey, ca: true });
  const key = makeKey('ec');
  const leaf = makeCertificate({ subject: 'CN=mock-enrolled', key, issuer: { certificate: root, key: rootKey } });
  const headers = { CSR: csrHeader(makeCsr({ subject: 'CN=mock-enrolled', key, dns: ['mock.example'] })), PK: keyHeader(key.privateKey) };

  async function mock(extra: string[] = []): Promise<string> {
    const server = await startOpenSslServer([
      '-srv_ref',
      'mock-rv',
      '-srv_secret',
      'pass:mock-iak',
      '-rsp_cert',
      files.certs('rsp.pem', [leaf]),
      '-rsp_capubs',
      files.certs('capubs.pem', [root]),
      ...extra,
    ]);
    servers.push(server);
    return server.url;
  }

  async function configure(url: string, extra: Record<string, unknown> = {}): Promise<void> {
    stack.writeConfig({ cmpv2Servers: [{ caName: 'Mock', url, issuerDN: 'CN=Mock Root', authentication: { iak: 'mock-iak', rv: 'mock-rv' }, ...extra }] });
    const reloaded = await stack.get('/reload');
    assert.equal(reloaded.status, 200, reloaded.text);
  }

  before(async () => (stack = await startStack()));
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await stack?.stop();
    files.remove();
  });

  it("ir + PBM: the mock's certificate comes back, its caPubs root as trustedCertificates", async () => {
    await configure(await mock());
    const answer = await stack.get('/v1/certificate/Mock', headers);
    assert.equal(answer.status, 200, answer.text);
    const chain = (answer.body.certificateChain as string[]).map((p) => new X509Certificate(p));
    assert.equal(chain[0].fingerprint256, new X509Certificate(leaf).fingerprint256);
    assert.ok(chain[0].publicKey.equals(createPublicKey(key.privateKey)));
    const roots = (answer.body.trustedCertificates as string[]).map((p) => new X509Certificate(p).fingerprint256);
    assert.deepEqual(roots, [new X509Certificate(root).fingerprint256]);
  });

  it('a second self-signed root in extraCerts (outside the protection): handed out only with trustExtraCertsRoots', async () => {
    const root2 = makeCertificate({ subject: 'CN=Mock Root 2', key: makeKey('ec'), ca: true });
    const url = await mock(['-rsp_extracerts', files.certs('extra.pem', [root2])]);
    const roots = async () => {
      const answer = await stack.get('/v1/certificate/Mock', headers);
      assert.equal(answer.status, 200, answer.text);
      return (answer.body.trustedCertificates as string[]).map((p) => new X509Certificate(p).fingerprint256);
    };
    await configure(url);
    assert.deepEqual(await roots(), [new X509Certificate(root).fingerprint256]);
    await configure(url, { trustExtraCertsRoots: true });
    assert.deepEqual(await roots(), [new X509Certificate(root).fingerprint256, new X509Certificate(root2).fingerprint256]);
  });

  it("the mock's rejection → 500 CMPv2 server returned following error: with its statusString and failInfo", async () => {
    await configure(await mock(['-pkistatus', '2', '-failure', '23', '-statusstring', 'not on the list']));
    const answer = await stack.get('/v1/certificate/Mock', headers);
    assert.equal(answer.status, 500, answer.text);
    assert.deepEqual(answer.body, { errorMessage: 'CMPv2 server returned following error: not on the list (failInfo: notAuthorized)' });
  });
});
