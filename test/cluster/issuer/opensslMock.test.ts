// OpenSSL's mock CMP server (`openssl cmp -port …`) as the CA behind a CMPv2Issuer, with the real
// cert-manager on the bed. The mock answers one fixed certificate, so the test makes it for the
// key cert-manager generated: it waits for the CertificateRequest, signs its CSR with a test root
// (`openssl x509 -req -copy_extensions copyall`), then starts the mock on the port the issuer
// already points to. The mock puts the real root in caPubs and a rogue self-signed root in
// extraCerts, which no CMP protection covers (SPEC §3): ca.crt and truststore.jks (keystore loop)
// hold the real root only; with spec.cmp.trustExtraCertsRoots both, and an Event names the extra
// one. A mock answering a rejection gives Failed with the CA's own text and failInfo, and failureTime.
import type { RunningIssuerLoop } from '../../controllers/loops.js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KubeApi } from '../../../src/k8s/apiClient.js';
import type { Certificate } from '../../../src/api/certManager.js';
import { startOpenSslServer, TempFiles, type OpenSslServer } from '../../peer/cmp/opensslServerHelpers.js';
import { runKeystoreLoop, type RunningKeystoreLoop } from '../../controllers/loops.js';
import { EventRecorder } from '../../../src/k8s/events.js';
import type { KubeList, Secret } from '../../../src/k8s/meta.js';
import { readJks } from '../../../src/keystore/index.js';
import { eventually, useNamespace } from '../bed.js';
import {
  certificateManifest,
  freePort,
  issuerTestApi,
  listRequests,
  pbmCmpSpec,
  readTlsSecret,
  readyCertificate,
  requestWhen,
  startIssuerLoop,
} from './support.js';

const SECRET = 'mock-iak-1';
const REFERENCE = 'mock-rv-1';

describe("issuer loop with OpenSSL's mock CMP server as the CA (real cert-manager)", function () {
  const ns = useNamespace('issuer-mock');
  const files = new TempFiles();
  let api: KubeApi;
  let loop: RunningIssuerLoop | undefined;
  let keystoreLoop: RunningKeystoreLoop | undefined;
  let mock: OpenSslServer | undefined;
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: files.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const fileText = (name: string) => execFileSync('cat', [path.join(files.dir, name)]).toString();

  before(async function () {
    api = await issuerTestApi();
    // Two self-signed test roots; root1 signs the leaf (caPubs), root2 is a rogue root planted in extraCerts.
    for (const root of ['root1', 'root2']) {
      openssl(
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        `${root}.key`,
        '-out',
        `${root}.pem`,
        '-days',
        '2',
        '-subj',
        `/O=cmpv2-operator tests/CN=Mock ${root}`,
      );
    }
  });
  after(async function () {
    await mock?.stop();
    files.remove();
    api?.close();
  });
  afterEach(async function () {
    await loop?.shutdown();
    loop = undefined;
    await keystoreLoop?.shutdown();
    keystoreLoop = undefined;
    await mock?.stop();
    mock = undefined;
  });

  /** `openssl cmp` as a mock server on `port` (the later -port wins over the helper's -port 0). */
  async function startMock(port: number, extra: string[]): Promise<OpenSslServer> {
    return startOpenSslServer([
      '-port',
      String(port),
      '-srv_ref',
      REFERENCE,
      '-srv_secret',
      `pass:${SECRET}`,
      '-rsp_capubs',
      path.join(files.dir, 'root1.pem'),
      '-rsp_extracerts',
      path.join(files.dir, 'root2.pem'),
      ...extra,
    ]);
  }

  async function issuerAndCertificate(port: number, extra: Record<string, unknown> = {}, withStores = false): Promise<void> {
    await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cmp-iak' }, type: 'Opaque', stringData: { password: SECRET } });
    // ir: OpenSSL 3.0's mock sends caPubs only in an ip.
    await ns().create({
      apiVersion: 'certmanager.onap.org/v1',
      kind: 'CMPv2Issuer',
      metadata: { name: 'mock-ca' },
      spec: pbmCmpSpec(`http://127.0.0.1:${port}/pkix/`, 'cmp-iak', REFERENCE, { messageType: 'ir', ...extra }),
    });
    const certificate = certificateManifest('web', { kind: 'CMPv2Issuer', name: 'mock-ca' });
    if (withStores) (certificate.metadata as Record<string, unknown>).annotations = { 'keystore.certmanager.onap.org/formats': 'jks' };
    await ns().create(certificate);
  }

  /** Waits for the CertificateRequest, has root1 sign its CSR, starts the mock with it; returns the issued PEM. */
  async function issueWhenRequested(namespace: string, port: number): Promise<string> {
    const request = await requestWhen(
      api,
      namespace,
      'the CertificateRequest, approved',
      (_ready, r) => r.status?.conditions?.some((c) => c.type === 'Approved') === true,
    );
    writeFileSync(path.join(files.dir, 'request.csr'), Buffer.from(request.spec.request, 'base64'));
    openssl(
      'x509',
      '-req',
      '-in',
      'request.csr',
      '-CA',
      'root1.pem',
      '-CAkey',
      'root1.key',
      '-CAcreateserial',
      '-copy_extensions',
      'copyall',
      '-days',
      '1',
      '-out',
      'leaf.pem',
    );
    mock = await startMock(port, ['-rsp_cert', path.join(files.dir, 'leaf.pem')]);
    return fileText('leaf.pem');
  }

  const der = (name: string) => new X509Certificate(fileText(name)).raw.toString('base64');

  it('a rogue self-signed root in extraCerts is not trusted: ca.crt and truststore.jks hold the caPubs root only', async function () {
    const { name: namespace } = ns();
    const port = await freePort();
    await issuerAndCertificate(port, {}, true);
    loop = await startIssuerLoop(api, namespace);
    keystoreLoop = await runKeystoreLoop({ api, events: new EventRecorder(api, { component: 'cmpv2-operator' }), namespaces: [namespace] });
    const issued = await issueWhenRequested(namespace, port);
    await readyCertificate(api, namespace, 'web');
    const { leaf, rootsBase64, keyMatches } = await readTlsSecret(api, namespace, 'web-tls');
    assert.ok(keyMatches, 'tls.crt is for tls.key');
    assert.equal(leaf.fingerprint256, new X509Certificate(issued).fingerprint256, 'tls.crt is the certificate the mock answered');
    assert.deepEqual(rootsBase64, [der('root1.pem')], 'the caPubs root only; the extraCerts root2 is left out');
    const secret = await eventually(
      'truststore.jks in web-tls',
      async () => {
        const s = await api.request<Secret>('GET', `/api/v1/namespaces/${namespace}/secrets/web-tls`);
        return s.data?.['truststore.jks'] ? s : undefined;
      },
      60_000,
    );
    const data = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64');
    const trusted = readJks(data('truststore.jks'), data('truststore.pass').toString('utf8'));
    assert.deepEqual(
      trusted.map((e) => (e.kind === 'trustedCertificate' ? Buffer.from(e.certificate).toString('base64') : e.kind)),
      [der('root1.pem')],
      'one trusted entry: the real root',
    );
    assert.match(mock?.log() ?? '', /Received request/, 'the mock answered');
  });

  it('with trustExtraCertsRoots: true both roots are written and the request Event names the extraCerts one', async function () {
    const { name: namespace } = ns();
    const port = await freePort();
    await issuerAndCertificate(port, { trustExtraCertsRoots: true });
    loop = await startIssuerLoop(api, namespace);
    await issueWhenRequested(namespace, port);
    await readyCertificate(api, namespace, 'web');
    const { rootsBase64 } = await readTlsSecret(api, namespace, 'web-tls');
    assert.deepEqual(rootsBase64, [der('root1.pem'), der('root2.pem')], 'caPubs root, then the extraCerts root the issuer opted into');
    const event = await eventually(
      'the ExtraCertsRoots Event',
      async () =>
        (
          await api.request<KubeList<{ reason?: string; message?: string; involvedObject: { kind?: string } }>>('GET', `/api/v1/namespaces/${namespace}/events`)
        ).items.find((e) => e.involvedObject.kind === 'CertificateRequest' && e.reason === 'ExtraCertsRoots'),
      30_000,
    );
    assert.match(
      event.message ?? '',
      /^Trusted root\(s\) taken from the response's extraCerts \(spec\.cmp\.trustExtraCertsRoots\): "[^"]*CN=Mock root2[^"]*"$/,
    );
  });

  it("a rejection (-pkistatus 2 -failure 2 -statusstring …) → CertificateRequest Failed with the CA's text and failureTime; Certificate not Ready", async function () {
    const { name: namespace } = ns();
    const port = await freePort();
    mock = await startMock(port, [
      '-rsp_cert',
      path.join(files.dir, 'root1.pem'),
      '-pkistatus',
      '2',
      '-failure',
      '2',
      '-statusstring',
      'refused by the mock CA policy',
    ]);
    await issuerAndCertificate(port);
    loop = await startIssuerLoop(api, namespace);
    const failed = await requestWhen(api, namespace, 'CertificateRequest Failed', (ready) => ready?.reason === 'Failed');
    const ready = failed.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.match(ready?.message ?? '', /refused by the mock CA policy/);
    assert.match(ready?.message ?? '', /badRequest/);
    assert.doesNotMatch(ready?.message ?? '', /unverified/, 'the mock protects its answer with the shared secret');
    assert.ok(failed.status?.failureTime, 'status.failureTime');
    assert.equal(failed.status?.certificate, undefined);
    assert.equal((await listRequests(api, namespace)).length, 1, 'no retry by a second request');
    const cert = await api.request<Certificate>('GET', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates/web`);
    assert.notEqual(cert.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  });
});
