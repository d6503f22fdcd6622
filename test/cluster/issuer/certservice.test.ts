// The CertService backend on the test bed: an ONAP-style CMPv2Issuer manifest (SPEC §2 fields,
// unchanged) points at the CertService double over mTLS; the real cert-manager controller
// creates the CertificateRequest, our IssuerLoop (in-process) signs it through CertService.
// Ready with both roots in ca.crt; renewal through the update endpoint; error bodies become
// the right CertificateRequest condition.
import { runIssuerLoop, type RunningIssuerLoop } from '../../controllers/loops.js';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { KubeApi } from '../../../src/k8s/apiClient.js';
import { EventRecorder } from '../../../src/k8s/events.js';
import type { Certificate, CertificateRequest } from '../../../src/api/certManager.js';
import type { CMPv2Issuer } from '../../../src/api/cmpv2Issuer.js';
import type { KubeList } from '../../../src/k8s/meta.js';
import { parseCertificateBundle } from '../../../src/pki/pem.js';
import { applyDirectory } from '../../../scripts/testbed/apply.js';
import { layout } from '../../../scripts/testbed/layout.js';
import { startCertServiceDouble, type CertServiceDouble } from '../../support/certServiceDouble.js';
import { adminKubeConfig, bed, eventually, useNamespace } from '../bed.js';
import { readTlsSecret } from './support.js';

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

describe('CertService backend on the test bed (real cert-manager, CertService double over mTLS)', function () {
  const ns = useNamespace('certservice');
  let api: KubeApi;
  let double: CertServiceDouble;
  let loop: RunningIssuerLoop | undefined;

  before(async function () {
    const kc = await adminKubeConfig();
    await applyDirectory(kc, layout.certManagerCrdsDir);
    await applyDirectory(kc, layout.projectCrdsDir);
    api = await KubeApi.fromKubeConfig(kc);
    double = await startCertServiceDouble();
  });
  after(async function () {
    await double?.stop();
    api?.close();
  });
  beforeEach(() => {
    double.script(undefined);
    double.requests.length = 0;
  });
  afterEach(async function () {
    await loop?.shutdown();
    loop = undefined;
  });

  /** The loop as `run` builds it: default signers (CMP and CertService over the API's Secrets). */
  async function runLoop(namespace: string): Promise<void> {
    loop = await runIssuerLoop({
      api,
      events: new EventRecorder(api, { component: 'cmpv2-operator' }),
      namespaces: [namespace],
      clusterResourceNamespace: namespace,
      maxRetryDurationMs: 600_000,
    });
  }

  /** The client TLS Secret and an ONAP CMPv2Issuer manifest, field for field as ONAP ships it. */
  async function onapIssuer(
    options: { kind?: 'CMPv2Issuer' | 'ClusterCMPv2Issuer'; name?: string; caName?: string } = {},
  ): Promise<{ kind: string; name: string }> {
    const kind = options.kind ?? 'CMPv2Issuer';
    const name = options.name ?? 'cmpv2-issuer-onap';
    await ns().create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'oom-cert-service-client-tls-secret' },
      type: 'Opaque',
      stringData: { 'tls.crt': double.clientTls.cert, 'tls.key': double.clientTls.key, 'ca.crt': double.clientTls.ca },
    });
    await ns().create({
      apiVersion: 'certmanager.onap.org/v1',
      kind,
      metadata: { name },
      spec: {
        url: double.url,
        healthEndpoint: 'actuator/health',
        certEndpoint: 'v1/certificate',
        updateEndpoint: 'v1/certificate-update',
        caName: options.caName ?? double.caName,
        certSecretRef: { name: 'oom-cert-service-client-tls-secret', certRef: 'tls.crt', keyRef: 'tls.key', cacertRef: 'ca.crt' },
      },
    });
    return { kind, name };
  }

  async function certificate(issuer: { kind: string; name: string }): Promise<void> {
    await ns().create({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'web' },
      spec: {
        secretName: 'web-tls',
        commonName: 'web.example',
        dnsNames: ['web.example', 'web.apps.svc'],
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        issuerRef: { group: 'certmanager.onap.org', kind: issuer.kind, name: issuer.name },
      },
    });
  }

  /** Plays cert-manager's approver when the bed runs without it (other suites turn it off). */
  async function approvePending(namespace: string): Promise<void> {
    if ((await bed()).approver) return;
    for (const request of await requests(namespace)) {
      const conditions = request.status?.conditions ?? [];
      if (conditions.some((c) => c.type === 'Approved' || c.type === 'Denied')) continue;
      const approved = { type: 'Approved', status: 'True', reason: 'test', message: 'approved by the test', lastTransitionTime: now() };
      await api
        .request('PATCH', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificaterequests/${request.metadata.name}/status`, {
          contentType: 'application/merge-patch+json',
          body: { metadata: { resourceVersion: request.metadata.resourceVersion }, status: { conditions: [...conditions, approved] } },
        })
        .catch(() => undefined); // a conflict: next round
    }
  }

  async function requests(namespace: string): Promise<CertificateRequest[]> {
    return (await api.request<KubeList<CertificateRequest>>('GET', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificaterequests`)).items;
  }

  async function readyRevision(namespace: string, atLeast: number): Promise<number> {
    return eventually(
      `Certificate web Ready at revision ≥ ${atLeast}`,
      async () => {
        await approvePending(namespace);
        const cert = await api.request<Certificate>('GET', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates/web`);
        const ready = cert.status?.conditions?.find((c) => c.type === 'Ready');
        return ready?.status === 'True' && (cert.status?.revision ?? 0) >= atLeast ? cert.status!.revision! : undefined;
      },
      90_000,
    );
  }

  const tlsSecret = (namespace: string) => readTlsSecret(api, namespace, 'web-tls');

  const doubleRoots = () => double.rootsPem.map((pem) => parseCertificateBundle(pem).certificates[0].toString('base64'));
  const pkcs8 = (pem: string) => createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString();
  const unb64 = (text: string | undefined) => Buffer.from(text ?? '', 'base64').toString('utf8');

  it('an ONAP CMPv2Issuer manifest: issuer Ready after the health check, Certificate Ready with both roots in ca.crt', async function () {
    const { name: namespace } = ns();
    const issuer = await onapIssuer();
    await certificate(issuer);
    await runLoop(namespace);
    await readyRevision(namespace, 1);
    const { leaf, rootsBase64, keyPem, keyMatches } = await tlsSecret(namespace);
    assert.ok(keyMatches, 'tls.crt is for tls.key');
    assert.match(leaf.subjectAltName ?? '', /DNS:web\.apps\.svc/);
    assert.deepEqual(rootsBase64, doubleRoots(), 'both roots, in CertService order');
    const signing = double.requests.filter((r) => r.path.startsWith('/v1/'));
    assert.deepEqual(
      signing.map((r) => r.path),
      ['/v1/certificate/RA'],
      'one enrollment',
    );
    assert.equal(unb64(signing[0].headers.PK), pkcs8(keyPem), 'PK = the key cert-manager generated, PKCS#8 PEM');
    assert.ok(
      double.requests.some((r) => r.path === '/actuator/health' && r.clientSubject === 'CN=cmpv2-operator'),
      'health checked over mTLS',
    );
    const stored = await api.request<CMPv2Issuer>('GET', `/apis/certmanager.onap.org/v1/namespaces/${namespace}/cmpv2issuers/${issuer.name}`);
    const ready = stored.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'True', JSON.stringify(stored.status));
  });

  it('a ClusterCMPv2Issuer reads its client TLS Secret from the cluster resource namespace; renewal goes to the update endpoint with the old certificate and key', async function () {
    const { name: namespace } = ns();
    const issuer = await onapIssuer({ kind: 'ClusterCMPv2Issuer', name: `onap-${namespace}` });
    await certificate(issuer);
    await runLoop(namespace);
    await readyRevision(namespace, 1);
    const first = await tlsSecret(namespace);
    assert.deepEqual(first.rootsBase64, doubleRoots());
    // What `cmctl renew` does: an Issuing condition on the Certificate's status.
    await api.request('PATCH', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates/web/status`, {
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
    await readyRevision(namespace, 2);
    const second = await tlsSecret(namespace);
    assert.ok(second.keyMatches);
    assert.notEqual(second.leaf.serialNumber, first.leaf.serialNumber);
    const update = double.requests.filter((r) => r.path === '/v1/certificate-update/RA');
    assert.equal(update.length, 1, `paths: ${double.requests.map((r) => r.path).join(', ')}`);
    assert.equal(new X509Certificate(unb64(update[0].headers.OLD_CERT)).serialNumber, first.leaf.serialNumber, 'OLD_CERT is the certificate being renewed');
    assert.equal(unb64(update[0].headers.OLD_PK), pkcs8(first.keyPem), 'OLD_PK is its key, PKCS#8');
    assert.equal(unb64(update[0].headers.PK), pkcs8(second.keyPem), 'PK is the new key');
  });

  /** Waits for the request to fail and returns its Ready condition and failureTime. */
  async function failedRequest(namespace: string): Promise<{ message: string; failureTime?: string }> {
    return eventually(
      'CertificateRequest Failed',
      async () => {
        await approvePending(namespace);
        const [request] = await requests(namespace);
        const ready = request?.status?.conditions?.find((c) => c.type === 'Ready');
        return ready?.reason === 'Failed' ? { message: ready.message ?? '', failureTime: request.status?.failureTime } : undefined;
      },
      60_000,
    );
  }

  it("an error body (400 wrong CSR) → CertificateRequest Failed with CertService's message, failureTime set, no certificate", async function () {
    const { name: namespace } = ns();
    double.script({ status: 400, body: { errorMessage: 'Wrong certificate signing request (CSR) format' } });
    await certificate(await onapIssuer());
    await runLoop(namespace);
    const failed = await failedRequest(namespace);
    assert.match(failed.message, /HTTP 400\): Wrong certificate signing request \(CSR\) format/);
    assert.ok(failed.failureTime, 'status.failureTime');
    const [request] = await requests(namespace);
    assert.equal(request.status?.certificate, undefined);
  });

  it('an unknown caName (404 from the double) → Failed with "Certification authority not found for given CAName"', async function () {
    const { name: namespace } = ns();
    await certificate(await onapIssuer({ caName: 'NoSuchCA' }));
    await runLoop(namespace);
    const failed = await failedRequest(namespace);
    assert.match(failed.message, /HTTP 404\): Certification authority not found for given CAName/);
    assert.ok(double.requests.some((r) => r.path === '/v1/certificate/NoSuchCA'));
  });

  it('a 500 from CertService → Pending with its message, then Ready once it answers', async function () {
    const { name: namespace } = ns();
    double.script({ status: 500, body: { errorMessage: 'Exception occurred during call to cmp client: CMP server down' } });
    await certificate(await onapIssuer());
    await runLoop(namespace);
    const pending = await eventually(
      'CertificateRequest Pending with the 500 message',
      async () => {
        await approvePending(namespace);
        const [request] = await requests(namespace);
        const ready = request?.status?.conditions?.find((c) => c.type === 'Ready');
        return ready?.reason === 'Pending' && /HTTP 500/.test(ready.message ?? '') ? ready.message : undefined;
      },
      60_000,
    );
    assert.match(pending ?? '', /CMP server down/);
    double.script(undefined);
    await readyRevision(namespace, 1);
    assert.deepEqual((await tlsSecret(namespace)).rootsBase64, doubleRoots());
  });
});
