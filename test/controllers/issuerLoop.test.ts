// The assembled issuer loop against the in-memory API with the real CMP signer and the
// development CA: an issuer becomes Ready through genm, then a CertificateRequest is signed
// through CMP and carries the chain and both roots. (The cluster tests do this with the real
// API server and cert-manager.)
import { runIssuerLoop, type RunningIssuerLoop } from './loops.js';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { startDevelopmentCa, type DevelopmentCa } from '../../src/cmp/server/index.js';
import { buildCsr, parseSubjectAltName } from '../../src/cmp/csr.js';
import { parseDistinguishedName } from '../../src/cmp/names.js';
import { EventRecorder } from '../../src/k8s/events.js';
import type { CertificateRequest } from '../../src/api/certManager.js';
import type { CMPv2Issuer } from '../../src/api/cmpv2Issuer.js';
import { toPem } from '../../src/pki/pem.js';
import { createSigners } from '../../src/signer/backends.js';
import { KubeSecretSource } from '../../src/signer/secretSource.js';
import { eventually } from '../k8s/fakeApiServer.js';
import { MemoryApi } from '../k8s/memoryApiServer.js';
import { approved, certificateRequest, issuer, withRequestText } from './fixtures.js';

describe('controllers/issuerLoop (in-memory API + CMP signer + development CA)', function () {
  let memory: MemoryApi;
  let ca: DevelopmentCa;
  let loop: RunningIssuerLoop;

  before(async function () {
    ca = await startDevelopmentCa({ secret: 'iak-secret', reference: 'rv-value' });
  });
  after(async () => ca.stop());
  beforeEach(async function () {
    memory = await MemoryApi.start();
    const api = memory.fake.api;
    loop = await runIssuerLoop({
      api,
      signers: createSigners({ secrets: new KubeSecretSource(api), cmpTransport: () => ({ send: (m) => ca.handle(m) }) }),
      events: new EventRecorder(api, { component: 'cmpv2-operator' }),
      namespaces: ['apps'],
      clusterResourceNamespace: 'cert-manager',
      maxRetryDurationMs: 600_000,
    });
  });
  afterEach(async function () {
    await loop.shutdown();
    await memory.close();
  });

  it('issuer Ready through genm, then a request signed through CMP with both roots', async function () {
    memory.put('secrets', { metadata: { namespace: 'apps', name: 'cmp-iak' }, data: { password: Buffer.from('iak-secret').toString('base64') } });
    memory.put('cmpv2issuers', issuer() as never);
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const csr = toPem(
      'CERTIFICATE REQUEST',
      buildCsr({ key: key.privateKey, subject: parseDistinguishedName('CN=web'), subjectAltNames: [parseSubjectAltName('web.apps.svc')] }),
    );
    memory.put('certificaterequests', certificateRequest(new Date(), approved(), withRequestText(csr)) as never);
    assert.ok(loop.hasSynced());
    const ready = (o: { status?: { conditions?: { type: string; reason?: string }[] } } | undefined) =>
      o?.status?.conditions?.find((c) => c.type === 'Ready')?.reason;
    await eventually(() => ready(memory.get('cmpv2issuers', 'apps', 'onap-ca') as unknown as CMPv2Issuer) === 'Checked', 10_000, 'issuer Checked');
    await eventually(() => ready(memory.get('certificaterequests', 'apps', 'web-1') as unknown as CertificateRequest) === 'Issued', 10_000, 'request Issued');
    const status = (memory.get('certificaterequests', 'apps', 'web-1') as unknown as CertificateRequest).status!;
    const leaf = new X509Certificate(Buffer.from(status.certificate!, 'base64').toString());
    assert.deepEqual(leaf.publicKey.export({ format: 'der', type: 'spki' }), key.publicKey.export({ format: 'der', type: 'spki' }));
    assert.equal(Buffer.from(status.ca!, 'base64').toString(), ca.rootsPem);
    assert.deepEqual(loop.queueDepths(), { issuer: 0, certificaterequest: 0 });
  });
});
