// Smoke test: the bed is a real control plane — a stamped kube-apiserver with RBAC, the real
// cert-manager controller issuing through its self-signed Issuer, CRD schema validation, and
// ServiceAccount tokens from the TokenRequest API.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { applyCrdDirectory } from '../../scripts/testbed/apply.js';
import { kubernetesVersion, layout } from '../../scripts/testbed/layout.js';
import { adminKubeConfig, ensureBed, eventually, rawRequest, serviceAccountKubeConfig, useNamespace, userKubeConfig } from './bed.js';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface WithConditions {
  status?: { conditions?: Condition[] };
}

describe('test bed', function () {
  before(async function () {
    const kc = await adminKubeConfig();
    const certManager = await applyCrdDirectory(kc, layout.certManagerCrdsDir);
    const ours = await applyCrdDirectory(kc, layout.projectCrdsDir);
    assert.ok(certManager.some((o) => o.metadata?.name === 'certificates.cert-manager.io'));
    assert.deepEqual(ours.map((o) => o.metadata?.name).sort(), ['clustercmpv2issuers.certmanager.onap.org', 'cmpv2issuers.certmanager.onap.org']);
  });

  it('serves /version of the Kubernetes release it was built from', async function () {
    const res = await rawRequest(await adminKubeConfig(), 'GET', '/version');
    assert.equal(res.status, 200);
    const version = res.body as { gitVersion: string; major: string; minor: string };
    assert.equal(version.gitVersion, kubernetesVersion.gitVersion);
    assert.equal(version.minor, kubernetesVersion.minor);
  });

  describe('cert-manager', function () {
    const ns = useNamespace('smoke');

    it('issues a Certificate through its self-signed Issuer and writes the Secret', async function () {
      const { name: namespace, kc } = ns();
      await ns().create({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'selfsigned' }, spec: { selfSigned: {} } });
      await ns().create({
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: 'smoke' },
        spec: {
          secretName: 'smoke-tls',
          commonName: 'smoke.example.org',
          dnsNames: ['smoke.example.org'],
          privateKey: { algorithm: 'ECDSA', size: 256 },
          issuerRef: { name: 'selfsigned', kind: 'Issuer', group: 'cert-manager.io' },
        },
      });
      const custom = kc.makeApiClient(CustomObjectsApi);
      const ready = await eventually(
        'Certificate smoke to be Ready',
        async () => {
          const cert = (await custom.getNamespacedCustomObject({
            group: 'cert-manager.io',
            version: 'v1',
            namespace,
            plural: 'certificates',
            name: 'smoke',
          })) as WithConditions;
          const condition = cert.status?.conditions?.find((c) => c.type === 'Ready');
          return condition?.status === 'True' ? condition : undefined;
        },
        90000,
      );
      assert.equal(ready.reason, 'Ready');

      const secret = await kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name: 'smoke-tls', namespace });
      assert.equal(secret.type, 'kubernetes.io/tls');
      const pem = Buffer.from(secret.data?.['tls.crt'] ?? '', 'base64');
      const certificate = new X509Certificate(pem);
      assert.match(certificate.subject, /CN=smoke\.example\.org/);
      // Self-signed: issuer name is its subject and its own key verifies it (checkIssued would
      // also demand keyCertSign, which cert-manager leaves out of a non-CA certificate).
      assert.equal(certificate.issuer, certificate.subject);
      assert.ok(certificate.verify(certificate.publicKey), 'signature verifies with its own key');
      assert.ok(certificate.subjectAltName?.includes('DNS:smoke.example.org'));
      assert.ok(secret.data?.['tls.key'], 'private key written');

      // The request went through cert-manager's approver (approves everything on this bed).
      const requests = (await custom.listNamespacedCustomObject({
        group: 'cert-manager.io',
        version: 'v1',
        namespace,
        plural: 'certificaterequests',
      })) as { items: WithConditions[] };
      assert.equal(requests.items.length, 1);
      assert.ok(requests.items[0].status?.conditions?.some((c) => c.type === 'Approved' && c.status === 'True'));
    });
  });

  describe('cert-manager without its approver (TESTBED_APPROVER=0)', function () {
    const ns = useNamespace('noapprove');

    let approverBefore = true;
    before(async function () {
      approverBefore = (await ensureBed()).approver;
      await ensureBed({ approver: false });
    });
    after(async function () {
      await ensureBed({ approver: approverBefore });
    });

    it('leaves a CertificateRequest unapproved until a test approves it through /status', async function () {
      const { name: namespace, kc } = ns();
      await ns().create({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'selfsigned' }, spec: { selfSigned: {} } });
      await ns().create({
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: 'manual' },
        spec: { secretName: 'manual-tls', commonName: 'manual.example.org', issuerRef: { name: 'selfsigned', kind: 'Issuer' } },
      });
      const custom = kc.makeApiClient(CustomObjectsApi);
      const list = async (): Promise<(WithConditions & { metadata: { name: string }; status?: { certificate?: string } })[]> =>
        (
          (await custom.listNamespacedCustomObject({ group: 'cert-manager.io', version: 'v1', namespace, plural: 'certificaterequests' })) as {
            items: (WithConditions & { metadata: { name: string } })[];
          }
        ).items;
      const request = await eventually('a CertificateRequest', async () => (await list())[0]);
      // Instead of a sleep: cert-manager's self-signed signer has handled the request (and, as
      // its Event says, left it alone for want of approval) — an approver acts on creation.
      const events = async (): Promise<{ reason?: string; message?: string; involvedObject: { name?: string } }[]> =>
        (
          (await rawRequest(kc, 'GET', `/api/v1/namespaces/${namespace}/events`)).body as {
            items: { reason?: string; message?: string; involvedObject: { name?: string } }[];
          }
        ).items;
      await eventually('the signer waiting for approval', async () =>
        (await events()).find(
          (e) => e.involvedObject.name === request.metadata.name && e.reason === 'WaitingForApproval' && /until it is Approved/.test(e.message ?? ''),
        ),
      ).catch(async (err: Error) => {
        throw new Error(`${err.message}; events: ${JSON.stringify((await events()).map((e) => [e.involvedObject.name, e.reason, e.message]))}`);
      });
      const waiting = (await list())[0];
      assert.ok(!waiting.status?.conditions?.some((c) => c.type === 'Approved' || c.type === 'Denied'), JSON.stringify(waiting.status));
      assert.equal(waiting.status?.certificate, undefined);

      const approve = await rawRequest(
        kc,
        'PATCH',
        `/apis/cert-manager.io/v1/namespaces/${namespace}/certificaterequests/${request.metadata.name}/status`,
        {
          status: {
            conditions: [
              ...(waiting.status?.conditions ?? []),
              {
                type: 'Approved',
                status: 'True',
                reason: 'TestApproved',
                message: 'approved by the test',
                lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
              },
            ],
          },
        },
        { 'Content-Type': 'application/merge-patch+json' },
      );
      assert.equal(approve.status, 200, JSON.stringify(approve.body));
      await eventually('the approved request to be signed', async () => ((await list())[0].status?.certificate ? true : undefined), 60000);
    });
  });

  describe('API server', function () {
    const ns = useNamespace('smoke');

    it('rejects a CMPv2Issuer with both backends through CRD schema validation', async function () {
      const res = await rawRequest(ns().kc, 'POST', `/apis/certmanager.onap.org/v1/namespaces/${ns().name}/cmpv2issuers`, {
        apiVersion: 'certmanager.onap.org/v1',
        kind: 'CMPv2Issuer',
        metadata: { name: 'both' },
        spec: { url: 'https://cs:8443', cmp: { url: 'http://ca/', protection: { signature: { secretRef: { name: 's' } } } } },
      });
      assert.equal(res.status, 422);
      assert.match((res.body as { message: string }).message, /exactly one backend per issuer/);
    });

    it('authorizes with RBAC: a user is forbidden until a RoleBinding grants access', async function () {
      const { name: namespace, kc } = ns();
      const alice = (await userKubeConfig('alice', ['smoke-testers'])).makeApiClient(CoreV1Api);
      await assert.rejects(alice.listNamespacedSecret({ namespace }), (err: { code?: number }) => err.code === 403);

      await kc.makeApiClient(RbacAuthorizationV1Api).createNamespacedRole({
        namespace,
        body: { metadata: { name: 'read-secrets' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }] },
      });
      await kc.makeApiClient(RbacAuthorizationV1Api).createNamespacedRoleBinding({
        namespace,
        body: {
          metadata: { name: 'testers-read-secrets' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-secrets' },
          subjects: [{ kind: 'Group', name: 'smoke-testers', apiGroup: 'rbac.authorization.k8s.io' }],
        },
      });
      const list = await eventually('RBAC to allow alice', () => alice.listNamespacedSecret({ namespace }), 10000);
      assert.ok(Array.isArray(list.items));
    });

    it('authenticates a ServiceAccount with a token from the TokenRequest API', async function () {
      const { name: namespace, kc } = ns();
      await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'operator' } } });
      const saKc = await serviceAccountKubeConfig(namespace, 'operator');
      const review = await rawRequest(saKc, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'SelfSubjectReview',
      });
      assert.equal(review.status, 201, JSON.stringify(review.body));
      const user = (review.body as { status: { userInfo: { username: string; groups: string[] } } }).status.userInfo;
      assert.equal(user.username, `system:serviceaccount:${namespace}:operator`);
      assert.ok(user.groups.includes('system:serviceaccounts'));
    });
  });
});
