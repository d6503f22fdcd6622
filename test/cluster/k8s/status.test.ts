// Writes with a resourceVersion precondition against the real API server: a concurrent writer
// causes a real 409, the retry re-reads and keeps the other writer's keys; status subresource
// patches on our CRD and on cert-manager's CertificateRequest.
import { CMPV2_ISSUERS } from '../../../src/api/cmpv2Issuer.js';
import { CERTIFICATE_REQUESTS } from '../../../src/api/certManager.js';
import assert from 'node:assert/strict';
import { KubeApi } from '../../../src/k8s/apiClient.js';
import { formatTime, setCondition } from '../../../src/k8s/conditions.js';
import { SECRETS } from '../../../src/k8s/resources.js';
import { keyedChangesPatch, patchStatusWithRetry, patchWithRetry } from '../../../src/k8s/status.js';
import type { CertificateRequest } from '../../../src/api/certManager.js';
import type { CMPv2Issuer } from '../../../src/api/cmpv2Issuer.js';
import type { Secret } from '../../../src/k8s/meta.js';
import { applyDirectory } from '../../../scripts/testbed/apply.js';
import { layout } from '../../../scripts/testbed/layout.js';
import { adminKubeConfig, useNamespace } from '../bed.js';

describe('k8s/status on the test bed', function () {
  const ns = useNamespace('status');
  let api: KubeApi;

  before(async function () {
    const kc = await adminKubeConfig();
    await applyDirectory(kc, layout.certManagerCrdsDir);
    await applyDirectory(kc, layout.projectCrdsDir);
    api = await KubeApi.fromKubeConfig(kc);
  });
  after(() => api?.close());

  it("a write racing ours: real 409, re-read, both writers' keys kept", async function () {
    const { name: namespace } = ns();
    await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls' }, type: 'Opaque', data: { 'tls.crt': 'Y2VydA==' } });
    const ref = { namespace, name: 'tls' };
    const stale = await api.request<Secret>('GET', `/api/v1/namespaces/${namespace}/secrets/tls`);
    // "cert-manager" writes after we read.
    await api.request('PATCH', `/api/v1/namespaces/${namespace}/secrets/tls`, {
      body: { data: { 'tls.key': 'a2V5' } },
      contentType: 'application/merge-patch+json',
    });
    let builds = 0;
    const written = await patchWithRetry<Secret>(
      api,
      SECRETS,
      ref,
      (current) => {
        builds++;
        return keyedChangesPatch(current, {
          data: { 'keystore.jks': 'amtz' },
          annotations: { 'keystore.certmanager.onap.org/hash': 'h1' },
          labels: { 'keystore.certmanager.onap.org/managed': 'true' },
        });
      },
      { current: stale },
    );
    assert.equal(builds, 2, 'the stale copy conflicted once');
    assert.deepEqual(Object.keys(written!.data!).sort(), ['keystore.jks', 'tls.crt', 'tls.key']);
    assert.equal(written!.metadata.labels?.['keystore.certmanager.onap.org/managed'], 'true');
    // Nothing to change: nothing sent.
    const before = api.requestCounts.get('PATCH') ?? 0;
    const again = await patchWithRetry<Secret>(api, SECRETS, ref, (current) => keyedChangesPatch(current, { data: { 'keystore.jks': 'amtz' } }));
    assert.equal(again, undefined);
    assert.equal(api.requestCounts.get('PATCH') ?? 0, before);
  });

  it('patches the status subresource of a CMPv2Issuer, retrying on a stale copy', async function () {
    const { name: namespace } = ns();
    await ns().create({
      apiVersion: 'certmanager.onap.org/v1',
      kind: 'CMPv2Issuer',
      metadata: { name: 'ca' },
      spec: { cmp: { url: 'http://127.0.0.1:1/', protection: { passwordBasedMac: { secretRef: { name: 'iak', key: 'password' }, reference: 'rv' } } } },
    });
    const stale = await api.request<CMPv2Issuer>('GET', `/apis/certmanager.onap.org/v1/namespaces/${namespace}/cmpv2issuers/ca`);
    await api.request('PATCH', `/apis/certmanager.onap.org/v1/namespaces/${namespace}/cmpv2issuers/ca`, {
      body: { metadata: { labels: { bump: '1' } } },
      contentType: 'application/merge-patch+json',
    });
    const now = new Date();
    const written = await patchStatusWithRetry<CMPv2Issuer>(
      api,
      CMPV2_ISSUERS,
      { namespace, name: 'ca' },
      (current) => ({
        conditions: setCondition(
          current.status?.conditions,
          { type: 'Ready', status: 'True', reason: 'Checked', message: 'ok', observedGeneration: current.metadata.generation },
          now,
        ),
        observedGeneration: current.metadata.generation,
      }),
      { current: stale },
    );
    assert.equal(written?.status?.conditions?.[0].reason, 'Checked');
    assert.equal(written?.status?.conditions?.[0].lastTransitionTime, formatTime(now));
    assert.equal(written?.status?.observedGeneration, 1);
    assert.equal(written?.metadata.generation, 1, 'a status write does not bump the generation');
  });

  it('cert-manager accepts our CertificateRequest status: base64 PEM, conditions, failureTime', async function () {
    const { name: namespace } = ns();
    const csr = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBFjCBvQIBADAPMQ0wCwYDVQQDDAR0ZXN0\n-----END CERTIFICATE REQUEST-----\n';
    await ns().create({
      apiVersion: 'cert-manager.io/v1',
      kind: 'CertificateRequest',
      metadata: { name: 'req' },
      spec: { request: Buffer.from(csr).toString('base64'), issuerRef: { name: 'none', kind: 'CMPv2Issuer', group: 'certmanager.onap.org' } },
    });
    const now = new Date();
    const written = await patchStatusWithRetry<CertificateRequest>(api, CERTIFICATE_REQUESTS, { namespace, name: 'req' }, (current) => ({
      conditions: setCondition(current.status?.conditions, { type: 'Ready', status: 'False', reason: 'Failed', message: 'CA said no' }, now),
      failureTime: formatTime(now),
      certificate: Buffer.from('-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n').toString('base64'),
    }));
    assert.equal(written?.status?.failureTime, formatTime(now));
    assert.ok(written?.status?.conditions?.some((c) => c.type === 'Ready' && c.reason === 'Failed'));
  });
});
