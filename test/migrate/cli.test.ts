// `cmpv2-operator migrate` through the real command line (main): flags, exit codes 0/1/2, the
// summary on stderr, -o written only on success.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { UNRELATED, workload } from './onapInputs.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'cmpv2-operator', 'migrate', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

describe('cli migrate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'migrate-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const bakedTruststore = workload('StatefulSet', 'kept', {
    extraInit: [
      '        - name: cert-post-processor',
      '          image: onap/org.onap.oom.platform.cert-service.oom-certservice-post-processor:2.6.0',
      '          env:',
      '          - { name: TRUSTSTORES_PATHS, value: "/var/custom-certs/truststore.jks:/opt/app/osaaf/truststore.jks" }',
      '          - { name: TRUSTSTORES_PASSWORDS_PATHS, value: "/var/custom-certs/truststore.pass:/opt/app/osaaf/trust.pass" }',
      '          volumeMounts:',
      '          - { name: cmpv2-certs-volume-0, mountPath: /var/custom-certs }',
      '',
    ].join('\n'),
  });

  it('exit 0: the migrated stream in -o, one summary line per workload on stderr', async () => {
    const out = join(dir, 'out.yaml');
    const run = await cli(
      '-f',
      file('in.yaml', UNRELATED + workload('Deployment', 'a') + workload('Job', 'b')),
      '-o',
      out,
      '--issuer',
      'ClusterCMPv2Issuer/onap',
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(
      lines[0],
      /^migrate: Deployment onap\/a: migrated — certs-init-0 → Certificate a-cmpv2 \(jks, CA_NAME RA is now the issuer's choice\), volume cmpv2-certs-volume-0 → Secret a-cmpv2/,
    );
    assert.match(lines[1], /^migrate: Job onap\/b: migrated — /);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /kind: Certificate\nmetadata:\n {2}name: b-cmpv2/);
    assert.match(text, /issuerRef:\n {4}group: certmanager\.onap\.org\n {4}kind: ClusterCMPv2Issuer\n {4}name: onap/);
  });

  it('writes to stdout without -o; --secret-suffix names the Secret; a folder is read in name order', async () => {
    mkdirSync(join(dir, 'chart'));
    file('chart/2-b.yaml', workload('DaemonSet', 'b'));
    file('chart/1-a.yml', workload('Pod', 'a'));
    file('chart/notes.txt', 'not yaml');
    const run = await cli('-f', join(dir, 'chart'), '--issuer', 'Issuer/ca', '--secret-suffix', '-tls');
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      [...run.stdout.matchAll(/secretName: (\S+)/g)].map((m) => m[1]),
      ['a-tls', 'a-tls', 'b-tls', 'b-tls'],
    );
    assert.match(run.stdout, /issuerRef:\n {4}group: cert-manager\.io\n {4}kind: Issuer\n {4}name: ca/);
  });

  it('exit 2 when a workload is kept (the rest is written); --strict makes it exit 1 and writes nothing', async () => {
    const input = file('in.yaml', workload('Deployment', 'a') + bakedTruststore);
    const out = join(dir, 'out.yaml');
    const run = await cli('-f', input, '-o', out, '--issuer', 'CMPv2Issuer/onap');
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /^migrate: StatefulSet onap\/kept: kept — cert-post-processor merges \/opt\/app\/osaaf\/truststore\.jks is in the post-processor's own image/m,
    );
    assert.match(readFileSync(out, 'utf8'), /name: a-cmpv2/);

    const strictOut = join(dir, 'strict.yaml');
    const strict = await cli('-f', input, '-o', strictOut, '--issuer', 'CMPv2Issuer/onap', '--strict');
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /^cmpv2-operator: 1 workload\(s\) kept as they were \(--strict\); nothing written$/m);
    assert.equal(existsSync(strictOut), false);
  });

  const bad: [string, () => string[], RegExp][] = [
    ['unreadable YAML', () => ['-f', file('bad.yaml', 'kind: [\n')], /^cmpv2-operator: .*bad\.yaml: document 1 is not valid YAML: /],
    ['a document that is not a mapping', () => ['-f', file('bad.yaml', '"just a string"\n')], /document 1 is not a mapping/],
    [
      '10 MB of input',
      () => ['-f', file('big.yaml', `# ${'x'.repeat(10_000_000)}\n`)],
      /big\.yaml: more than 8388608 bytes; migrate one chart or namespace at a time/,
    ],
    [
      'an unknown kind holding the client',
      () => ['-f', file('rollout.yaml', workload('Deployment', 'r').replace('kind: Deployment', 'kind: Rollout').replace('apps/v1', 'argoproj.io/v1alpha1'))],
      /kind Rollout holds a CertService client init container/,
    ],
    ['a missing file', () => ['-f', join(dir, 'nope.yaml')], /cannot read the -f file .*nope\.yaml: ENOENT/],
    ['a bad --issuer', () => ['-f', file('ok.yaml', workload('Pod', 'p')), '--issuer', 'Vault/x'], /--issuer: unknown kind 'Vault'/],
  ];
  for (const [label, args, message] of bad) {
    it(`${label}: exit 1, one line on stderr, nothing written to -o`, async () => {
      const out = join(dir, 'out.yaml');
      const given = args();
      const run = await cli(...given, '-o', out, ...(given.includes('--issuer') ? [] : ['--issuer', 'CMPv2Issuer/onap']));
      assert.equal(run.code, 1);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0], message);
      assert.equal(existsSync(out), false);
    });
  }
});
