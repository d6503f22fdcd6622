// The whole replacement on the test bed: an ONAP-style CMPv2Issuer manifest (CertService backend,
// unchanged fields) → our `certservice` server (mTLS) → the development CA (CMP over HTTPS with
// mTLS). The real cert-manager creates the CertificateRequest, the issuer loop (in-process) signs
// it through certservice; the Certificate becomes Ready with both CA roots in ca.crt; a renewal
// goes to certificate-update and reaches the CA as kur.
import assert from 'node:assert/strict';
import type { KubeApi } from '../../../src/k8s/apiClient.js';
import type { CMPv2Issuer } from '../../../src/api/cmpv2Issuer.js';
import type { RunningIssuerLoop } from '../../controllers/loops.js';
import { startStack, type Stack } from '../../certservice/support.js';
import { useNamespace } from '../bed.js';
import { certificateManifest, derBase64, issuerTestApi, now, readTlsSecret, readyCertificate, startIssuerLoop } from '../issuer/support.js';

describe('certservice on the test bed: ONAP CMPv2Issuer → certservice (mTLS) → development CA (CMP over HTTPS, mTLS)', function () {
  const ns = useNamespace('certservice-server');
  let api: KubeApi;
  let stack: Stack;
  let loop: RunningIssuerLoop | undefined;

  before(async function () {
    api = await issuerTestApi();
    stack = await startStack();
  });
  after(async function () {
    await loop?.shutdown();
    await stack?.stop();
    api?.close();
  });

  it('Ready with both roots in ca.crt; renewal through certificate-update reaches the CA as kur', async function () {
    const { name: namespace } = ns();
    await ns().create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'oom-cert-service-client-tls-secret' },
      type: 'Opaque',
      stringData: { 'tls.crt': stack.tls.client.cert, 'tls.key': stack.tls.client.key, 'ca.crt': stack.tls.ca },
    });
    // ONAP's manifest, field for field; only the URL points at our server.
    await ns().create({
      apiVersion: 'certmanager.onap.org/v1',
      kind: 'CMPv2Issuer',
      metadata: { name: 'cmpv2-issuer-onap' },
      spec: {
        url: stack.url,
        healthEndpoint: 'actuator/health',
        certEndpoint: 'v1/certificate',
        updateEndpoint: 'v1/certificate-update',
        caName: 'RA',
        certSecretRef: { name: 'oom-cert-service-client-tls-secret', certRef: 'tls.crt', keyRef: 'tls.key', cacertRef: 'ca.crt' },
      },
    });
    await ns().create(certificateManifest('web', { kind: 'CMPv2Issuer', name: 'cmpv2-issuer-onap' }));
    loop = await startIssuerLoop(api, namespace);

    await readyCertificate(api, namespace, 'web', 1);
    const first = await readTlsSecret(api, namespace, 'web-tls');
    assert.ok(first.keyMatches, 'tls.crt is for tls.key');
    assert.match(first.leaf.subjectAltName ?? '', /DNS:web\.apps\.svc/);
    assert.deepEqual([...first.rootsBase64].sort(), stack.ca.roots.map(derBase64).sort(), 'both roots of the CA, once each');
    assert.equal(stack.ca.stats.requests.get('ir'), 1, 'the first enrolment reached the CA as ir');
    const issuer = await api.request<CMPv2Issuer>('GET', `/apis/certmanager.onap.org/v1/namespaces/${namespace}/cmpv2issuers/cmpv2-issuer-onap`);
    assert.equal(issuer.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True', 'health checked over mTLS');

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
    await readyCertificate(api, namespace, 'web', 2);
    const second = await readTlsSecret(api, namespace, 'web-tls');
    assert.ok(second.keyMatches);
    assert.notEqual(second.leaf.serialNumber, first.leaf.serialNumber);
    assert.deepEqual([...second.rootsBase64].sort(), stack.ca.roots.map(derBase64).sort());
    assert.equal(stack.ca.stats.requests.get('kur'), 1, 'the renewal reached the CA as kur');
    const metrics = await stack.metrics.registry.metrics();
    assert.match(metrics, /certservice_requests_total\{ca="RA",endpoint="certificate-update",outcome="issued"\} 1/);
  });
});
