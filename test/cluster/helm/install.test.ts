// The chart on the test bed: `helm install` into a namespace; the operator run as a `run` child
// process with the Deployment's own arguments, under the ServiceAccount and RBAC the chart created
// (a TokenRequest token, not admin), issues a Certificate through a CMPv2Issuer and builds its
// stores; `helm upgrade` with changed values reaches the Deployment; `helm uninstall` removes the
// operator and leaves the CRDs and every user's issuer, Certificate and Secret in place.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import type { KubeApi } from '../../../src/k8s/apiClient.js';
import { readJks, readPkcs12 } from '../../../src/keystore/index.js';
import { adminKubeConfig, bed, deleteNamespace, eventually, serviceAccountKubeConfig } from '../bed.js';
import { OperatorProcess, withOutput } from '../deploy/operatorProcess.js';
import { certificateManifest, issuerTestApi, pbmCmpSpec, readyCertificate } from '../issuer/support.js';
import { CHART, CommandError, ROOT, helm, kubectl, parseManifests } from './helm.js';

const CRDS = ['cmpv2issuers.certmanager.onap.org', 'clustercmpv2issuers.certmanager.onap.org'];

async function status(api: KubeApi, path: string): Promise<number> {
  return api.request('GET', path).then(
    () => 200,
    (err: unknown) => (err as { statusCode?: number; code?: number }).statusCode ?? (err as { code?: number }).code ?? 0,
  );
}

describe('Helm chart on the test bed: install, run under its ServiceAccount, upgrade, uninstall', function () {
  const suffix = randomBytes(3).toString('hex');
  const release = `cmpv2-operator-${suffix}`;
  const releaseNs = `helm-release-${suffix}`;
  const appNs = `helm-app-${suffix}`;
  let kubeconfig: string;
  let api: KubeApi;
  let ca: DevelopmentCa;
  let dir: string;
  const operators: OperatorProcess[] = [];

  before(async function () {
    this.timeout(180_000);
    kubeconfig = (await bed()).kubeconfig;
    api = await issuerTestApi(); // applies cert-manager's and our CRDs
    const core = (await adminKubeConfig()).makeApiClient(CoreV1Api);
    for (const name of [releaseNs, appNs]) await core.createNamespace({ body: { metadata: { name, labels: { 'cmpv2-testbed/test': 'true' } } } });
    // The bed's CRDs were applied by the test suites: let this release adopt them, as a user
    // taking over CRDs installed by other means does (ONAP's cmpv2-cert-provider, kubectl apply).
    for (const crd of CRDS) {
      await kubectl(['label', '--overwrite', 'crd', crd, 'app.kubernetes.io/managed-by=Helm'], kubeconfig);
      await kubectl(['annotate', '--overwrite', 'crd', crd, `meta.helm.sh/release-name=${release}`, `meta.helm.sh/release-namespace=${releaseNs}`], kubeconfig);
    }
    await promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT });
    ca = await startDevelopmentCa({ port: 0, secret: 'iak-secret', reference: 'rv-1' });
    dir = await mkdtemp(join(tmpdir(), 'cmpv2-helm-'));
  });

  after(async function () {
    this.timeout(120_000);
    for (const o of operators) o.kill();
    await ca?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    await helm(['uninstall', release, '-n', releaseNs], kubeconfig).catch(() => undefined);
    const admin = await adminKubeConfig();
    for (const name of [appNs, releaseNs]) await deleteNamespace(admin, name).catch(() => undefined);
    api?.close();
  });

  it('installs, the chart RBAC suffices to issue a Certificate with stores, upgrades, and uninstalls keeping CRDs and user objects', async function () {
    this.timeout(300_000);
    const installed = await helm(
      ['install', release, CHART, '-n', releaseNs, '--set', `namespaces={${appNs}}`, '--set', `clusterResourceNamespace=${releaseNs}`],
      kubeconfig,
    );
    assert.match(installed, /STATUS: deployed/);
    assert.match(installed, /REVISION: 1/);
    const deploymentPath = `/apis/apps/v1/namespaces/${releaseNs}/deployments/${release}`;
    for (const path of [
      deploymentPath,
      `/api/v1/namespaces/${releaseNs}/serviceaccounts/${release}`,
      `/api/v1/namespaces/${releaseNs}/services/${release}-metrics`,
      `/apis/rbac.authorization.k8s.io/v1/clusterroles/${release}`,
      `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${release}`,
      `/apis/rbac.authorization.k8s.io/v1/clusterroles/${release}-approver`,
      `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${release}-approver-cert-manager`,
      `/apis/rbac.authorization.k8s.io/v1/namespaces/${releaseNs}/roles/${release}-leader-election`,
      `/apis/rbac.authorization.k8s.io/v1/namespaces/${releaseNs}/rolebindings/${release}-leader-election`,
    ]) {
      assert.equal(await status(api, path), 200, `${path} installed`);
    }

    // The Deployment's container as the chart wrote it; the child listens on loopback instead.
    interface Container {
      args: string[];
      env: { name: string; value?: string; valueFrom?: unknown }[];
    }
    const deployment = await api.request<{ spec: { template: { spec: { serviceAccountName: string; containers: Container[] } } } }>('GET', deploymentPath);
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    assert.equal(container.args[0], 'run');
    assert.ok(container.args.includes(`--namespace=${appNs}`), container.args.join(' '));
    const args = [
      ...container.args.slice(1).filter((a) => !a.startsWith('--metrics-addr=') && !a.startsWith('--health-addr=')),
      '--metrics-addr=127.0.0.1:0',
      '--health-addr=127.0.0.1:0',
    ];
    const kubeconfigFile = join(dir, 'sa-kubeconfig');
    await writeFile(kubeconfigFile, (await serviceAccountKubeConfig(releaseNs, pod.serviceAccountName)).exportConfig(), { mode: 0o600 });
    // POD_NAMESPACE as the Deployment's downward API sets it: the Lease goes to the release namespace.
    const operator = OperatorProcess.start(kubeconfigFile, args, { POD_NAMESPACE: releaseNs });
    operators.push(operator);

    await withOutput([operator], async () => {
      const ports = await operator.ports();
      await eventually(
        'the operator to lead',
        async () => (operator.records().some((r) => r.msg === 'became leader; starting controllers') ? true : undefined),
        60_000,
      );
      await api.request('POST', `/api/v1/namespaces/${appNs}/secrets`, {
        body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cmp-iak' }, type: 'Opaque', stringData: { password: 'iak-secret' } },
      });
      await api.request('POST', `/apis/certmanager.onap.org/v1/namespaces/${appNs}/cmpv2issuers`, {
        body: { apiVersion: 'certmanager.onap.org/v1', kind: 'CMPv2Issuer', metadata: { name: 'dev-ca' }, spec: pbmCmpSpec(ca.url ?? '', 'cmp-iak', 'rv-1') },
      });
      const certificate = certificateManifest('web', { kind: 'CMPv2Issuer', name: 'dev-ca' });
      (certificate.metadata as { annotations?: Record<string, string> }).annotations = { 'keystore.certmanager.onap.org/formats': 'jks,pkcs12,pem' };
      await api.request('POST', `/apis/cert-manager.io/v1/namespaces/${appNs}/certificates`, { body: certificate });
      await readyCertificate(api, appNs, 'web', 1, 120_000);
      const secret = await eventually(
        'the stores in web-tls',
        async () => {
          const s = await api.request<{ data?: Record<string, string> }>('GET', `/api/v1/namespaces/${appNs}/secrets/web-tls`);
          return s.data?.['keystore.jks'] && s.data['keystore.p12'] && s.data['truststore.pem'] ? s : undefined;
        },
        60_000,
      );
      const data = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64');
      assert.deepEqual(
        readJks(data('truststore.jks'), data('truststore.pass').toString('utf8')).map((e) => e.kind),
        ['trustedCertificate', 'trustedCertificate'],
        'both roots of the development CA, each its own trustedCertEntry',
      );
      assert.ok(readPkcs12(data('keystore.p12'), data('keystore.pass').toString('utf8')).entries.some((e) => e.kind === 'privateKey'));
      for (const key of ['keystore.pem', 'key.pem']) assert.ok(data(key).length > 0, key);

      const version = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
      const metrics = await eventually(
        'the issued counter with the namespaced issuer label',
        async () => {
          const body = await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
          return body.includes(`cmpv2_certificaterequests_total{issuer="CMPv2Issuer/${appNs}/dev-ca",outcome="issued",reason="Issued"} 1`) ? body : undefined;
        },
        30_000,
      );
      assert.ok(metrics.includes(`cmpv2_operator_build_info{version="${version}",node_version="${process.version}"} 1`), 'build_info');
      assert.match(metrics, /\ncmpv2_operator_leader 1\n/);
      assert.equal(await operator.stop(), 0, 'exit code after SIGTERM');
      const refused = operator.records().filter((r) => /forbidden|\b403\b/i.test(JSON.stringify(r)));
      assert.deepEqual(refused, [], "no Forbidden answer to the chart's ServiceAccount");
    });

    const upgraded = await helm(
      [
        'upgrade',
        release,
        CHART,
        '-n',
        releaseNs,
        '--reuse-values',
        '--set',
        'logLevel=debug',
        '--set',
        'replicaCount=2',
        '--set',
        'podDisruptionBudget.enabled=true',
      ],
      kubeconfig,
    );
    assert.match(upgraded, /REVISION: 2/);
    const after = await api.request<{ spec: { replicas: number; template: { spec: { containers: Container[] } } } }>('GET', deploymentPath);
    assert.equal(after.spec.replicas, 2);
    assert.ok(after.spec.template.spec.containers[0].args.includes('--log-level=debug'), 'the new log level reached the Deployment');
    assert.ok(after.spec.template.spec.containers[0].args.includes(`--namespace=${appNs}`), '--reuse-values kept the watched namespace');
    assert.equal(await status(api, `/apis/policy/v1/namespaces/${releaseNs}/poddisruptionbudgets/${release}`), 200, 'the PodDisruptionBudget');
    const manifest = parseManifests(await helm(['get', 'manifest', release, '-n', releaseNs], kubeconfig));
    assert.ok(manifest.some((o) => o.kind === 'PodDisruptionBudget'));

    const uninstalled = await helm(['uninstall', release, '-n', releaseNs], kubeconfig);
    assert.match(uninstalled, /These resources were kept due to the resource policy:/);
    assert.match(uninstalled, /\[CustomResourceDefinition\] cmpv2issuers\.certmanager\.onap\.org/);
    assert.match(uninstalled, new RegExp(`release "${release}" uninstalled`));
    for (const path of [
      deploymentPath,
      `/apis/rbac.authorization.k8s.io/v1/clusterroles/${release}`,
      `/api/v1/namespaces/${releaseNs}/serviceaccounts/${release}`,
    ]) {
      assert.equal(await status(api, path), 404, `${path} removed`);
    }
    for (const path of [
      ...CRDS.map((crd) => `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd}`),
      `/apis/certmanager.onap.org/v1/namespaces/${appNs}/cmpv2issuers/dev-ca`,
      `/apis/cert-manager.io/v1/namespaces/${appNs}/certificates/web`,
      `/api/v1/namespaces/${appNs}/secrets/web-tls`,
      `/api/v1/namespaces/${appNs}/secrets/cmp-iak`,
    ]) {
      assert.equal(await status(api, path), 200, `${path} kept`);
    }
    const err = await helm(['status', release, '-n', releaseNs], kubeconfig).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof CommandError && /release: not found/.test(err.stderr), 'the release is gone');
  });
});
