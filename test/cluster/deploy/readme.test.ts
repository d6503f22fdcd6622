// The README's install commands and examples against the test bed's API server: every YAML
// example is accepted by a server-side dry run (the approver-policy CRD is not on the bed: that
// one example is checked for what it selects), `helm install` renders (helm template with the
// same arguments) and its objects pass the dry run, `kubectl apply -k deploy/` and the uninstall
// commands pass it too.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CoreV1Api } from '@kubernetes/client-node';
import { adminKubeConfig, bed, deleteNamespace } from '../bed.js';
import { ROOT, helm, kubectl, parseManifests } from '../helm/helm.js';
import { shellCommands, yamlObjects } from '../../readme/readme.js';

const DRY_RUN = ['--server-side', '--dry-run=server', '--force-conflicts', '--field-manager=cmpv2-readme-test'];

describe("README's install commands and examples on the test bed (server-side dry run)", function () {
  let kubeconfig: string;
  let dir: string;
  const namespace = `readme-${randomBytes(4).toString('hex')}`;
  let createdOperatorNamespace = false;

  before(async function () {
    kubeconfig = (await bed()).kubeconfig;
    dir = await mkdtemp(join(tmpdir(), 'cmpv2-readme-'));
    const core = (await adminKubeConfig()).makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'cmpv2-testbed/test': 'true' } } } });
    // The base's objects live in cmpv2-operator; a dry run does not create the namespace first.
    createdOperatorNamespace = await core.readNamespace({ name: 'cmpv2-operator' }).then(
      () => false,
      async () => {
        await core.createNamespace({ body: { metadata: { name: 'cmpv2-operator' } } });
        return true;
      },
    );
  });
  after(async function () {
    this.timeout(60_000);
    if (dir) await rm(dir, { recursive: true, force: true });
    const admin = await adminKubeConfig();
    await deleteNamespace(admin, namespace).catch(() => undefined);
    if (createdOperatorNamespace) await deleteNamespace(admin, 'cmpv2-operator').catch(() => undefined);
  });

  it('every YAML example is accepted by the API server', async function () {
    const objects = yamlObjects();
    const policies = objects.filter((o) => o.kind === 'CertificateRequestPolicy');
    const rest = objects.filter((o) => o.kind !== 'CertificateRequestPolicy');
    assert.deepEqual(
      rest.map((o) => o.kind),
      ['CMPv2Issuer', 'Secret', 'CMPv2Issuer', 'Certificate', 'Pod'],
    );
    const file = join(dir, 'examples.yaml');
    await writeFile(file, rest.map((o) => stringify(o)).join('---\n'));
    const out = await kubectl(['apply', ...DRY_RUN, '-n', namespace, '-f', file], kubeconfig);
    assert.equal(out.trim().split('\n').length, rest.length, out);
    assert.match(out, /pod\/my-service serverside-applied \(server dry run\)/);
    // approver-policy is not installed on the bed: the policy must at least select our issuer kind.
    assert.equal(policies.length, 1);
    assert.deepEqual((policies[0].spec as { selector: { issuerRef: unknown } }).selector.issuerRef, {
      group: 'certmanager.onap.org',
      kind: 'CMPv2Issuer',
      name: 'cmp-ca',
    });
  });

  it('helm install (rendered with the same arguments) and kubectl apply -k deploy/ pass the dry run', async function () {
    this.timeout(120_000);
    const commands = shellCommands();
    const install = commands.find((c) => c.startsWith('helm install '));
    assert.ok(install, 'a helm install command');
    // `helm install NAME CHART …` → `helm template NAME CHART …` into the test namespace.
    const args = install
      .split(/\s+/)
      .slice(2)
      .filter((a) => a !== '--create-namespace');
    const nsIndex = args.indexOf('--namespace');
    assert.ok(nsIndex > 0);
    args[nsIndex + 1] = namespace;
    const rendered = await helm(['template', ...args.map((a) => (a.startsWith('deploy/') ? join(ROOT, a) : a))]);
    const objects = parseManifests(rendered);
    assert.ok(objects.some((o) => o.kind === 'Deployment' && JSON.stringify(o).includes('registry.example.org/cmpv2-operator:')));
    const file = join(dir, 'helm.yaml');
    await writeFile(file, rendered);
    const out = await kubectl(['apply', ...DRY_RUN, '-f', file], kubeconfig);
    assert.equal(out.trim().split('\n').length, objects.length, out);

    const apply = commands.find((c) => c.startsWith('kubectl apply -k '));
    assert.equal(apply, 'kubectl apply -k deploy/');
    const base = await kubectl(['apply', ...DRY_RUN, '-k', join(ROOT, 'deploy')], kubeconfig);
    assert.match(base, /deployment\.apps\/cmpv2-operator serverside-applied \(server dry run\)/);

    for (const command of commands.filter((c) => c.startsWith('kubectl delete '))) {
      await kubectl([...command.split(/\s+/).slice(1), '--dry-run=server'], kubeconfig);
    }
  });
});
