// The README's user part checked against the code: the first commands exist, every keystore
// annotation and its default, every Secret key per format, every metric and Event reason are
// listed; the Java-store example Pod only references keys the keystore loop really writes (its
// pure reconcile run on the example Certificate's annotations with real certificates); the
// quick start runs as written (development CA, enroll, stores, keytool); links stay inside the
// repository.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  BUILT_REASON,
  DEFAULT_PASSWORD_KEY,
  FAILURE_REASON,
  KEYSTORE_ANNOTATIONS,
  MANAGED_LABEL,
  WARNING_REASON,
  parseKeystoreRequest,
} from '../../src/api/keystoreAnnotations.js';
import { computeDesired, type DesiredStores } from '../../src/controllers/keystore/desired.js';
import type { ConfigMap, Secret } from '../../src/k8s/meta.js';
import { DEFAULT_KEY_ALIAS, STORE_FILES_BY_FORMAT } from '../../src/keystore/index.js';
import { TRANSACTION_RESTARTED } from '../../src/controllers/certificaterequest/controller.js';
import { OperatorMetrics } from '../../src/operator/metrics.js';
import { Pki } from '../keystore/fixtures.js';
import { ROOT, readme, rowsMentioning, shellCommands, yamlObjects, type KubeDocument } from './readme.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

interface PodSpec {
  containers: {
    env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
    volumeMounts?: { name: string; mountPath: string }[];
  }[];
  volumes: { name: string; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
}

describe('README', () => {
  const text = readme();

  it('starts with the two commands, and both npm scripts exist', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const [first, second] = shellCommands(text);
    assert.match(first, /^npm ci && npm run demo /);
    assert.match(second, /^npm ci && npm test /);
    assert.ok(scripts.demo && scripts.test);
  });

  it('lists every keystore annotation with its default, and the ones the operator writes', () => {
    const row = (name: string) => {
      const rows = rowsMentioning(`\`${name}\``, text);
      assert.equal(rows.length, 1, `one row for ${name}`);
      return rows[0];
    };
    assert.match(row(KEYSTORE_ANNOTATIONS.formats)[2], /required/);
    assert.match(row(KEYSTORE_ANNOTATIONS.passwordSecret)[2], /generated/);
    assert.equal(row(KEYSTORE_ANNOTATIONS.passwordKey)[2], `\`${DEFAULT_PASSWORD_KEY}\``);
    assert.match(row(KEYSTORE_ANNOTATIONS.truststorePasswordSecret)[2], /the keystore password/);
    assert.equal(row(KEYSTORE_ANNOTATIONS.truststorePasswordKey)[2], `\`${DEFAULT_PASSWORD_KEY}\``);
    assert.equal(row(KEYSTORE_ANNOTATIONS.alias)[2], `\`${DEFAULT_KEY_ALIAS}\``);
    assert.equal(row(KEYSTORE_ANNOTATIONS.pkcs12Profile)[2], '`Modern2023`');
    assert.equal(row(KEYSTORE_ANNOTATIONS.trustSources)[2], 'none');
    for (const written of [KEYSTORE_ANNOTATIONS.hash, KEYSTORE_ANNOTATIONS.keys, MANAGED_LABEL]) assert.ok(text.includes(`\`${written}`), written);
    assert.equal(Object.keys(KEYSTORE_ANNOTATIONS).length, 10, 'a new annotation must be documented here');
  });

  it('lists the Secret keys of each format exactly as the keystore library writes them', () => {
    for (const [format, keys] of Object.entries(STORE_FILES_BY_FORMAT)) {
      const rows = rowsMentioning(`\`${format}\``, text).filter((r) => r.length === 2);
      assert.equal(rows.length, 1, format);
      const listed = [...rows[0][1].matchAll(/`([a-z0-9.]+)`/g)].map((m) => m[1]);
      assert.deepEqual(listed, [...keys], format);
    }
  });

  it('names every Event reason and every metric the operator exports', async () => {
    for (const reason of [...Object.values(FAILURE_REASON), ...Object.values(WARNING_REASON), BUILT_REASON, TRANSACTION_RESTARTED]) {
      assert.ok(text.includes(`\`${reason}\``), reason);
    }
    const metrics = new OperatorMetrics({ processMetrics: false });
    const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    assert.ok(names.length >= 12, names.join(', '));
    for (const name of names) assert.ok(text.includes(`\`${name}\``), `metric ${name} in the README`);
  });

  it("the Java-store example Pod references only keys the keystore loop writes for the example's annotations", async () => {
    const objects = yamlObjects(text);
    const certificate = objects.find((o) => o.kind === 'Certificate' && o.metadata.name === 'my-service')!;
    const pod = objects.find((o) => o.kind === 'Pod')! as KubeDocument & { spec: PodSpec };
    const secretName = (certificate.spec as { secretName: string }).secretName;

    const pki = new Pki();
    try {
      const { root, leaf, tlsCrt } = pki.chain('readme');
      const parsed = parseKeystoreRequest(certificate.metadata.annotations);
      assert.ok(parsed?.ok, parsed && !parsed.ok ? parsed.error : 'the example opts in');
      const target: Secret = {
        metadata: { name: secretName, namespace: 'my-app', resourceVersion: '1' },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': b64(tlsCrt), 'tls.key': b64(leaf.keyPem), 'ca.crt': b64(root.certPem) },
      };
      const result = await computeDesired({
        request: parsed.value,
        certManagerFormats: [],
        target,
        secrets: new Map<string, Secret | undefined>(),
        configMaps: new Map<string, ConfigMap | undefined>(),
        newPassword: () => 'generated-password-0123456',
      });
      assert.equal(result.status, 'ready', result.status === 'failed' ? result.message : result.status);
      const written = new Set(Object.keys((result as DesiredStores).data));

      const referenced: string[] = [];
      const [container] = pod.spec.containers;
      for (const e of container.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) {
          assert.equal(ref.name, secretName, `env ${e.name} reads the Certificate's Secret`);
          referenced.push(ref.key);
        }
      }
      const volume = pod.spec.volumes.find((v) => v.secret?.secretName === secretName);
      assert.ok(volume?.secret?.items, "a volume of the Certificate's Secret with items");
      referenced.push(...volume.secret.items.map((i) => i.key));
      assert.ok(referenced.length >= 4, referenced.join(', '));
      for (const key of referenced) assert.ok(written.has(key), `${key} is written (written: ${[...written].join(', ')})`);

      // The JVM flags name files of that volume, with the type their extension says.
      const mount = container.volumeMounts?.find((m) => m.name === volume.name)?.mountPath;
      const flags = container.env?.find((e) => e.name === 'JAVA_TOOL_OPTIONS')?.value ?? '';
      for (const store of ['keyStore', 'trustStore'] as const) {
        const file = new RegExp(`-Djavax\\.net\\.ssl\\.${store}=(\\S+)`).exec(flags)?.[1];
        const type = new RegExp(`-Djavax\\.net\\.ssl\\.${store}Type=(\\S+)`).exec(flags)?.[1];
        assert.ok(file && type, `${store} and its type`);
        const item: { key: string; path: string } | undefined = volume.secret.items.find((i) => `${mount}/${i.path}` === file);
        assert.ok(item, `${file} is mounted`);
        assert.equal(type, item.key.endsWith('.p12') ? 'PKCS12' : 'JKS', `${store}Type`);
      }
      assert.match(flags, /-Djavax\.net\.ssl\.keyStorePassword=\$\(KEYSTORE_PASSWORD\)/);
      assert.match(flags, /-Djavax\.net\.ssl\.trustStorePassword=\$\(TRUSTSTORE_PASSWORD\)/);
    } finally {
      pki.dispose();
    }
  });

  it('the quick start runs as written: development CA, enroll, stores, keytool lists both roots', async function () {
    this.timeout(120_000);
    const commands = shellCommands(text);
    const start = commands.findIndex((c) => c.startsWith('npx cmpv2-operator test-ca '));
    const steps = commands.slice(start + 1, commands.findIndex((c) => c.startsWith('keytool ')) + 1);
    assert.ok(start > 0 && steps.length === 4, commands.join('\n'));
    const bin = join(ROOT, 'bin', 'cmpv2-operator.js');
    assert.ok(existsSync(join(ROOT, 'dist', 'cli', 'main.js')), 'dist/ is built (npm run build)');
    const dir = await mkdtemp(join(tmpdir(), 'cmpv2-readme-'));
    // The README's port may be taken here: the CA picks a free one and the commands use it.
    const args = commands[start]
      .replace(/^npx cmpv2-operator /, '')
      .replace(/ &$/, '')
      .replace('--port 8080', '--port 0')
      .split(' ');
    const ca = spawn(process.execPath, [bin, ...args], { cwd: dir });
    try {
      let output = '';
      const port = await new Promise<string>((resolve, reject) => {
        ca.stdout.on('data', (c: Buffer) => {
          output += c.toString();
          const m = /127\.0\.0\.1:(\d+)/.exec(output);
          if (m) resolve(m[1]);
        });
        ca.on('exit', (code) => reject(new Error(`test-ca exited ${code}: ${output}`)));
      });
      const script = steps
        .map((s) => s.replaceAll('npx cmpv2-operator ', `"${process.execPath}" "${bin}" `).replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`))
        .join('\n');
      const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir });
      assert.match(stdout, /enrolled "CN=my-service"/);
      assert.match(stdout, /wrote 9 files to \.\/stores/);
      assert.equal((stdout.match(/trustedCertEntry/g) ?? []).length, 2, stdout);
    } finally {
      ca.kill();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('links and paths stay inside the repository', () => {
    const links = [...text.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^https?:/.test(l));
    assert.ok(links.length >= 3);
    for (const link of links) assert.ok(existsSync(join(ROOT, link)), `${link} exists`);
    for (const path of ['deploy/helm/cmpv2-operator', 'deploy/examples/', 'deploy/examples/approver-policy-binding.yaml', 'deploy/kustomization.yaml']) {
      assert.ok(text.includes(path) && existsSync(join(ROOT, path)), path);
    }
    assert.doesNotMatch(text, /\]\(\.\.\/|SPEC\.md|shared folder|TESTBED-NOTES/, 'nothing outside the repository');
    // Image tags in the README are the release's version.
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const tags = [...text.matchAll(/cmpv2-operator:(\d+\.\d+\.\d+)/g)].map((m) => m[1]);
    assert.ok(tags.length >= 3, tags.join(', '));
    for (const tag of tags) assert.equal(tag, version);
  });
});
