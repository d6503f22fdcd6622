// The runtime carrying the issuer loop on the test bed: the real cert-manager controller asks,
// our IssuerLoop (run in-process) signs through the CMP signer and the development CA over HTTP.
// A Certificate becomes Ready with both roots in ca.crt; p10cr and ir; renewal goes through kur.
import { runIssuerLoop, type RunningIssuerLoop } from '../../controllers/loops.js';
import { TRANSACTION_ANNOTATION } from '../../../src/api/cmpv2Issuer.js';
import type { CertificateRequest } from '../../../src/api/certManager.js';
import assert from 'node:assert/strict';
import type { X509Certificate } from 'node:crypto';
import { startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import { KubeApi } from '../../../src/k8s/apiClient.js';
import { EventRecorder } from '../../../src/k8s/events.js';
import { createSigners } from '../../../src/signer/backends.js';
import { KubeSecretSource } from '../../../src/signer/secretSource.js';
import { applyDirectory } from '../../../scripts/testbed/apply.js';
import { layout } from '../../../scripts/testbed/layout.js';
import { adminKubeConfig, useNamespace } from '../bed.js';
import { readTlsSecret, readyCertificate, requestWhen } from '../issuer/support.js';

describe('issuer loop on the test bed (real cert-manager, development CA over HTTP)', function () {
  const ns = useNamespace('issuerloop');
  let api: KubeApi;
  let ca: DevelopmentCa;
  let loop: RunningIssuerLoop | undefined;

  before(async function () {
    const kc = await adminKubeConfig();
    await applyDirectory(kc, layout.certManagerCrdsDir);
    await applyDirectory(kc, layout.projectCrdsDir);
    api = await KubeApi.fromKubeConfig(kc);
    ca = await startDevelopmentCa({ port: 0, secret: 'iak-secret', reference: 'rv-1' });
  });
  after(async function () {
    await ca?.stop();
    api?.close();
  });
  afterEach(async function () {
    await loop?.shutdown();
    loop = undefined;
  });

  async function runLoop(namespace: string): Promise<void> {
    loop = await runIssuerLoop({
      api,
      signers: createSigners({ secrets: new KubeSecretSource(api) }),
      events: new EventRecorder(api, { component: 'cmpv2-operator' }),
      namespaces: [namespace],
      clusterResourceNamespace: 'kube-system',
      maxRetryDurationMs: 600_000,
    });
  }

  async function issuerAndCertificate(messageType: 'p10cr' | 'ir', caUrl = ca.url): Promise<void> {
    await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cmp-iak' }, type: 'Opaque', stringData: { password: 'iak-secret' } });
    await ns().create({
      apiVersion: 'certmanager.onap.org/v1',
      kind: 'CMPv2Issuer',
      metadata: { name: 'dev-ca' },
      spec: { cmp: { url: caUrl, messageType, protection: { passwordBasedMac: { secretRef: { name: 'cmp-iak', key: 'password' }, reference: 'rv-1' } } } },
    });
    await ns().create({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'web' },
      spec: {
        secretName: 'web-tls',
        commonName: 'web.example',
        dnsNames: ['web.example', 'web.apps.svc'],
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        issuerRef: { group: 'certmanager.onap.org', kind: 'CMPv2Issuer', name: 'dev-ca' },
      },
    });
  }

  const readyRevision = (namespace: string, atLeast: number) => readyCertificate(api, namespace, 'web', atLeast);

  async function tlsSecret(namespace: string): Promise<{ leaf: X509Certificate; roots: Buffer[]; keyMatches: boolean }> {
    const { leaf, rootsBase64, keyMatches } = await readTlsSecret(api, namespace, 'web-tls');
    return { leaf, roots: rootsBase64.map((b64) => Buffer.from(b64, 'base64')), keyMatches };
  }

  for (const messageType of ['p10cr', 'ir'] as const) {
    it(`a Certificate through a CMPv2Issuer (${messageType}) becomes Ready with both roots in ca.crt`, async function () {
      const { name: namespace } = ns();
      const before = ca.stats.requests.get(messageType) ?? 0;
      await issuerAndCertificate(messageType);
      await runLoop(namespace);
      await readyRevision(namespace, 1);
      const { leaf, roots, keyMatches } = await tlsSecret(namespace);
      assert.ok(keyMatches, 'tls.crt is for tls.key');
      assert.match(leaf.subjectAltName ?? '', /DNS:web\.apps\.svc/);
      assert.deepEqual(
        roots.map((r) => r.toString('base64')),
        ca.roots.map((r) => Buffer.from(r).toString('base64')),
        'both roots',
      );
      assert.equal(ca.stats.requests.get(messageType), before + 1);
    });
  }

  it('renewal goes through kur, signed with the old key', async function () {
    const { name: namespace } = ns();
    await issuerAndCertificate('p10cr');
    await runLoop(namespace);
    await readyRevision(namespace, 1);
    const first = await tlsSecret(namespace);
    const kurBefore = ca.stats.requests.get('kur') ?? 0;
    // What `cmctl renew` does: an Issuing condition on the Certificate's status.
    await api.request('PATCH', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates/web/status`, {
      contentType: 'application/merge-patch+json',
      body: {
        status: {
          conditions: [
            { type: 'Ready', status: 'True', reason: 'Ready', message: 'ok', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
            {
              type: 'Issuing',
              status: 'True',
              reason: 'ManuallyTriggered',
              message: 'renewal asked by the test',
              lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            },
          ],
        },
      },
    });
    await readyRevision(namespace, 2);
    const second = await tlsSecret(namespace);
    assert.notEqual(second.leaf.serialNumber, first.leaf.serialNumber);
    assert.ok(second.keyMatches);
    assert.ok(
      !second.leaf.publicKey.export({ format: 'der', type: 'spki' }).equals(first.leaf.publicKey.export({ format: 'der', type: 'spki' })),
      'a new key (rotationPolicy Always)',
    );
    assert.equal(ca.stats.requests.get('kur'), kurBefore + 1, 'the renewal was a kur');
  });

  it('killed while the CA answers waiting: the restarted loop resumes the same transaction', async function () {
    const { name: namespace } = ns();
    const slow = await startDevelopmentCa({ port: 0, secret: 'iak-secret', reference: 'rv-1', poll: 4, checkAfterSeconds: 1 });
    try {
      await issuerAndCertificate('p10cr', slow.url);
      await runLoop(namespace);
      // The record once the CA has answered `waiting` (before that it says `sending`).
      const record = (r: CertificateRequest) =>
        JSON.parse(r.metadata.annotations?.[TRANSACTION_ANNOTATION] ?? '{}') as { phase?: string; transaction?: string };
      const saved = record(
        await requestWhen(api, namespace, 'the recorded waiting CMP transaction', (_ready, r) => record(r).phase === 'waiting'),
      ).transaction!;
      await loop!.shutdown(); // "killed": no more polling from this one
      loop = undefined;
      const enrollments = slow.stats.enrollments;
      await runLoop(namespace);
      await readyRevision(namespace, 1);
      assert.equal(slow.stats.enrollments, enrollments, 'no second enrollment after the restart');
      const tid = Buffer.from((JSON.parse(saved) as { transactionID: string }).transactionID, 'base64').toString('hex');
      assert.equal(slow.stats.enrollmentsByTransaction.get(tid), 1, 'the saved transaction is the one that was issued');
      assert.deepEqual([...slow.stats.enrollmentsByTransaction.values()], [1]);
    } finally {
      await slow.stop();
    }
  });
});
