// The operator as deploy/ ships it, leading: the Deployment's own `run` flags (all namespaces,
// leader election on, both loops) parsed by the `run` command's definition, assembled by
// Operator.start, against the bed through a counting proxy. As leader it enrolls a Certificate
// from the development CA through a CMPv2Issuer and builds the Java stores in its Secret; the
// proxy shows that the two loops shared one Secret cache: one list and one watch of Secrets,
// cluster-wide and metadata only. Counted at the proxy because only the requests that reach the
// API server prove it (an in-process count of informers would trust the code under test).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { registerRunCommand } from '../../../src/cli/run.js';
import { KEYSTORE_ANNOTATIONS } from '../../../src/api/keystoreAnnotations.js';
import { startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import type { KubeApi } from '../../../src/k8s/apiClient.js';
import { loadKubeconfigFiles } from '../../../src/k8s/kubeConfig.js';
import type { Lease } from '../../../src/k8s/leaderElection.js';
import type { Logger } from '../../../src/k8s/logger.js';
import type { Secret } from '../../../src/k8s/meta.js';
import { Operator } from '../../../src/operator/operator.js';
import { toOperatorOptions, type OperatorOptions } from '../../../src/operator/options.js';
import { repoRoot } from '../../../scripts/testbed/layout.js';
import { keytoolList } from '../../peer/keystore/javaTools.js';
import { startCountingApiProxy, type CountingApiProxy } from '../../support/countingApiProxy.js';
import { bed, ensureBed, eventually, useNamespace } from '../bed.js';
import { certificateManifest, derBase64, issuerTestApi, pbmCmpSpec, readTlsSecret, readyCertificate } from '../issuer/support.js';

/** The `run` arguments of deploy/deployment.yaml's container. */
function deploymentRunArgs(): string[] {
  const documents = parseAllDocuments(readFileSync(join(repoRoot, 'deploy', 'deployment.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
  const deployment = documents.find((d) => d.kind === 'Deployment') as { spec: { template: { spec: { containers: { name: string; args: string[] }[] } } } };
  const args = deployment.spec.template.spec.containers.find((c) => c.name === 'operator')?.args;
  assert.ok(args && args[0] === 'run', 'deploy/deployment.yaml runs `run`');
  return args.slice(1);
}

/** Flags → options exactly as `cmpv2-operator run` does (its commander definition and defaults), without starting it. */
async function runOptions(args: string[], podNamespace: string): Promise<OperatorOptions> {
  const program = new Command().exitOverride();
  registerRunCommand(program);
  let flags: unknown;
  program.commands.find((c) => c.name() === 'run')!.action((parsed: unknown) => void (flags = parsed));
  await program.parseAsync(['node', 'cmpv2-operator', 'run', ...args]);
  return toOperatorOptions(flags, () => podNamespace);
}

/** Collects warnings and errors for failure messages; the rest is dropped. */
class CollectingLogger implements Logger {
  readonly problems: string[] = [];
  debug(): void {}
  info(): void {}
  warn(fields: object, message?: string): void {
    this.problems.push(`${message ?? ''} ${JSON.stringify(fields)}`);
  }
  error(fields: object, message?: string): void {
    this.problems.push(`${message ?? ''} ${JSON.stringify(fields)}`);
  }
}

const SECRETS_COLLECTION = /^\/api\/v1\/(namespaces\/[^/]+\/)?secrets$/;

describe('the shipped mode as leader: all namespaces, leader election, one Secret cache (deploy/ flags, counting proxy)', function () {
  const ns = useNamespace('shipped');
  let api: KubeApi;
  let ca: DevelopmentCa | undefined;
  let proxy: CountingApiProxy | undefined;
  let operator: Operator | undefined;
  let dir: string;

  before(async function () {
    await ensureBed({ approver: true });
    api = await issuerTestApi();
    dir = mkdtempSync(join(tmpdir(), 'shipped-mode-'));
  });
  after(function () {
    api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async function () {
    await operator?.stop();
    await proxy?.close();
    await ca?.stop();
    operator = undefined;
    proxy = undefined;
    ca = undefined;
  });

  it('leads, enrolls through a CMPv2Issuer, builds jks/pkcs12/pem stores, with one list and one watch of Secrets', async function () {
    const { name: namespace } = ns();
    const args = deploymentRunArgs().map((arg) => (/^--(metrics|health)-addr=/.test(arg) ? arg.replace(/=.*$/, '=127.0.0.1:0') : arg));
    // The Deployment gets the pod namespace from the downward API; here it is the test's.
    const options = await runOptions(args, namespace);
    assert.deepEqual(options.namespaces, [], 'all namespaces');
    assert.equal(options.leaderElect, true);
    assert.deepEqual(options.controllers, ['issuer', 'keystore']);
    assert.equal(options.leaseNamespace, namespace);

    proxy = await startCountingApiProxy(loadKubeconfigFiles([(await bed()).kubeconfig]));
    const logger = new CollectingLogger();
    const identity = `shipped-${namespace}`;
    let fatal: string | undefined;
    operator = await Operator.start(options, {
      connection: { server: proxy.url, credentials: { kind: 'none' } },
      logger,
      identity,
      onFatal: (reason) => (fatal = reason),
    });
    const lease = await eventually('the operator holding the Lease', async () => {
      const current = await api
        .request<Lease>('GET', `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${options.leaseName}`)
        .catch(() => undefined);
      return current?.spec?.holderIdentity === identity && operator!.isLeader() ? current : undefined;
    });
    assert.equal(lease.spec?.holderIdentity, identity);

    ca = await startDevelopmentCa({ port: 0, secret: 'iak-secret', reference: 'rv-1' });
    await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cmp-iak' }, type: 'Opaque', stringData: { password: 'iak-secret' } });
    await ns().create({
      apiVersion: 'certmanager.onap.org/v1',
      kind: 'CMPv2Issuer',
      metadata: { name: 'dev-ca' },
      spec: pbmCmpSpec(ca.url!, 'cmp-iak', 'rv-1'),
    });
    const manifest = certificateManifest('app', { kind: 'CMPv2Issuer', name: 'dev-ca' });
    manifest.metadata = { name: 'app', annotations: { [KEYSTORE_ANNOTATIONS.formats]: 'jks,pkcs12,pem' } };
    await ns().create(manifest);

    await readyCertificate(api, namespace, 'app');
    const stored = await eventually('the stores in app-tls', async () => {
      const secret = await api.request<Secret>('GET', `/api/v1/namespaces/${namespace}/secrets/app-tls`);
      const keys = ['keystore.jks', 'truststore.jks', 'keystore.p12', 'truststore.p12', 'keystore.pem', 'key.pem', 'truststore.pem'];
      return keys.every((k) => k in (secret.data ?? {})) ? secret : undefined;
    });
    const tls = await readTlsSecret(api, namespace, 'app-tls');
    assert.ok(tls.keyMatches);
    assert.deepEqual(tls.rootsBase64, ca.roots.map(derBase64), 'both roots of the development CA in ca.crt');
    assert.equal(ca.stats.enrollments, 1, 'one enrolment at the CA');
    const file = (key: string): string => {
      const path = join(dir, key);
      writeFileSync(path, Buffer.from(stored.data?.[key] ?? '', 'base64'));
      return path;
    };
    const keystore = await keytoolList(file('keystore.p12'), 'PKCS12', file('keystore.pass'));
    assert.deepEqual(
      keystore.entries.map((e) => e.type),
      ['PrivateKeyEntry'],
    );
    const truststore = await keytoolList(file('truststore.jks'), 'JKS', file('truststore.pass'));
    assert.deepEqual(
      truststore.entries.map((e) => e.type),
      ['trustedCertEntry', 'trustedCertEntry'],
      'one trustedCertEntry per root',
    );

    // Both loops worked on Secrets (the issuer loop read its MAC secret, the keystore loop the
    // target): yet one list and one watch of Secrets reached the API server, for all namespaces.
    const secretCollections = proxy.requests.filter((r) => SECRETS_COLLECTION.test(r.path)).map((r) => `${r.method} ${r.path}${r.watch ? ' watch' : ''}`);
    assert.deepEqual(secretCollections, ['GET /api/v1/secrets', 'GET /api/v1/secrets watch'], 'one list and one watch of Secrets');
    for (const request of proxy.requests.filter((r) => SECRETS_COLLECTION.test(r.path))) {
      assert.match(request.accept, /as=PartialObjectMetadata/, 'Secrets listed and watched as metadata only');
    }
    const secretReads = proxy.requests.filter((r) => r.method === 'GET' && /^\/api\/v1\/namespaces\/[^/]+\/secrets\/[^/]+$/.test(r.path)).map((r) => r.path);
    assert.ok(secretReads.includes(`/api/v1/namespaces/${namespace}/secrets/cmp-iak`), 'the issuer loop read its Secret');
    assert.ok(secretReads.includes(`/api/v1/namespaces/${namespace}/secrets/app-tls`), 'the keystore loop read its target');
    assert.equal(fatal, undefined, `no lost leadership; warnings: ${logger.problems.join('\n')}`);

    await operator.stop();
    operator = undefined;
    const released = await api.request<Lease>('GET', `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${options.leaseName}`);
    assert.equal(released.spec?.holderIdentity ?? null, null, 'the Lease released on stop');
  });
});
