// Table-driven tests of `migrate` on inputs written the way ONAP's templates render them. Every
// migrated workload is checked with the kubelet path model (kubeletPaths.ts): each file the old
// containers read from the client's emptyDir — directly or through the post-processor's copies —
// must resolve, in the new Pod, to the key of the same name in the Certificate's Secret.
import assert from 'node:assert/strict';
import { parseAllDocuments, parse, stringify } from 'yaml';
import { migrateStream, MigrateInputError, MAX_INPUT_BYTES, parseIssuer, type MigrateResult } from '../../src/migrate/index.js';
import { CLIENT_OUTPUT, pathsOf, runOldInitContainers, see, type Spec } from './kubeletPaths.js';
import { UNRELATED, workload, podSpec, type PodOptions } from './onapInputs.js';

const options = { issuer: parseIssuer('CMPv2Issuer/onap-cmpv2'), secretSuffix: '-cmpv2' };
const SPEC_PATHS: Record<string, string[]> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Pod: ['spec'],
};

type Obj = Record<string, unknown>;
const objects = (text: string): Obj[] => parseAllDocuments(text).flatMap((d) => (d.contents ? [d.toJS() as Obj] : []));
const at = (o: unknown, path: string[]): unknown => path.reduce<unknown>((v, k) => (v as Obj | undefined)?.[k], o);
const certificates = (text: string): Obj[] => objects(text).filter((o) => o.kind === 'Certificate');

/** Keys the keystore loop writes for the Certificate's formats, plus cert-manager's. */
function secretKeys(certs: Obj[]): (name: string) => string[] {
  return (name) => {
    const cert = certs.find((c) => at(c, ['spec', 'secretName']) === name);
    if (!cert) return [];
    const formats = String(at(cert, ['metadata', 'annotations', 'keystore.certmanager.onap.org/formats'])).split(',');
    const byFormat: Record<string, string> = { jks: 'JKS', pkcs12: 'P12', pem: 'PEM' };
    return ['tls.crt', 'tls.key', 'ca.crt', ...formats.flatMap((f) => CLIENT_OUTPUT[byFormat[f]])];
  };
}

/**
 * The proof of equal file names: for every app container (and init container left in the new
 * Pod), every file it saw in a client's emptyDir is, in the new Pod, the Secret key of that name
 * in the Secret of the Certificate made for that client. Returns the number of paths checked.
 */
function assertSameFiles(oldSpec: Spec, newSpec: Spec, certs: Obj[], secretOf: (client: string) => string): number {
  const files = runOldInitContainers(oldSpec);
  const keys = secretKeys(certs);
  const none = (): string[] => [];
  let checked = 0;
  for (const container of oldSpec.containers ?? []) {
    const migrated = (newSpec.containers ?? []).find((c) => c.name === container.name)!;
    for (const { path, file } of pathsOf(container, files)) {
      const before = see(oldSpec, container, path, none);
      if (before.kind !== 'emptyDir') continue; // shadowed by another mount in the old Pod too
      const after = see(newSpec, migrated, path, keys);
      assert.deepEqual(after, { kind: 'secret', secretName: secretOf(file.client), key: file.origin }, `${container.name} reads ${path}`);
      checked += 1;
    }
  }
  return checked;
}

function migrate(text: string): MigrateResult {
  return migrateStream(text, options, 'test.yaml');
}

function specOf(text: string, kind: string, name: string): Spec {
  const o = objects(text).find((x) => x.kind === kind && at(x, ['metadata', 'name']) === name);
  assert.ok(o, `${kind} ${name} in the output`);
  return at(o, SPEC_PATHS[kind]) as Spec;
}

describe('migrate', () => {
  describe('every workload kind, as the ONAP template renders it', () => {
    for (const kind of Object.keys(SPEC_PATHS)) {
      it(`${kind}: one Certificate, the client gone, the emptyDir a Secret volume, the same files, idempotent`, () => {
        const input = UNRELATED + workload(kind, 'app');
        const result = migrate(input);
        assert.equal(result.kept, false);
        assert.deepEqual(
          result.reports.map((r) => [r.workload, r.status]),
          [[`${kind} onap/app`, 'migrated']],
        );
        assert.ok(result.output.startsWith(UNRELATED), 'the documents before the workload are unchanged, byte for byte');
        const [cert] = certificates(result.output);
        assert.deepEqual(cert, {
          apiVersion: 'cert-manager.io/v1',
          kind: 'Certificate',
          metadata: { name: 'app-cmpv2', namespace: 'onap', annotations: { 'keystore.certmanager.onap.org/formats': 'jks' } },
          spec: {
            secretName: 'app-cmpv2',
            commonName: 'app.onap.svc.cluster.local',
            subject: {
              organizations: ['Linux-Foundation'],
              organizationalUnits: ['ONAP'],
              localities: ['San-Francisco'],
              provinces: ['California'],
              countries: ['US'],
            },
            dnsNames: ['app.onap.svc.cluster.local', 'app'],
            ipAddresses: ['10.0.0.1'],
            privateKey: { algorithm: 'RSA', size: 2048 },
            issuerRef: { group: 'certmanager.onap.org', kind: 'CMPv2Issuer', name: 'onap-cmpv2' },
          },
        });
        const spec = specOf(result.output, kind, 'app');
        assert.equal(spec.initContainers, undefined, 'the client was the only init container: the list is gone');
        assert.deepEqual(
          spec.volumes?.map((v) => v.name),
          ['localtime', 'cmpv2-certs-volume-0'],
          'the client TLS volume went; the others stay in order',
        );
        assert.deepEqual(spec.volumes?.[1], { name: 'cmpv2-certs-volume-0', secret: { secretName: 'app-cmpv2' } });
        const checked = assertSameFiles(specOf(input, kind, 'app'), spec, [cert], () => 'app-cmpv2');
        assert.equal(checked, 4, 'keystore.jks, keystore.pass, truststore.jks, truststore.pass');
        assert.match(result.output, /- mountPath: \/etc\/localtime # the node's time zone/, 'comments inside the changed document stay');
        const again = migrate(result.output);
        assert.equal(again.output, result.output, 'migrating the output again changes nothing');
        assert.deepEqual(again.reports, []);
      });
    }

    it('a List of two workloads: both migrated, a Certificate each', () => {
      const items = [workload('Deployment', 'one'), workload('StatefulSet', 'two')].map((t) => parse(t.replace(/^---\n/, '')));
      const input = `# kubectl get deploy,sts -o yaml\n${stringify({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } }, { indentSeq: false })}`;
      const result = migrate(input);
      assert.deepEqual(
        result.reports.map((r) => [r.workload, r.status]),
        [
          ['Deployment onap/one', 'migrated'],
          ['StatefulSet onap/two', 'migrated'],
        ],
      );
      assert.deepEqual(
        certificates(result.output).map((c) => at(c, ['metadata', 'name'])),
        ['one-cmpv2', 'two-cmpv2'],
      );
      assert.ok(result.output.startsWith('# kubectl get deploy,sts -o yaml\n'));
      const list = objects(result.output)[0];
      const newItems = list.items as Obj[];
      for (const [i, name] of ['one', 'two'].entries()) {
        const before = at(items[i], SPEC_PATHS.Deployment) as Spec;
        const after = at(newItems[i], SPEC_PATHS.Deployment) as Spec;
        assert.equal(
          assertSameFiles(before, after, certificates(result.output), () => `${name}-cmpv2`),
          4,
        );
      }
      assert.equal(migrate(result.output).output, result.output);
    });

    it('several workloads in one stream: each Certificate right after its workload, other documents untouched', () => {
      const input =
        workload('Deployment', 'a') +
        UNRELATED +
        workload('Job', 'b') +
        '---\n# Source: c/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: c\n';
      const result = migrate(input);
      const kinds = objects(result.output).map((o) => `${String(o.kind)}/${String(at(o, ['metadata', 'name']))}`);
      assert.deepEqual(kinds, [
        'Deployment/a',
        'Certificate/a-cmpv2',
        'Service/app',
        'ConfigMap/app-config',
        'Job/b',
        'Certificate/b-cmpv2',
        'ServiceAccount/c',
      ]);
      assert.ok(result.output.includes(UNRELATED), 'unrelated documents byte for byte');
      assert.ok(result.output.endsWith('---\n# Source: c/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: c\n'));
    });
  });

  describe('OUTPUT_TYPE → formats, and the file names the app reads', () => {
    const cases: [string, string | null, string][] = [
      ['JKS', 'JKS', 'jks'],
      ['P12', 'P12', 'pkcs12'],
      ['PEM', 'PEM', 'pem'],
      ['absent (the client defaults to P12)', null, 'pkcs12'],
    ];
    for (const [label, outputType, format] of cases) {
      it(`${label} → ${format}`, () => {
        const input = workload('Deployment', 'app', { clients: [{ outputType }] });
        const result = migrate(input);
        const [cert] = certificates(result.output);
        assert.equal(at(cert, ['metadata', 'annotations', 'keystore.certmanager.onap.org/formats']), format);
        const files = assertSameFiles(specOf(input, 'Deployment', 'app'), specOf(result.output, 'Deployment', 'app'), [cert], () => 'app-cmpv2');
        assert.equal(files, format === 'pem' ? 3 : 4);
      });
    }
  });

  it("types SANS as ONAP's client does: e-mail, IP (v4 and v6), DNS, URI", () => {
    const sans = 'app.onap.svc.cluster.local,localhost,10.1.2.3,::1,2001:db8::5,admin@onap.org,spiffe://onap/ns/app,https://app.onap.org/health';
    const [cert] = certificates(migrate(workload('Deployment', 'app', { clients: [{ sans }] })).output);
    assert.deepEqual(at(cert, ['spec', 'dnsNames']), ['app.onap.svc.cluster.local', 'localhost']);
    assert.deepEqual(at(cert, ['spec', 'ipAddresses']), ['10.1.2.3', '::1', '2001:db8::5']);
    assert.deepEqual(at(cert, ['spec', 'emailAddresses']), ['admin@onap.org']);
    assert.deepEqual(at(cert, ['spec', 'uris']), ['spiffe://onap/ns/app', 'https://app.onap.org/health']);
  });

  it('two clients in one Pod (certs-init-0, certs-init-1): two Certificates, each volume its own Secret', () => {
    const containers =
      [
        '        - name: app',
        '          image: app:1',
        '          volumeMounts:',
        '            - { name: cmpv2-certs-volume-0, mountPath: /opt/app/server }',
        '            - { name: cmpv2-certs-volume-1, mountPath: /opt/app/client }',
      ].join('\n') + '\n';
    const input = workload('Deployment', 'app', {
      clients: [{ certPath: '/certs/server' }, { certPath: '/certs/client', outputType: 'PEM', commonName: 'client' }],
      containers,
    });
    const result = migrate(input);
    assert.deepEqual(
      certificates(result.output).map((c) => [at(c, ['metadata', 'name']), at(c, ['metadata', 'annotations', 'keystore.certmanager.onap.org/formats'])]),
      [
        ['app-cmpv2-0', 'jks'],
        ['app-cmpv2-1', 'pem'],
      ],
    );
    const checked = assertSameFiles(specOf(input, 'Deployment', 'app'), specOf(result.output, 'Deployment', 'app'), certificates(result.output), (client) =>
      client === 'certs-init-0' ? 'app-cmpv2-0' : 'app-cmpv2-1',
    );
    assert.equal(checked, 7);
  });

  it('the certs volume mounted in two containers at different paths: both see the same files', () => {
    const containers =
      [
        '        - name: app',
        '          image: app:1',
        '          volumeMounts:',
        '            - name: cmpv2-certs-volume-0',
        '              mountPath: /opt/app/certs',
        '        - name: sidecar',
        '          image: proxy:1',
        '          volumeMounts:',
        '            - name: cmpv2-certs-volume-0',
        '              mountPath: /etc/proxy/tls',
        '              readOnly: true',
      ].join('\n') + '\n';
    const input = workload('Deployment', 'app', { containers });
    const result = migrate(input);
    const checked = assertSameFiles(
      specOf(input, 'Deployment', 'app'),
      specOf(result.output, 'Deployment', 'app'),
      certificates(result.output),
      () => 'app-cmpv2',
    );
    assert.equal(checked, 8, '4 files in each of the two containers');
  });

  describe('the post-processor', () => {
    // A PEM ConfigMap and a JKS Secret merged into the client's truststore; keystore.jks and
    // keystore.pass copied into tls-info (an emptyDir the app reads) and renamed inside the
    // client's own volume.
    const postProcessor = (truststores: string, passwords: string, sources: string, destinations: string): string =>
      [
        '- name: cert-post-processor',
        '  image: nexus3.onap.org:10001/onap/org.onap.oom.platform.cert-service.oom-certservice-post-processor:2.6.0',
        '  volumeMounts:',
        '  - mountPath: /var/custom-certs',
        '    name: cmpv2-certs-volume-0',
        '  - mountPath: /opt/app/tls',
        '    name: tls-info',
        '  - mountPath: /ext/pem',
        '    name: extra-cas',
        '  - mountPath: /ext/partner',
        '    name: partner-truststore',
        '  env:',
        '  - name: TRUSTSTORES_PATHS',
        `    value: "${truststores}"`,
        '  - name: TRUSTSTORES_PASSWORDS_PATHS',
        `    value: "${passwords}"`,
        '  - name: KEYSTORE_SOURCE_PATHS',
        `    value: "${sources}"`,
        '  - name: KEYSTORE_DESTINATION_PATHS',
        `    value: "${destinations}"`,
      ]
        .map((l) => `        ${l}`)
        .join('\n') + '\n';
    const appContainers =
      [
        '        - name: app',
        '          image: app:1',
        '          volumeMounts:',
        '            - name: tls-info',
        '              mountPath: /opt/app/tls',
        '            - name: cmpv2-certs-volume-0',
        '              mountPath: /opt/app/certs',
      ].join('\n') + '\n';
    const extraVolumes = [
      '        - name: tls-info',
      '          emptyDir: {}',
      '        - name: extra-cas',
      '          configMap:',
      '            name: extra-cas',
      '        - name: partner-truststore',
      '          secret:',
      '            secretName: partner-truststore',
      '',
    ].join('\n');
    const pod = (extraInit: string): PodOptions => ({ extraInit, containers: appContainers, extraVolumes });

    it('a PEM ConfigMap and a JKS Secret become trust-sources; keystore copies become subPath mounts and items', () => {
      const input = workload(
        'Deployment',
        'app',
        pod(
          postProcessor(
            '/var/custom-certs/truststore.jks:/ext/pem/ca.pem:/ext/partner/truststore.jks',
            '/var/custom-certs/truststore.pass::/ext/partner/truststore.pass',
            '/var/custom-certs/keystore.jks:/var/custom-certs/keystore.pass:/var/custom-certs/keystore.jks',
            '/opt/app/tls/cert.jks:/opt/app/tls/jks.pass:/var/custom-certs/server.jks',
          ),
        ),
      );
      const result = migrate(input);
      assert.equal(result.kept, false, result.reports.map((r) => r.details.join('; ')).join('\n'));
      const [cert] = certificates(result.output);
      assert.equal(
        at(cert, ['metadata', 'annotations', 'keystore.certmanager.onap.org/trust-sources']),
        'configmap:extra-cas/ca.pem,secret:partner-truststore/truststore.jks?password-key=truststore.pass',
      );
      const spec = specOf(result.output, 'Deployment', 'app');
      assert.equal(spec.initContainers, undefined, 'client and post-processor removed');
      const volume = spec.volumes?.find((v) => v.name === 'cmpv2-certs-volume-0');
      assert.deepEqual(volume?.secret?.items, [
        { key: 'keystore.jks', path: 'keystore.jks' },
        { key: 'truststore.jks', path: 'truststore.jks' },
        { key: 'keystore.pass', path: 'keystore.pass' },
        { key: 'truststore.pass', path: 'truststore.pass' },
        { key: 'keystore.jks', path: 'server.jks' },
      ]);
      const app = spec.containers?.[0];
      assert.deepEqual(app?.volumeMounts?.slice(2), [
        { name: 'cmpv2-certs-volume-0', mountPath: '/opt/app/tls/cert.jks', subPath: 'keystore.jks', readOnly: true },
        { name: 'cmpv2-certs-volume-0', mountPath: '/opt/app/tls/jks.pass', subPath: 'keystore.pass', readOnly: true },
      ]);
      // The kubelet model: the app's files in tls-info and the certs volume (server.jks too) are the Secret's keys.
      const checked = assertSameFiles(specOf(input, 'Deployment', 'app'), spec, [cert], () => 'app-cmpv2');
      assert.equal(checked, 7, '4 client files + server.jks in the certs volume, cert.jks and jks.pass in tls-info');
      assert.equal(migrate(result.output).output, result.output, 'idempotent');
    });

    it('a truststore baked into the image: the workload is kept as it was, with the reason (exit 2)', () => {
      const input =
        UNRELATED +
        workload(
          'Deployment',
          'app',
          pod(
            postProcessor(
              '/var/custom-certs/truststore.jks:/opt/app/osaaf/truststore.jks',
              '/var/custom-certs/truststore.pass:/opt/app/osaaf/trust.pass',
              '',
              '',
            ),
          ),
        );
      const result = migrate(input);
      assert.equal(result.kept, true);
      assert.equal(result.output, input, 'nothing changed, byte for byte');
      assert.equal(result.reports.length, 1);
      assert.match(
        result.reports[0].details.join('; '),
        /merges \/opt\/app\/osaaf\/truststore\.jks is in the post-processor's own image; a trust source must be a Secret or ConfigMap key/,
      );
    });

    it('a merge target in an emptyDir another init container fills: kept, with the reason', () => {
      const result = migrate(
        workload(
          'Deployment',
          'app',
          pod(postProcessor('/opt/app/tls/trust.jks:/var/custom-certs/truststore.jks', '/opt/app/tls/trust.pass:/var/custom-certs/truststore.pass', '', '')),
        ),
      );
      assert.equal(result.kept, true);
      assert.match(
        result.reports[0].details[0],
        /merges into \/opt\/app\/tls\/trust\.jks, which is not the truststore the client writes \(\/opt\/app\/tls\/trust\.jks is in emptyDir volume tls-info/,
      );
    });
  });

  it('valueFrom env (a ConfigMap reference) is reported, not guessed: the workload is kept', () => {
    const input = workload('Deployment', 'app', { clients: [{ commonNameFrom: true }] });
    const result = migrate(input);
    assert.equal(result.kept, true);
    assert.equal(result.output, input);
    assert.match(result.reports[0].details[0], /env COMMON_NAME of certs-init-0 comes from configMapKeyRef app-names\/cn; migrate does not guess it/);
  });

  it('a SANS entry the client would refuse keeps the workload', () => {
    const result = migrate(workload('Deployment', 'app', { clients: [{ sans: 'good.example.org,bad name' }] }));
    assert.equal(result.kept, true);
    assert.match(result.reports[0].details[0], /SANS 'bad name' is not an e-mail, IP, DNS name or URI/);
  });

  describe('input it cannot read: a typed error, one line', () => {
    const bad: [string, string, RegExp][] = [
      ['unreadable YAML', 'kind: Deployment\nmetadata: {name: [unclosed\n', /test\.yaml: document 1 is not valid YAML: /],
      ['a document that is not a mapping', '---\n- just\n- a list\n', /test\.yaml: document 1 is not a mapping \(a Kubernetes object\)/],
      ['a document without kind', 'apiVersion: v1\nmetadata: {name: x}\n', /test\.yaml: document 1 has no kind/],
      [
        'an unknown kind holding the client',
        `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: r\nspec:\n  template:\n    spec:\n${podSpec({}, 6)}`,
        /document 1: kind Rollout holds a CertService client init container at spec\.template\.spec\.initContainers, but migrate rewrites only Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod/,
      ],
      [
        '10 MB of input',
        `# ${'x'.repeat(10 * 1000 * 1000)}\nkind: ConfigMap\n`,
        new RegExp(`test\\.yaml: 10000019 bytes is more than migrate reads \\(${MAX_INPUT_BYTES} bytes\\)`),
      ],
    ];
    for (const [label, text, message] of bad) {
      it(label, () => {
        assert.throws(
          () => migrate(text),
          (err: unknown) => err instanceof MigrateInputError && message.test(err.message) && !err.message.includes('\n'),
        );
      });
    }

    it('empty documents (helm renders them for disabled templates) pass through', () => {
      const text = '---\n# Source: app/templates/disabled.yaml\n---\n' + workload('Pod', 'p') + '---\n';
      const result = migrate(text);
      assert.deepEqual(
        result.reports.map((r) => r.status),
        ['migrated'],
      );
      assert.ok(result.output.startsWith('---\n# Source: app/templates/disabled.yaml\n---\n'));
    });

    it('an unknown kind without the client passes through unchanged', () => {
      const text = 'apiVersion: example.org/v1\nkind: Widget # custom\nmetadata:\n  name: w\n';
      assert.equal(migrate(text).output, text);
    });
  });
});
