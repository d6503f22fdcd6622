// deploy/ on the test bed: `kubectl kustomize deploy/` renders, the API server accepts every
// object (server-side apply as admin), and the operator started as a real `run` child process
// under the shipped ServiceAccount (a TokenRequest token, not admin) enrolls a Certificate
// through a CMPv2Issuer with the development CA and builds its keystores — so the shipped RBAC
// is enough. /healthz, /readyz (a follower too), /metrics answer; SIGTERM → exit 0, Lease released.
import { CLUSTER_CMPV2_ISSUERS, CMPV2_ISSUERS } from '../../../src/api/cmpv2Issuer.js';
import { CERTIFICATE_REQUESTS, CERTIFICATES } from '../../../src/api/certManager.js';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import { KubeApi } from '../../../src/k8s/apiClient.js';
import { isNotFound } from '../../../src/k8s/apiError.js';
import { CONFIG_MAPS, EVENTS, LEASES, SECRETS, type ResourceType } from '../../../src/k8s/resources.js';
import type { Certificate, CertificateRequest } from '../../../src/api/certManager.js';
import type { KubeList, Secret } from '../../../src/k8s/meta.js';
import { readJks, readPkcs12 } from '../../../src/keystore/index.js';
import { parseCertificateBundle } from '../../../src/pki/pem.js';
import { applyDirectory } from '../../../scripts/testbed/apply.js';
import { layout } from '../../../scripts/testbed/layout.js';
import { adminKubeConfig, bed, deleteNamespace, eventually, serviceAccountKubeConfig, useNamespace } from '../bed.js';
import { OperatorProcess, withOutput } from './operatorProcess.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..', '..');
const OPERATOR_NAMESPACE = 'cmpv2-operator';
const SERVICE_ACCOUNT = 'cmpv2-operator';
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

async function kustomize(): Promise<{ yaml: string; objects: Manifest[] }> {
  const { stdout } = await run('kubectl', ['kustomize', join(ROOT, 'deploy')], { maxBuffer: 16 * 1024 * 1024 });
  return {
    yaml: stdout,
    objects: parseAllDocuments(stdout)
      .map((d) => d.toJSON() as Manifest)
      .filter((o) => o !== null),
  };
}

function find(objects: Manifest[], kind: string, name: string): Manifest {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind} ${name} in the rendered base`);
  return found;
}

function allows(rules: PolicyRule[], resource: ResourceType, verb: string, subresource?: string): boolean {
  const name = subresource ? `${resource.plural}/${subresource}` : resource.plural;
  return rules.some((r) => r.apiGroups.includes(resource.group) && r.resources.includes(name) && r.verbs.includes(verb) && !r.resourceNames);
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

describe('deploy/ on the test bed', function () {
  let admin: KubeConfig;
  let adminApi: KubeApi;
  let rendered: { yaml: string; objects: Manifest[] };

  before(async function () {
    admin = await adminKubeConfig();
    adminApi = await KubeApi.fromKubeConfig(admin);
    await applyDirectory(admin, layout.certManagerCrdsDir);
    rendered = await kustomize();
  });
  after(async function () {
    this.timeout(120_000);
    // Cluster-scoped objects of the base (CRDs stay: other suites use them), then the namespace.
    for (const o of rendered?.objects ?? []) {
      if (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding') {
        await adminApi
          .request('DELETE', `/apis/rbac.authorization.k8s.io/v1/${o.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings'}/${o.metadata.name}`)
          .catch((err: unknown) => {
            if (!isNotFound(err)) throw err;
          });
      }
    }
    if (admin) await deleteNamespace(admin, OPERATOR_NAMESPACE).catch(() => undefined);
    adminApi?.close();
  });

  it('kubectl kustomize renders the base: CRDs, RBAC from resources.ts, a hardened Deployment', function () {
    const { objects } = rendered;
    const kinds = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`));
    for (const expected of [
      'Namespace/cmpv2-operator',
      'ServiceAccount/cmpv2-operator',
      'CustomResourceDefinition/cmpv2issuers.certmanager.onap.org',
      'CustomResourceDefinition/clustercmpv2issuers.certmanager.onap.org',
      'ClusterRole/cmpv2-operator',
      'ClusterRoleBinding/cmpv2-operator',
      'Role/cmpv2-operator-leader-election',
      'RoleBinding/cmpv2-operator-leader-election',
      'ClusterRole/cmpv2-operator-approver',
      'Deployment/cmpv2-operator',
      'Service/cmpv2-operator-metrics',
    ]) {
      assert.ok(kinds.has(expected), `${expected} rendered`);
    }
    for (const o of objects) {
      const namespaced = !['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind);
      assert.equal(o.metadata.namespace, namespaced ? OPERATOR_NAMESPACE : undefined, `${o.kind} ${o.metadata.name} namespace`);
    }

    const rules = find(objects, 'ClusterRole', 'cmpv2-operator').rules as PolicyRule[];
    for (const resource of [CERTIFICATE_REQUESTS, CERTIFICATES, CMPV2_ISSUERS, CLUSTER_CMPV2_ISSUERS, SECRETS, CONFIG_MAPS]) {
      for (const verb of ['get', 'list', 'watch']) assert.ok(allows(rules, resource, verb), `${verb} ${resource.plural}`);
    }
    for (const [resource, sub] of [
      [CERTIFICATE_REQUESTS, 'status'],
      [CMPV2_ISSUERS, 'status'],
      [CLUSTER_CMPV2_ISSUERS, 'status'],
      [CERTIFICATE_REQUESTS, undefined],
      [SECRETS, undefined],
    ] as const) {
      assert.ok(allows(rules, resource, 'patch', sub), `patch ${resource.plural}${sub ? `/${sub}` : ''}`);
    }
    assert.ok(allows(rules, EVENTS, 'create') && allows(rules, EVENTS, 'patch'), 'events create, patch');
    // Least privilege: nothing is deleted, nothing but Events created, no wildcards, no Leases cluster-wide.
    for (const r of rules) {
      assert.ok(
        !r.verbs.some((v) => ['delete', 'deletecollection', '*', 'update', 'escalate', 'bind', 'impersonate'].includes(v)),
        `no broad verb in ${JSON.stringify(r)}`,
      );
      assert.ok(!r.resources.includes('*') && !r.apiGroups.includes('*'), 'no wildcard');
      if (r.verbs.includes('create')) assert.deepEqual(r.resources, ['events']);
    }
    assert.ok(!allows(rules, LEASES, 'get'), 'Leases only through the namespaced Role');
    const leaseRules = find(objects, 'Role', 'cmpv2-operator-leader-election').rules as PolicyRule[];
    for (const verb of ['get', 'create', 'update']) assert.ok(allows(leaseRules, LEASES, verb), `${verb} leases`);
    assert.deepEqual(find(objects, 'ClusterRole', 'cmpv2-operator-approver').rules, [
      {
        apiGroups: ['cert-manager.io'],
        resources: ['signers'],
        verbs: ['approve'],
        resourceNames: ['cmpv2issuers.certmanager.onap.org/*', 'clustercmpv2issuers.certmanager.onap.org/*'],
      },
    ]);

    interface Container {
      image: string;
      args: string[];
      env: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
      securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean; capabilities: { drop: string[] } };
      livenessProbe: { httpGet: { path: string } };
      readinessProbe: { httpGet: { path: string } };
      resources: { requests: Record<string, string>; limits: Record<string, string> };
    }
    const pod = (
      find(objects, 'Deployment', 'cmpv2-operator').spec as {
        template: { spec: { serviceAccountName: string; securityContext: Record<string, unknown>; containers: Container[] } };
      }
    ).template.spec;
    const [c] = pod.containers;
    assert.equal(pod.serviceAccountName, SERVICE_ACCOUNT);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
    // The release's version in both deploy paths (the chart's appVersion is checked by the helm test).
    assert.equal(c.image, `cmpv2-operator:${PACKAGE_VERSION}`);
    assert.deepEqual(c.args.slice(0, 2), ['run', '--leader-elect']);
    assert.deepEqual(
      [c.securityContext.readOnlyRootFilesystem, c.securityContext.allowPrivilegeEscalation, c.securityContext.capabilities.drop],
      [true, false, ['ALL']],
    );
    assert.deepEqual([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path], ['/healthz', '/readyz']);
    assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, 'requests and a memory limit');
    assert.equal(c.env.find((e) => e.name === 'POD_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath, 'metadata.namespace');
    assert.equal(c.env.find((e) => e.name === 'POD_NAME')?.valueFrom?.fieldRef?.fieldPath, 'metadata.name');
  });

  it('the API server accepts every object of the base (server-side apply), and the examples', async function () {
    const dir = await mkdtemp(join(tmpdir(), 'cmpv2-deploy-'));
    try {
      const file = join(dir, 'base.yaml');
      await writeFile(file, rendered.yaml);
      const env = { ...process.env, KUBECONFIG: (await bed()).kubeconfig };
      const applied = await run('kubectl', ['apply', '--server-side', '--force-conflicts', '--field-manager=cmpv2-deploy-test', '-f', file], { env }).catch(
        (err: { stderr?: string; message: string }) => {
          throw new Error(`kubectl apply refused the base: ${err.stderr ?? err.message}`);
        },
      );
      assert.equal(applied.stdout.trim().split('\n').length, rendered.objects.length, applied.stdout);
      for (const o of rendered.objects) {
        const { stdout } = await run('kubectl', ['get', o.kind, o.metadata.name, ...(o.metadata.namespace ? ['-n', o.metadata.namespace] : []), '-o', 'name'], {
          env,
        });
        assert.ok(stdout.trim().length > 0, `${o.kind} ${o.metadata.name} stored`);
      }
      // Examples are not in the base (they need a CA); a server-side dry run proves they validate.
      const examples = await run('kubectl', ['apply', '--server-side', '--dry-run=server', '-n', OPERATOR_NAMESPACE, '-f', join(ROOT, 'deploy', 'examples')], {
        env,
      }).catch((err: { stderr?: string; message: string }) => {
        throw new Error(`kubectl refused an example: ${err.stderr ?? err.message}`);
      });
      assert.match(examples.stdout, /cmpv2issuer\.certmanager\.onap\.org\/cmpv2-issuer-onap serverside-applied/);
      assert.match(examples.stdout, /certificate\.cert-manager\.io\/my-service serverside-applied/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('the operator as a `run` child process under the shipped ServiceAccount', function () {
    const ns = useNamespace('deploy-run');
    let ca: DevelopmentCa;
    let dir: string;
    const operators: OperatorProcess[] = [];

    before(async function () {
      // The base must be there (the test above applies it; when run alone, apply it here).
      await run('kubectl', ['apply', '--server-side', '--force-conflicts', '--field-manager=cmpv2-deploy-test', '-k', join(ROOT, 'deploy')], {
        env: { ...process.env, KUBECONFIG: (await bed()).kubeconfig },
      });
      await run('npm', ['run', 'build'], { cwd: ROOT });
      ca = await startDevelopmentCa({ port: 0, secret: 'iak-secret', reference: 'rv-1' });
      dir = await mkdtemp(join(tmpdir(), 'cmpv2-run-'));
    });
    after(async function () {
      for (const o of operators) o.kill();
      await ca?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** Plays cert-manager's approver when the bed runs without it (other suites turn it off). */
    async function approvePending(namespace: string): Promise<void> {
      if ((await bed()).approver) return;
      const list = await adminApi.request<KubeList<CertificateRequest>>('GET', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificaterequests`);
      for (const request of list.items) {
        const conditions = request.status?.conditions ?? [];
        if (conditions.some((c) => c.type === 'Approved' || c.type === 'Denied')) continue;
        const approved = {
          type: 'Approved',
          status: 'True',
          reason: 'test',
          message: 'approved by the test',
          lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        };
        await adminApi
          .request('PATCH', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificaterequests/${request.metadata.name}/status`, {
            contentType: 'application/merge-patch+json',
            body: { metadata: { resourceVersion: request.metadata.resourceVersion }, status: { conditions: [...conditions, approved] } },
          })
          .catch(() => undefined);
      }
    }

    it('enrolls through a CMPv2Issuer and builds keystores; endpoints answer; SIGTERM → exit 0, Lease released', async function () {
      this.timeout(240_000);
      const { name: namespace } = ns();
      const leaseName = `deploy-test-${namespace}`;
      const saConfig = await serviceAccountKubeConfig(OPERATOR_NAMESPACE, SERVICE_ACCOUNT);
      const kubeconfigFile = join(dir, 'sa-kubeconfig');
      await writeFile(kubeconfigFile, saConfig.exportConfig(), { mode: 0o600 });
      const args = [
        '--namespace',
        namespace,
        '--leader-elect',
        '--lease-namespace',
        OPERATOR_NAMESPACE,
        '--lease-name',
        leaseName,
        '--metrics-addr',
        '127.0.0.1:0',
        '--health-addr',
        '127.0.0.1:0',
        '--cluster-resource-namespace',
        'kube-system',
      ];
      const leader = OperatorProcess.start(kubeconfigFile, args);
      operators.push(leader);
      await withOutput([leader], async () => {
        const ports = await leader.ports();
        const base = `http://127.0.0.1:${ports.health}`;
        assert.deepEqual(await get(`${base}/healthz`), { status: 200, body: 'ok\n' });
        await eventually('the leader /readyz 200', async () => ((await get(`${base}/readyz`)).status === 200 ? true : undefined), 60_000);
        await eventually(
          'the leader to hold the Lease',
          async () => (leader.records().some((r) => r.msg === 'became leader; starting controllers') ? true : undefined),
          60_000,
        );

        await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cmp-iak' }, type: 'Opaque', stringData: { password: 'iak-secret' } });
        await ns().create({
          apiVersion: 'certmanager.onap.org/v1',
          kind: 'CMPv2Issuer',
          metadata: { name: 'dev-ca' },
          spec: {
            cmp: {
              url: ca.url,
              messageType: 'p10cr',
              protection: { passwordBasedMac: { secretRef: { name: 'cmp-iak', key: 'password' }, reference: 'rv-1' } },
            },
          },
        });
        await ns().create({
          apiVersion: 'cert-manager.io/v1',
          kind: 'Certificate',
          metadata: { name: 'web', annotations: { 'keystore.certmanager.onap.org/formats': 'jks,pkcs12' } },
          spec: {
            secretName: 'web-tls',
            commonName: 'web.example',
            dnsNames: ['web.example'],
            privateKey: { algorithm: 'ECDSA', size: 256 },
            issuerRef: { group: 'certmanager.onap.org', kind: 'CMPv2Issuer', name: 'dev-ca' },
          },
        });
        await eventually(
          'Certificate web Ready',
          async () => {
            await approvePending(namespace);
            const cert = await adminApi.request<Certificate>('GET', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates/web`);
            return cert.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? true : undefined;
          },
          120_000,
        );
        const secret = await eventually(
          'keystores in web-tls',
          async () => {
            const s = await adminApi.request<Secret>('GET', `/api/v1/namespaces/${namespace}/secrets/web-tls`);
            return s.data?.['keystore.jks'] && s.data['keystore.p12'] ? s : undefined;
          },
          60_000,
        );
        const data = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64');
        const leaf = new X509Certificate(data('tls.crt').toString('utf8'));
        assert.match(leaf.subject, /CN=web\.example/);
        assert.equal(parseCertificateBundle(data('ca.crt').toString('utf8')).certificates.length, 2, 'both roots of the development CA');
        const jks = readJks(data('truststore.jks'), data('truststore.pass').toString('utf8'));
        assert.deepEqual(
          jks.map((e) => e.kind),
          ['trustedCertificate', 'trustedCertificate'],
          'one trustedCertEntry per root',
        );
        const p12 = readPkcs12(data('keystore.p12'), data('keystore.pass').toString('utf8'));
        assert.ok(
          p12.entries.some((e) => e.kind === 'privateKey'),
          'PrivateKeyEntry in keystore.p12',
        );

        const metrics = await eventually(
          'the signed counter on /metrics',
          async () => {
            const m = await get(`http://127.0.0.1:${ports.metrics}/metrics`);
            return m.status === 200 &&
              new RegExp(`cmpv2_certificaterequests_total\\{issuer="CMPv2Issuer/${namespace}/dev-ca",outcome="issued",reason="Issued"\\} 1`).test(m.body)
              ? m.body
              : undefined;
          },
          30_000,
        );
        assert.match(metrics, /cmpv2_cmp_round_trip_seconds_count\{result="ok"\} [1-9]/);
        assert.match(metrics, /cmpv2_keystore_stores_built_total [1-9]/);
        assert.match(metrics, /cmpv2_workqueue_depth\{controller="keystore"\} \d+/);
        assert.ok(metrics.includes(`cmpv2_operator_build_info{version="${PACKAGE_VERSION}",node_version="${process.version}"} 1`), 'build_info');
        assert.match(metrics, /\ncmpv2_operator_leader 1\n/);
        const first = leader.records()[0];
        assert.deepEqual([first?.msg, first?.version], ['cmpv2-operator starting', PACKAGE_VERSION], 'the first log line names the version');

        // A second replica: a follower, ready once its caches are synced, reconciling nothing.
        const follower = OperatorProcess.start(kubeconfigFile, args);
        operators.push(follower);
        await withOutput([follower], async () => {
          const followerPorts = await follower.ports();
          await eventually(
            'the follower /readyz 200',
            async () => ((await get(`http://127.0.0.1:${followerPorts.health}/readyz`)).status === 200 ? true : undefined),
            60_000,
          );
          assert.ok(!follower.records().some((r) => r.msg === 'became leader; starting controllers'), 'the follower does not lead');
          assert.equal(await follower.stop(), 0, 'follower exit code');
        });

        const leaseBefore = await adminApi.request<{ spec: { holderIdentity?: string } }>(
          'GET',
          `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAMESPACE}/leases/${leaseName}`,
        );
        assert.ok(leaseBefore.spec.holderIdentity, 'the leader holds the Lease');
        assert.equal(await leader.stop(), 0, 'exit code after SIGTERM');
        const lease = await adminApi.request<{ spec: { holderIdentity?: string } }>(
          'GET',
          `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAMESPACE}/leases/${leaseName}`,
        );
        assert.ok(!lease.spec.holderIdentity, `Lease released, holder now ${JSON.stringify(lease.spec.holderIdentity)}`);
        assert.ok(
          leader.records().some((r) => r.msg === 'shut down'),
          'shutdown logged',
        );
        // The shipped RBAC covered everything the operator did: no request was refused.
        const refused = leader.records().filter((r) => /forbidden|\b403\b/i.test(JSON.stringify(r)));
        assert.deepEqual(refused, [], 'no Forbidden answer to the ServiceAccount');
      });
    });

    it('losing the Lease to another holder ends the process with exit 1 and one line; the new holder keeps it', async function () {
      this.timeout(120_000);
      const { name: namespace } = ns();
      const leaseName = `deploy-lost-${namespace}`;
      const kubeconfigFile = join(dir, 'sa-kubeconfig-lost');
      await writeFile(kubeconfigFile, (await serviceAccountKubeConfig(OPERATOR_NAMESPACE, SERVICE_ACCOUNT)).exportConfig(), { mode: 0o600 });
      const operator = OperatorProcess.start(kubeconfigFile, [
        '--namespace',
        namespace,
        '--controllers',
        'keystore',
        '--leader-elect',
        '--lease-namespace',
        OPERATOR_NAMESPACE,
        '--lease-name',
        leaseName,
        '--metrics-addr',
        '0',
        '--health-addr',
        '127.0.0.1:0',
      ]);
      operators.push(operator);
      await withOutput([operator], async () => {
        await eventually(
          'the operator to lead',
          async () => (operator.records().some((r) => r.msg === 'became leader; starting controllers') ? true : undefined),
          60_000,
        );
        const path = `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAMESPACE}/leases/${leaseName}`;
        // Another holder takes the Lease over (as an admin could, or a partitioned peer after expiry).
        await eventually(
          'the Lease taken over',
          async () => {
            const lease = await adminApi.request<{ metadata: Record<string, unknown>; spec: Record<string, unknown> }>('GET', path);
            const now = new Date().toISOString().replace(/Z$/, '000Z'); // MicroTime: six fractional digits
            await adminApi.request('PUT', path, {
              body: { ...lease, spec: { ...lease.spec, holderIdentity: 'someone-else', leaseDurationSeconds: 3600, renewTime: now, acquireTime: now } },
            });
            return true;
          },
          30_000,
        );
        assert.equal(await operator.exited, 1, 'exit code after losing the Lease');
        const lines = operator.output.trim().split('\n');
        assert.equal(lines.at(-1), 'cmpv2-operator: lost the leader election Lease');
        const lease = await adminApi.request<{ spec: { holderIdentity?: string } }>('GET', path);
        assert.equal(lease.spec.holderIdentity, 'someone-else', 'the operator did not release a Lease it no longer holds');
      });
    });

    it('over all namespaces (one shared Secret cache) a follower becomes ready, reconciles nothing and exits 0', async function () {
      this.timeout(120_000);
      const { name: namespace } = ns();
      const leaseName = `deploy-follower-${namespace}`;
      const now = new Date().toISOString().replace(/Z$/, '000Z');
      // Someone else leads for the next hour: this process must stay a follower.
      await adminApi.request('POST', `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAMESPACE}/leases`, {
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: leaseName },
          spec: { holderIdentity: 'someone-else', leaseDurationSeconds: 3600, acquireTime: now, renewTime: now },
        },
      });
      const kubeconfigFile = join(dir, 'sa-kubeconfig-follower');
      await writeFile(kubeconfigFile, (await serviceAccountKubeConfig(OPERATOR_NAMESPACE, SERVICE_ACCOUNT)).exportConfig(), { mode: 0o600 });
      const follower = OperatorProcess.start(kubeconfigFile, [
        '--leader-elect',
        '--lease-namespace',
        OPERATOR_NAMESPACE,
        '--lease-name',
        leaseName,
        '--metrics-addr',
        '127.0.0.1:0',
        '--health-addr',
        '127.0.0.1:0',
      ]);
      operators.push(follower);
      await withOutput([follower], async () => {
        const ports = await follower.ports();
        await eventually(
          'the follower /readyz 200 (every cache synced, the shared Secret list included)',
          async () => ((await get(`http://127.0.0.1:${ports.health}/readyz`)).status === 200 ? true : undefined),
          90_000,
        );
        const metrics = await get(`http://127.0.0.1:${ports.metrics}/metrics`);
        assert.doesNotMatch(metrics.body, /cmpv2_certificaterequests_total\{/, 'a follower handles no request');
        assert.match(metrics.body, /\ncmpv2_operator_leader 0\n/, 'the leader gauge of a follower');
        assert.equal(await follower.stop(), 0, 'exit code after SIGTERM');
        assert.ok(!follower.records().some((r) => r.msg === 'became leader; starting controllers'), 'never led');
        const lease = await adminApi.request<{ spec: { holderIdentity?: string } }>(
          'GET',
          `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAMESPACE}/leases/${leaseName}`,
        );
        assert.equal(lease.spec.holderIdentity, 'someone-else');
      });
    });
  });
});
