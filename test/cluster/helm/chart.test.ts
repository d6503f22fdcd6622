// The Helm chart deploy/helm/cmpv2-operator, checked with the bed's helm: lint, template with the
// default values and with every value set (each value reaching its object, the objects accepted
// by the API server in a server-side dry run), the same objects as the kustomize base for the
// same settings (labels Helm adds aside), a schema that rejects wrong types, one version everywhere.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CoreV1Api } from '@kubernetes/client-node';
import { adminKubeConfig, bed, deleteNamespace } from '../bed.js';
import { CHART, CommandError, ROOT, helm, kubectl, objectKey, parseManifests, type Manifest } from './helm.js';

/** Labels and annotations only Helm adds: release bookkeeping, not the object's meaning. */
const HELM_LABELS = ['app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by', 'helm.sh/chart'];
const HELM_ANNOTATIONS = ['helm.sh/resource-policy'];

/** A copy without Helm's own labels (in labels, selectors and matchLabels) and annotations. */
function normalise(value: unknown, parentKey = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => normalise(v));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (['labels', 'matchLabels', 'selector'].includes(parentKey) && HELM_LABELS.includes(k)) continue;
    if (parentKey === 'annotations' && HELM_ANNOTATIONS.includes(k)) continue;
    const child = normalise(v, k);
    if (k === 'annotations' && child && typeof child === 'object' && Object.keys(child).length === 0) continue;
    out[k] = child;
  }
  return out;
}

const byKey = (objects: Manifest[]) => new Map(objects.map((o) => [objectKey(o), o]));

interface Container {
  image: string;
  imagePullPolicy: string;
  args: string[];
  env: { name: string; value?: string }[];
  ports: { name: string; containerPort: number }[];
  resources: unknown;
  securityContext: Record<string, unknown>;
}
interface PodSpec {
  serviceAccountName: string;
  priorityClassName?: string;
  imagePullSecrets?: { name: string }[];
  nodeSelector?: unknown;
  tolerations?: unknown;
  affinity?: unknown;
  topologySpreadConstraints?: unknown;
  terminationGracePeriodSeconds: number;
  securityContext: unknown;
  containers: Container[];
}
const podOf = (d: Manifest) =>
  (d.spec as { template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec } }).template;

describe('Helm chart deploy/helm/cmpv2-operator', function () {
  let kubeconfig: string;
  let dir: string;
  let namespace: string;
  const packageJson = async () => JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };

  before(async function () {
    kubeconfig = (await bed()).kubeconfig;
    dir = await mkdtemp(join(tmpdir(), 'cmpv2-chart-'));
    namespace = `helm-values-${randomBytes(4).toString('hex')}`;
    await (
      await adminKubeConfig()
    )
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: namespace, labels: { 'cmpv2-testbed/test': 'true' } } } });
  });
  after(async function () {
    this.timeout(60_000);
    if (dir) await rm(dir, { recursive: true, force: true });
    if (namespace) await deleteNamespace(await adminKubeConfig(), namespace).catch(() => undefined);
  });

  it('helm lint --strict passes with the default values and with every value set', async function () {
    this.timeout(60_000);
    assert.match(await helm(['lint', '--strict', CHART]), /1 chart\(s\) linted, 0 chart\(s\) failed/);
    const values = join(dir, 'all.yaml');
    await writeFile(values, (await readFile(join(import.meta.dirname, 'allValues.yaml'), 'utf8')).replaceAll('NAMESPACE', namespace));
    assert.match(await helm(['lint', '--strict', CHART, '-f', values]), /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it("one version: package.json's is the chart's version and appVersion, and the image tag of both deploy paths", async function () {
    const { version } = await packageJson();
    const chart = parse(await readFile(join(CHART, 'Chart.yaml'), 'utf8')) as { version: string; appVersion: string };
    assert.deepEqual([chart.version, chart.appVersion], [version, version]);
    const deployment = parseManifests(await helm(['template', 'cmpv2-operator', CHART, '-n', 'cmpv2-operator'])).find((o) => o.kind === 'Deployment')!;
    assert.equal(podOf(deployment).spec.containers[0].image, `cmpv2-operator:${version}`);
    const kustomization = parse(await readFile(join(ROOT, 'deploy', 'kustomization.yaml'), 'utf8')) as { images: { name: string; newTag: string }[] };
    assert.deepEqual(kustomization.images, [{ name: 'cmpv2-operator', newTag: version }]);
  });

  it('renders the same objects as the kustomize base for the same settings (Helm bookkeeping labels aside)', async function () {
    this.timeout(60_000);
    const base = byKey(parseManifests(await kubectl(['kustomize', join(ROOT, 'deploy')], kubeconfig)));
    const chart = byKey(parseManifests(await helm(['template', 'cmpv2-operator', CHART, '-n', 'cmpv2-operator', '--set', 'namespaceObject.create=true'])));
    assert.deepEqual([...chart.keys()].sort(), [...base.keys()].sort(), 'the same kinds and names');
    for (const [key, object] of base) assert.deepEqual(normalise(chart.get(key)), normalise(object), key);
    // What was normalised away is only Helm's: every base label is on the chart's object too.
    for (const [key, object] of base) {
      for (const [label, value] of Object.entries(object.metadata.labels ?? {}))
        assert.equal(chart.get(key)!.metadata.labels?.[label], value, `${key} ${label}`);
    }
    // The CRDs are kept when the release is uninstalled.
    for (const crd of [...chart.values()].filter((o) => o.kind === 'CustomResourceDefinition')) {
      assert.equal(crd.metadata.annotations?.['helm.sh/resource-policy'], 'keep', crd.metadata.name);
    }
  });

  it('with every value set, each value reaches its object and the API server accepts them (dry run)', async function () {
    this.timeout(90_000);
    // allValues.yaml sets every value values.yaml has.
    const paths = (value: unknown, prefix = ''): [string, unknown][] =>
      value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0
        ? Object.entries(value).flatMap(([k, v]) => paths(v, prefix ? `${prefix}.${k}` : k))
        : [[prefix, value]];
    const defaults = new Map(paths(parse(await readFile(join(CHART, 'values.yaml'), 'utf8'))));
    const all = new Map(paths(parse(await readFile(join(import.meta.dirname, 'allValues.yaml'), 'utf8'))));
    for (const path of defaults.keys()) {
      const covered = [...all.keys()].filter((p) => p === path || p.startsWith(`${path}.`));
      assert.ok(covered.length > 0, `allValues.yaml sets ${path}`);
    }
    const values = join(dir, 'all.yaml');
    await writeFile(values, (await readFile(join(import.meta.dirname, 'allValues.yaml'), 'utf8')).replaceAll('NAMESPACE', namespace));
    const rendered = await helm(['template', 'rel', CHART, '-n', 'elsewhere', '-f', values]);
    const objects = parseManifests(rendered);
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    assert.deepEqual(kinds, [
      'ClusterRole/cmpv2-everything',
      'ClusterRole/cmpv2-everything-approver',
      'ClusterRoleBinding/cmpv2-everything',
      'ClusterRoleBinding/cmpv2-everything-approver-cert-manager-approver-policy',
      'Deployment/cmpv2-everything',
      'NetworkPolicy/cmpv2-everything',
      'PodDisruptionBudget/cmpv2-everything',
      'Role/cmpv2-everything-leader-election',
      'RoleBinding/cmpv2-everything-leader-election',
      'Service/cmpv2-everything-metrics',
      'ServiceAccount/cmpv2-sa',
      'ServiceMonitor/cmpv2-everything',
    ]);
    for (const o of objects) {
      assert.equal(o.metadata.labels?.team, 'pki', `global.commonLabels on ${o.kind}`);
      assert.equal(o.metadata.labels?.['app.kubernetes.io/name'], 'cmpv2op', `nameOverride on ${o.kind}`);
      if (!['ClusterRole', 'ClusterRoleBinding'].includes(o.kind)) assert.equal(o.metadata.namespace, namespace, `namespace of ${o.kind}`);
    }
    const find = (kind: string) => objects.find((o) => o.kind === kind)!;
    const pod = podOf(find('Deployment'));
    const [c] = pod.spec.containers;
    assert.equal((find('Deployment').spec as { replicas: number }).replicas, 3);
    assert.equal(c.image, 'registry.example.org/onap/cmpv2-operator@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
    assert.equal(c.imagePullPolicy, 'Always');
    assert.deepEqual(c.args, [
      'run',
      '--leader-elect',
      '--lease-name=cmpv2-everything',
      `--lease-namespace=${namespace}`,
      '--controllers=issuer',
      '--namespace=onap',
      '--namespace=my-app',
      '--cluster-resource-namespace=onap',
      '--max-retry-duration=1h30m',
      '--metrics-addr=:9402',
      '--health-addr=:9403',
      '--log-level=debug',
      '--log-format=text',
      '--lease-name=overridden',
    ]);
    assert.deepEqual(
      c.env.filter((e) => e.value !== undefined),
      [
        { name: 'NODE_OPTIONS', value: '--max-old-space-size=300' },
        { name: 'EXTRA', value: '1' },
      ],
    );
    assert.deepEqual(
      c.ports.map((p) => [p.name, p.containerPort]),
      [
        ['metrics', 9402],
        ['health', 9403],
      ],
    );
    assert.deepEqual(c.resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2', memory: '512Mi' } });
    assert.equal(c.securityContext.runAsNonRoot, true);
    assert.deepEqual(pod.spec.imagePullSecrets, [{ name: 'my-registry' }, { name: 'global-registry' }]);
    assert.equal(pod.spec.priorityClassName, 'pki-critical');
    assert.equal(pod.spec.serviceAccountName, 'cmpv2-sa');
    assert.equal(pod.spec.terminationGracePeriodSeconds, 90);
    assert.deepEqual(pod.spec.nodeSelector, { 'kubernetes.io/os': 'linux' });
    assert.ok(pod.spec.tolerations && pod.spec.affinity && pod.spec.topologySpreadConstraints, 'tolerations, affinity, spread');
    assert.equal((pod.spec.securityContext as { fsGroup: number }).fsGroup, 10001);
    assert.equal(pod.metadata.labels.tier, 'security');
    assert.equal(pod.metadata.annotations?.['prometheus.io/scrape'], 'true');
    const sa = find('ServiceAccount') as Manifest & { automountServiceAccountToken?: boolean };
    assert.deepEqual([sa.automountServiceAccountToken, sa.metadata.annotations], [false, { 'example.org/owner': 'pki' }]);
    const approverBinding = objects.find((o) => o.metadata.name === 'cmpv2-everything-approver-cert-manager-approver-policy')!;
    assert.deepEqual(approverBinding.subjects, [{ kind: 'ServiceAccount', name: 'cert-manager-approver-policy', namespace: 'cert-manager' }]);
    const service = find('Service') as Manifest & { spec: { type: string; ports: { port: number }[] } };
    assert.deepEqual([service.spec.type, service.spec.ports[0].port, service.metadata.annotations], ['NodePort', 9402, { 'example.org/scrape': 'yes' }]);
    const monitor = find('ServiceMonitor') as Manifest & { spec: { endpoints: { interval: string; scrapeTimeout: string }[] } };
    assert.equal(monitor.metadata.labels?.release, 'prometheus');
    assert.deepEqual([monitor.spec.endpoints[0].interval, monitor.spec.endpoints[0].scrapeTimeout], ['30s', '10s']);
    assert.deepEqual((find('PodDisruptionBudget').spec as Record<string, unknown>).maxUnavailable, 1);
    const policy = find('NetworkPolicy').spec as { ingress: { from?: unknown }[]; egress: unknown[] };
    assert.deepEqual(policy.ingress[0].from, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
    assert.deepEqual(policy.egress, [{ ports: [{ port: 443, protocol: 'TCP' }] }]);

    // The bed has no prometheus-operator CRDs: everything else goes to the API server.
    const file = join(dir, 'all-rendered.yaml');
    await writeFile(
      file,
      rendered
        .split(/^---$/m)
        .filter((doc) => !/^kind: ServiceMonitor$/m.test(doc))
        .join('---'),
    );
    const out = await kubectl(['apply', '--server-side', '--dry-run=server', '--field-manager=cmpv2-chart-test', '-f', file], kubeconfig);
    assert.equal(out.trim().split('\n').length, objects.length - 1, out);
  });

  it('values.schema.json rejects a wrong type or an unknown choice, naming the value', async function () {
    this.timeout(60_000);
    const refused = async (args: string[]) => {
      const err = await helm(['template', 'rel', CHART, ...args]).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof CommandError, `helm template ${args.join(' ')} must fail`);
      return err.stderr;
    };
    assert.match(await refused(['--set', 'replicaCount=many']), /at '\/replicaCount': got string, want integer/);
    assert.match(await refused(['--set', 'logFormat=yaml']), /at '\/logFormat': value must be one of 'json', 'text'/);
    assert.match(await refused(['--set', 'crds.enabled=maybe']), /at '\/crds\/enabled': got string, want boolean/);
    assert.match(await refused(['--set', 'metrics.typo=1']), /at '\/metrics': additional properties 'typo' not allowed/);
  });

  it('works as a dependency chart (as ONAP OOM uses it): condition, global values, CRDs left to the parent', async function () {
    this.timeout(60_000);
    const parent = join(dir, 'onap-parent');
    await mkdir(join(parent, 'templates'), { recursive: true });
    await writeFile(
      join(parent, 'Chart.yaml'),
      [
        'apiVersion: v2',
        'name: onap-parent',
        'version: 1.0.0',
        'dependencies:',
        '  - name: cmpv2-operator',
        '    version: 0.1.0',
        `    repository: file://${CHART}`,
        '    condition: cmpv2-operator.enabled',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(parent, 'values.yaml'),
      [
        'global:',
        '  imagePullSecrets: [{name: onap-docker-registry-key}]',
        '  commonLabels: {release-group: onap}',
        '  repository: nexus3.onap.org:10001',
        'cmpv2-operator:',
        '  enabled: true',
        '  crds: {enabled: false}',
        '  clusterResourceNamespace: onap',
        '',
      ].join('\n'),
    );
    assert.match(await helm(['dependency', 'build', parent]), /Saving 1 charts/);
    const objects = parseManifests(await helm(['template', 'onap', parent, '-n', 'onap']));
    assert.ok(objects.length > 0);
    assert.ok(!objects.some((o) => o.kind === 'CustomResourceDefinition'), 'no CRDs: the parent owns them');
    for (const o of objects) assert.equal(o.metadata.labels?.['release-group'], 'onap', `${o.kind} carries the parent's common labels`);
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    assert.equal(deployment.metadata.name, 'onap-cmpv2-operator');
    const pod = podOf(deployment).spec;
    assert.deepEqual(pod.imagePullSecrets, [{ name: 'onap-docker-registry-key' }]);
    assert.ok(pod.containers[0].args.includes('--cluster-resource-namespace=onap'));
    // The parent's condition turns it off.
    const off = parseManifests(await helm(['template', 'onap', parent, '-n', 'onap', '--set', 'cmpv2-operator.enabled=false']));
    assert.deepEqual(off, []);
  });
});
