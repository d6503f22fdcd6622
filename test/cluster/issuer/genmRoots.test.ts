// SPEC §2/§3 on the bed: the roots of every issued certificate come from verified sources only.
// The development CA leaves caPubs out of cp and kup (`noCaPubs`, as OpenSSL and RFC 9483 servers
// do); the issuer check's genm answer, kept in status.caCertificates, still gives p10cr, cr, ir
// and the kur renewal both roots. Then `spec.cmp.tls`: the development CA over HTTPS requiring a
// client certificate (mTLS) → Ready; a CA bundle that does not hold the server's CA, or no client
// certificate, → Pending with the TLS reason.
import type { RunningIssuerLoop } from '../../controllers/loops.js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import type { KubeApi } from '../../../src/k8s/apiClient.js';
import type { CMPv2Issuer } from '../../../src/api/cmpv2Issuer.js';
import { parseCertificateBundle } from '../../../src/pki/pem.js';
import { TempFiles } from '../../peer/cmp/opensslServerHelpers.js';
import { eventually, useNamespace } from '../bed.js';
import { certificateManifest, derBase64, issuerTestApi, pbmCmpSpec, readTlsSecret, readyCertificate, startIssuerLoop } from './support.js';

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

describe('issuer loop: roots from the verified genm answer, and spec.cmp.tls (development CA)', function () {
  const ns = useNamespace('issuer-roots');
  const files = new TempFiles();
  let api: KubeApi;
  let loop: RunningIssuerLoop | undefined;
  const cas: DevelopmentCa[] = [];

  before(async function () {
    api = await issuerTestApi();
  });
  after(async function () {
    await Promise.all(cas.map((ca) => ca.stop()));
    files.remove();
    api?.close();
  });
  afterEach(async function () {
    await loop?.shutdown();
    loop = undefined;
  });

  const issuerStatus = async (namespace: string, name: string) =>
    (await api.request<CMPv2Issuer>('GET', `/apis/certmanager.onap.org/v1/namespaces/${namespace}/cmpv2issuers/${name}`)).status;

  it('a CA without caPubs in cp/kup: p10cr, cr, ir and the kur renewal get both roots from status.caCertificates', async function () {
    const ca = await startDevelopmentCa({ port: 0, secret: 'iak-secret', reference: 'rv-1', noCaPubs: true });
    cas.push(ca);
    const { name: namespace } = ns();
    await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cmp-iak' }, type: 'Opaque', stringData: { password: 'iak-secret' } });
    const types = ['p10cr', 'cr', 'ir'] as const;
    for (const messageType of types) {
      await ns().create({
        apiVersion: 'certmanager.onap.org/v1',
        kind: 'CMPv2Issuer',
        metadata: { name: `ca-${messageType}` },
        spec: pbmCmpSpec(ca.url!, 'cmp-iak', 'rv-1', { messageType }),
      });
      await ns().create(certificateManifest(`web-${messageType}`, { kind: 'CMPv2Issuer', name: `ca-${messageType}` }));
    }
    loop = await startIssuerLoop(api, namespace);
    const bothRoots = ca.roots.map(derBase64);
    for (const messageType of types) {
      await readyCertificate(api, namespace, `web-${messageType}`);
      const { rootsBase64, keyMatches } = await readTlsSecret(api, namespace, `web-${messageType}-tls`);
      assert.ok(keyMatches, messageType);
      assert.deepEqual(rootsBase64, bothRoots, `${messageType}: both roots in ca.crt`);
      const status = await issuerStatus(namespace, `ca-${messageType}`);
      assert.deepEqual(
        parseCertificateBundle(status?.caCertificates ?? '').certificates.map((der) => derBase64(der)),
        bothRoots,
        `${messageType}: the issuer's status.caCertificates holds the genm roots (the intermediate left out)`,
      );
    }
    assert.equal(ca.stats.requests.get('genm') ?? 0, 3, 'one genm per issuer check');
    // Renewal of the p10cr Certificate: a kur, whose kup carries no caPubs either, signed by the CA.
    const kurBefore = ca.stats.requests.get('kur') ?? 0;
    await api.request('PATCH', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates/web-p10cr/status`, {
      contentType: 'application/merge-patch+json',
      body: {
        status: {
          conditions: [
            { type: 'Ready', status: 'True', reason: 'Ready', message: 'ok', lastTransitionTime: now() },
            { type: 'Issuing', status: 'True', reason: 'ManuallyTriggered', message: 'renewal asked by the test', lastTransitionTime: now() },
          ],
        },
      },
    });
    await readyCertificate(api, namespace, 'web-p10cr', 2);
    assert.equal(ca.stats.requests.get('kur'), kurBefore + 1, 'the renewal was a kur');
    const renewed = await readTlsSecret(api, namespace, 'web-p10cr-tls');
    assert.deepEqual(renewed.rootsBase64, bothRoots, 'kur: both roots in ca.crt');
  });

  /** A CA certificate and a leaf it issued (server or client use), made with openssl. */
  function tlsMaterial(prefix: string, cn: string, extension: string): { ca: string; cert: string; key: string } {
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: files.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const f = (name: string) => path.join(files.dir, `${prefix}-${name}`);
    if (!existsSync(f('ca.pem'))) {
      run(
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        f('ca.key'),
        '-out',
        f('ca.pem'),
        '-days',
        '2',
        '-subj',
        `/CN=${prefix} TLS CA`,
      );
    }
    run(
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      f(`${cn}.key`),
      '-out',
      f(`${cn}.csr`),
      '-subj',
      `/CN=${cn}`,
    );
    writeFileSync(f(`${cn}.ext`), `${extension}\n`);
    run(
      'x509',
      '-req',
      '-in',
      f(`${cn}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      f(`${cn}.ext`),
      '-out',
      f(`${cn}.pem`),
    );
    return { ca: readFileSync(f('ca.pem'), 'utf8'), cert: readFileSync(f(`${cn}.pem`), 'utf8'), key: readFileSync(f(`${cn}.key`), 'utf8') };
  }

  it('spec.cmp.tls: HTTPS with a CA bundle and an mTLS client certificate → Ready; a wrong CA bundle → Pending with the TLS reason', async function () {
    const server = tlsMaterial('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth');
    const client = tlsMaterial('client', 'cmpv2-operator', 'extendedKeyUsage=clientAuth');
    const ca = await startDevelopmentCa({
      port: 0,
      secret: 'iak-secret',
      reference: 'rv-1',
      tls: { cert: server.cert, key: server.key, clientCa: client.ca },
    });
    cas.push(ca);
    assert.match(ca.url ?? '', /^https:\/\/127\.0\.0\.1:\d+\//);
    const { name: namespace } = ns();
    await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cmp-iak' }, type: 'Opaque', stringData: { password: 'iak-secret' } });
    await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cmp-tls-ca' }, type: 'Opaque', stringData: { 'ca.crt': server.ca } });
    await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cmp-wrong-ca' }, type: 'Opaque', stringData: { 'ca.crt': client.ca } });
    await ns().create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'cmp-client-tls' },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': client.cert, 'tls.key': client.key },
    });
    const tls = (bundle: string) => ({ caBundleSecretRef: { name: bundle, key: 'ca.crt' }, clientCertSecretRef: { name: 'cmp-client-tls' } });
    await ns().create({
      apiVersion: 'certmanager.onap.org/v1',
      kind: 'CMPv2Issuer',
      metadata: { name: 'https-ca' },
      spec: pbmCmpSpec(ca.url!, 'cmp-iak', 'rv-1', { tls: tls('cmp-tls-ca') }),
    });
    await ns().create({
      apiVersion: 'certmanager.onap.org/v1',
      kind: 'CMPv2Issuer',
      metadata: { name: 'wrong-ca' },
      spec: pbmCmpSpec(ca.url!, 'cmp-iak', 'rv-1', { tls: tls('cmp-wrong-ca') }),
    });
    await ns().create({
      apiVersion: 'certmanager.onap.org/v1',
      kind: 'CMPv2Issuer',
      metadata: { name: 'no-client-cert' },
      spec: pbmCmpSpec(ca.url!, 'cmp-iak', 'rv-1', { tls: { caBundleSecretRef: { name: 'cmp-tls-ca', key: 'ca.crt' } } }),
    });
    await ns().create(certificateManifest('web', { kind: 'CMPv2Issuer', name: 'https-ca' }));
    loop = await startIssuerLoop(api, namespace);
    await readyCertificate(api, namespace, 'web');
    const { rootsBase64 } = await readTlsSecret(api, namespace, 'web-tls');
    assert.deepEqual(rootsBase64, ca.roots.map(derBase64), 'both roots over HTTPS with mTLS');
    const wrong = await eventually(
      'the wrong-bundle issuer Pending',
      async () => {
        const ready = (await issuerStatus(namespace, 'wrong-ca'))?.conditions?.find((c) => c.type === 'Ready');
        return ready?.reason === 'Pending' ? ready : undefined;
      },
      60_000,
    );
    assert.match(
      wrong.message ?? '',
      /Check failed, will retry: cannot reach the CMP server: .*UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate/,
    );
    // The CA requires a client certificate: without one the handshake is refused.
    const noClient = await eventually(
      'the issuer without a client certificate Pending',
      async () => {
        const ready = (await issuerStatus(namespace, 'no-client-cert'))?.conditions?.find((c) => c.type === 'Ready');
        return ready?.reason === 'Pending' ? ready : undefined;
      },
      60_000,
    );
    assert.match(noClient.message ?? '', /Check failed, will retry: cannot reach the CMP server: .*ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED/);
  });
});
