// deploy/examples/certservice: the kustomize overlay renders, the API server accepts every object
// (server-side dry run, cert-manager's CRDs installed), and the container's arguments are flags
// the `certservice` command has, with the mounted paths and the probe port matching.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { buildProgram } from '../../../src/cli/main.js';
import { bed, useNamespace } from '../bed.js';
import { issuerTestApi } from '../issuer/support.js';

const run = promisify(execFile);
const OVERLAY = join(process.cwd(), 'deploy', 'examples', 'certservice');

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}

describe('deploy/examples/certservice (kustomize overlay)', function () {
  const ns = useNamespace('certservice-deploy');
  let objects: Manifest[];

  before(async function () {
    (await issuerTestApi()).close(); // cert-manager's CRDs on the bed
    const { stdout } = await run('kubectl', ['kustomize', OVERLAY]);
    objects = parseAllDocuments(stdout).map((d) => d.toJSON() as Manifest);
  });

  it("renders ONAP's names: Service oom-cert-service:8443, the server TLS Secret, the cmpServers.json ConfigMap", () => {
    const byKind = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);
    assert.deepEqual(byKind('Service'), ['oom-cert-service']);
    assert.deepEqual(byKind('Deployment'), ['oom-cert-service']);
    assert.deepEqual(byKind('ConfigMap'), ['oom-cert-service-cmp-servers']);
    const service = objects.find((o) => o.kind === 'Service')!;
    assert.ok((service.spec!.ports as { port: number; name: string }[]).some((p) => p.port === 8443 && p.name === 'https'));
    const secrets = objects.filter((o) => o.kind === 'Certificate').map((o) => (o.spec as { secretName: string }).secretName);
    assert.deepEqual(secrets.sort(), ['oom-cert-service-client-tls-secret', 'oom-cert-service-server-tls-secret']);
  });

  it("the container's arguments are the certservice command's flags, its files where the volumes are mounted", async () => {
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    const pod = (deployment.spec as { template: { spec: { containers: { args: string[]; volumeMounts: { mountPath: string }[] }[] } } }).template.spec;
    const [container] = pod.containers;
    assert.equal(container.args[0], 'certservice');
    const program = await buildProgram(['node', 'cmpv2-operator', 'certservice']);
    const command = program.commands.find((c) => c.name() === 'certservice')!;
    const known = new Set(command.options.map((o) => o.long));
    for (const arg of container.args.slice(1)) assert.ok(known.has(arg.split('=')[0]), `${arg} is a certservice flag`);
    const mounts = container.volumeMounts.map((m) => m.mountPath);
    for (const arg of container.args.filter((a) => /^--(config|tls-cert|tls-key|tls-client-ca)=/.test(a))) {
      const file = arg.split('=')[1];
      assert.ok(
        mounts.some((m) => file.startsWith(`${m}/`)),
        `${file} lies in a mounted volume`,
      );
    }
  });

  it('the API server accepts every object (server-side dry run)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certservice-deploy-'));
    try {
      const file = join(dir, 'overlay.yaml');
      const moved = objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: ns().name } }));
      await writeFile(file, moved.map((o) => stringify(o)).join('---\n'));
      const env = { ...process.env, KUBECONFIG: (await bed()).kubeconfig };
      const { stdout } = await run('kubectl', ['apply', '--server-side', '--dry-run=server', '-f', file], { env });
      assert.equal(stdout.trim().split('\n').length, objects.length, stdout);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
