// `cmpv2-operator migrate` end to end on the test bed: ONAP-style workloads (a Deployment with
// the client and the post-processor merging a PEM ConfigMap and a keytool JKS Secret, a CronJob
// with OUTPUT_TYPE PEM) are migrated by the CLI, the output is applied (server-side dry run, then
// for real), and with our issuer loop (development CA) and keystore loop running in-process the
// Certificates become Ready and their Secrets hold exactly the keys the workloads mount; keytool
// lists the JKS trust source's certificate in truststore.jks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Certificate } from '../../../src/api/certManager.js';
import { main } from '../../../src/cli/main.js';
import { startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import { KubeApi } from '../../../src/k8s/apiClient.js';
import { EventRecorder } from '../../../src/k8s/events.js';
import type { Secret } from '../../../src/k8s/meta.js';
import { createSigners } from '../../../src/signer/backends.js';
import { KubeSecretSource } from '../../../src/signer/secretSource.js';
import { applyDirectory } from '../../../scripts/testbed/apply.js';
import { layout } from '../../../scripts/testbed/layout.js';
import { runIssuerLoop, runKeystoreLoop, type RunningIssuerLoop, type RunningKeystoreLoop } from '../../controllers/loops.js';
import { Pki } from '../../keystore/fixtures.js';
import { CLIENT_OUTPUT } from '../../migrate/kubeletPaths.js';
import { workload } from '../../migrate/onapInputs.js';
import { FAST_JVM, keytoolList } from '../../peer/keystore/javaTools.js';
import { adminKubeConfig, ensureBed, eventually, useNamespace } from '../bed.js';

type Obj = Record<string, unknown> & { kind: string; apiVersion: string; metadata: { name: string; namespace?: string } };

/** REST collection of each kind the migrated stream holds. */
const COLLECTIONS: Record<string, string> = {
  Deployment: '/apis/apps/v1/namespaces/{ns}/deployments',
  CronJob: '/apis/batch/v1/namespaces/{ns}/cronjobs',
  ConfigMap: '/api/v1/namespaces/{ns}/configmaps',
  Certificate: '/apis/cert-manager.io/v1/namespaces/{ns}/certificates',
};

const CERT_MANAGER_KEYS = ['tls.crt', 'tls.key', 'ca.crt'];

describe('migrate on the test bed: apply, Certificates Ready, Secrets hold the mounted keys', function () {
  this.timeout(240_000);
  const ns = useNamespace('migrate');
  const pki = new Pki();
  let api: KubeApi;
  let dir: string;
  let ca: DevelopmentCa | undefined;
  let issuerLoop: RunningIssuerLoop | undefined;
  let keystoreLoop: RunningKeystoreLoop | undefined;

  before(async function () {
    await ensureBed({ approver: true });
    const kc = await adminKubeConfig();
    await applyDirectory(kc, layout.certManagerCrdsDir);
    await applyDirectory(kc, layout.projectCrdsDir);
    api = await KubeApi.fromKubeConfig(kc);
    dir = mkdtempSync(join(tmpdir(), 'migrate-cluster-'));
  });
  after(function () {
    api?.close();
    pki.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async function () {
    await keystoreLoop?.shutdown();
    await issuerLoop?.shutdown();
    await ca?.stop();
    keystoreLoop = undefined;
    issuerLoop = undefined;
    ca = undefined;
  });

  async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
    const err: string[] = [];
    const stderr = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      return { code: await main(['node', 'cmpv2-operator', ...args]), stderr: err.join('') };
    } finally {
      process.stderr.write = stderr;
    }
  }

  async function apply(object: Obj, namespace: string, dryRun: boolean): Promise<Obj> {
    const collection = COLLECTIONS[object.kind];
    assert.ok(collection, `a collection for ${object.kind}`);
    return api.request<Obj>('PATCH', `${collection.replace('{ns}', namespace)}/${object.metadata.name}`, {
      body: object,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'cmpv2-migrate-test', force: true, ...(dryRun ? { dryRun: 'All' } : {}) },
    });
  }

  async function exists(object: Obj, namespace: string): Promise<boolean> {
    try {
      await api.request('GET', `${COLLECTIONS[object.kind].replace('{ns}', namespace)}/${object.metadata.name}`);
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404 || /404|not found/i.test(String(err))) return false;
      throw err;
    }
  }

  /** The Secret keys a Pod template mounts from `secretName`: items, subPath mounts, else every file the old client wrote. */
  function mountedKeys(spec: Record<string, unknown>, secretName: string, oldOutputType: string): Set<string> {
    const volumes = (spec.volumes ?? []) as { name: string; secret?: { secretName: string; items?: { key: string }[] } }[];
    const containers = [...((spec.initContainers ?? []) as unknown[]), ...((spec.containers ?? []) as unknown[])] as {
      volumeMounts?: { name: string; subPath?: string }[];
    }[];
    const keys = new Set<string>();
    for (const volume of volumes.filter((v) => v.secret?.secretName === secretName)) {
      for (const container of containers) {
        for (const mount of (container.volumeMounts ?? []).filter((m) => m.name === volume.name)) {
          if (mount.subPath) keys.add(mount.subPath);
          else if (volume.secret?.items) for (const item of volume.secret.items) keys.add(item.key);
          else for (const file of CLIENT_OUTPUT[oldOutputType]) keys.add(file);
        }
      }
    }
    return keys;
  }

  it('two ONAP workloads (JKS with a post-processor, PEM in a CronJob) → applied, Ready, the mounted keys, the JKS trust source in truststore.jks', async function () {
    const { name: namespace } = ns();
    // Trust sources as the post-processor found them: a PEM bundle in a ConfigMap (in the stream),
    // a partner JKS truststore made by keytool in a Secret (created beforehand).
    const [pemCa, partnerCa] = pki.roots('migrate trust', 2);
    const jksPath = join(dir, 'partner.jks');
    execFileSync(
      'keytool',
      [
        ...FAST_JVM.map((f) => `-J${f}`),
        '-importcert',
        '-noprompt',
        '-storetype',
        'JKS',
        '-keystore',
        jksPath,
        '-storepass',
        'partner-pw',
        '-alias',
        'partner',
        '-file',
        partnerCa.certPath,
      ],
      { stdio: 'ignore' },
    );
    await ns().create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'partner-truststore' },
      type: 'Opaque',
      data: { 'truststore.jks': readFileSync(jksPath).toString('base64'), 'truststore.pass': Buffer.from('partner-pw').toString('base64') },
    });

    ca = await startDevelopmentCa({ port: 0, secret: 'iak-secret', reference: 'rv-1' });
    await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cmp-iak' }, type: 'Opaque', stringData: { password: 'iak-secret' } });
    await ns().create({
      apiVersion: 'certmanager.onap.org/v1',
      kind: 'CMPv2Issuer',
      metadata: { name: 'dev-ca' },
      spec: {
        cmp: { url: ca.url, messageType: 'p10cr', protection: { passwordBasedMac: { secretRef: { name: 'cmp-iak', key: 'password' }, reference: 'rv-1' } } },
      },
    });

    const postProcessor = [
      '- name: cert-post-processor',
      '  image: nexus3.onap.org:10001/onap/org.onap.oom.platform.cert-service.oom-certservice-post-processor:2.6.0',
      '  env:',
      '  - name: TRUSTSTORES_PATHS',
      '    value: "/var/custom-certs/truststore.jks:/ext/pem/ca.pem:/ext/partner/truststore.jks"',
      '  - name: TRUSTSTORES_PASSWORDS_PATHS',
      '    value: "/var/custom-certs/truststore.pass::/ext/partner/truststore.pass"',
      '  - name: KEYSTORE_SOURCE_PATHS',
      '    value: "/var/custom-certs/keystore.jks:/var/custom-certs/keystore.pass"',
      '  - name: KEYSTORE_DESTINATION_PATHS',
      '    value: "/opt/app/tls/cert.jks:/opt/app/tls/jks.pass"',
      '  volumeMounts:',
      '  - { name: cmpv2-certs-volume-0, mountPath: /var/custom-certs }',
      '  - { name: tls-info, mountPath: /opt/app/tls }',
      '  - { name: extra-cas, mountPath: /ext/pem }',
      '  - { name: partner-truststore, mountPath: /ext/partner }',
    ]
      .map((l) => `        ${l}`)
      .join('\n');
    const app = [
      '- name: app',
      '  image: nexus3.onap.org:10001/onap/app:1.0.0',
      '  volumeMounts:',
      '  - { name: cmpv2-certs-volume-0, mountPath: /opt/app/certs }',
      '  - { name: tls-info, mountPath: /opt/app/tls }',
    ]
      .map((l) => `        ${l}`)
      .join('\n');
    const volumes = [
      '- { name: tls-info, emptyDir: {} }',
      '- name: extra-cas',
      '  configMap: { name: extra-cas }',
      '- name: partner-truststore',
      '  secret: { secretName: partner-truststore }',
    ]
      .map((l) => `        ${l}`)
      .join('\n');
    const sans = `web.${namespace}.svc.cluster.local,web,127.0.0.1,::1,admin@onap.org,spiffe://cluster.local/ns/${namespace}/web`;
    const configMap = `---\n# Source: web/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra-cas\ndata:\n  ca.pem: |\n${pemCa.certPem
      .trim()
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n')}\n`;
    const input = (
      configMap +
      workload('Deployment', 'web', {
        clients: [{ commonName: `web.${namespace}.svc.cluster.local`, sans }],
        extraInit: `${postProcessor}\n`,
        containers: `${app}\n`,
        extraVolumes: `${volumes}\n`,
      }) +
      workload('CronJob', 'batch', { clients: [{ outputType: 'PEM', commonName: 'batch', sans: 'batch' }] })
    ).replaceAll('namespace: onap', `namespace: ${namespace}`);
    const inputPath = join(dir, `${namespace}-in.yaml`);
    const outputPath = join(dir, `${namespace}-out.yaml`);
    writeFileSync(inputPath, input);

    const run = await cli('migrate', '-f', inputPath, '-o', outputPath, '--issuer', 'CMPv2Issuer/dev-ca');
    assert.equal(run.code, 0, run.stderr);
    const objects = parseAllDocuments(readFileSync(outputPath, 'utf8'))
      .map((d) => d.toJS() as Obj | null)
      .filter((o): o is Obj => o !== null);
    assert.deepEqual(
      objects.map((o) => `${o.kind}/${o.metadata.name}`),
      ['ConfigMap/extra-cas', 'Deployment/web', 'Certificate/web-cmpv2', 'CronJob/batch', 'Certificate/batch-cmpv2'],
    );

    // Server-side dry run first: accepted, nothing created; then for real.
    for (const object of objects) {
      const answer = await apply(object, namespace, true);
      assert.equal(answer.kind, object.kind);
      assert.equal(await exists(object, namespace), false, `${object.kind} ${object.metadata.name} is not created by the dry run`);
    }
    for (const object of objects) await apply(object, namespace, false);

    issuerLoop = await runIssuerLoop({
      api,
      signers: createSigners({ secrets: new KubeSecretSource(api) }),
      events: new EventRecorder(api, { component: 'cmpv2-operator' }),
      namespaces: [namespace],
      clusterResourceNamespace: 'kube-system',
      maxRetryDurationMs: 600_000,
    });
    keystoreLoop = await runKeystoreLoop({ api, events: new EventRecorder(api, { component: 'cmpv2-operator' }), namespaces: [namespace] });

    const cases: [string, string, Record<string, unknown>, string][] = [
      ['web', 'web-cmpv2', objects[1].spec as Record<string, unknown>, 'JKS'],
      [
        'batch',
        'batch-cmpv2',
        (objects[3].spec as { jobTemplate: { spec: { template: { spec: Record<string, unknown> } } } }).jobTemplate.spec.template.spec,
        'PEM',
      ],
    ];
    for (const [certificate, secretName, workloadSpec, outputType] of cases) {
      const podSpec = 'template' in workloadSpec ? (workloadSpec.template as { spec: Record<string, unknown> }).spec : workloadSpec;
      await eventually(
        `Certificate ${certificate}-cmpv2 Ready`,
        async () => {
          const cert = await api.request<Certificate>('GET', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates/${certificate}-cmpv2`);
          return cert.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
        },
        120_000,
      );
      const mounted = mountedKeys(podSpec, secretName, outputType);
      const secret = await eventually(
        `Secret ${secretName} with ${[...mounted].join(', ')}`,
        async () => {
          const s = await api.request<Secret>('GET', `/api/v1/namespaces/${namespace}/secrets/${secretName}`);
          return [...mounted].every((k) => k in (s.data ?? {})) ? s : undefined;
        },
        60_000,
      );
      assert.deepEqual(
        Object.keys(secret.data ?? {})
          .filter((k) => !CERT_MANAGER_KEYS.includes(k))
          .sort(),
        [...mounted].sort(),
        `${secretName} holds exactly the keys the workload mounts`,
      );
      if (certificate === 'web') {
        const file = (key: string): string => {
          const path = join(dir, `${namespace}-${key}`);
          writeFileSync(path, Buffer.from(secret.data?.[key] ?? '', 'base64'));
          return path;
        };
        const listing = await keytoolList(file('truststore.jks'), 'JKS', file('truststore.pass'));
        const owners = listing.entries.flatMap((e) => (e.type === 'trustedCertEntry' ? e.owners : []));
        assert.ok(
          owners.some((o) => o.includes('CN=migrate trust root 2')),
          `the JKS trust source's certificate is in truststore.jks: ${owners.join(' | ')}`,
        );
        assert.ok(
          owners.some((o) => o.includes('CN=migrate trust root 1')),
          `the PEM ConfigMap's certificate is in truststore.jks: ${owners.join(' | ')}`,
        );
        assert.equal(listing.entries.length, 4, 'the two development CA roots, the PEM and the JKS source: each its own trustedCertEntry');
      }
    }
  });
});
