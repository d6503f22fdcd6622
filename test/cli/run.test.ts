// `cmpv2-operator run` flags: defaults, every flag's validation, the pod-namespace default of
// --lease-namespace, and a bad flag through main() → exit 1 with one line on stderr.
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { main } from '../../src/cli/main.js';
import { registerRunCommand } from '../../src/cli/run.js';
import { parseListenAddress, podNamespace, toOperatorOptions } from '../../src/operator/options.js';

/** The flags commander produces for `run ARGS` (the action is replaced, nothing starts). */
function flagsOf(args: string[]): Record<string, unknown> {
  const program = new Command('cmpv2-operator').exitOverride();
  registerRunCommand(program);
  const run = program.commands.find((c) => c.name() === 'run')!;
  let captured: Record<string, unknown> = {};
  run.exitOverride().action((flags: Record<string, unknown>) => {
    captured = flags;
  });
  program.parse(['node', 'cmpv2-operator', 'run', ...args]);
  return captured;
}

const options = (args: string[], podNs = 'pod-ns') => toOperatorOptions(flagsOf(args), () => podNs);

async function mainStderr(args: string[]): Promise<{ code: number; lines: string[] }> {
  const written: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'cmpv2-operator', 'run', ...args]);
    return { code, lines: written.join('').trim().split('\n') };
  } finally {
    process.stderr.write = original;
  }
}

describe('cli/run flags', () => {
  it('defaults: all namespaces, both loops, no leader election, :8080/:8081, json, info, 10m', () => {
    assert.deepEqual(options([]), {
      namespaces: [],
      controllers: ['issuer', 'keystore'],
      leaderElect: false,
      leaseNamespace: 'pod-ns',
      leaseName: 'cmpv2-operator',
      metricsAddr: { port: 8080 },
      healthAddr: { port: 8081 },
      logLevel: 'info',
      logFormat: 'json',
      clusterResourceNamespace: 'cert-manager',
      maxRetryDurationMs: 600_000,
    });
  });

  it('takes every flag', () => {
    const o = options([
      '--namespace',
      'a',
      '--namespace',
      'b',
      '--namespace',
      'a',
      '--controllers',
      'keystore',
      '--leader-elect',
      '--lease-namespace',
      'ops',
      '--lease-name',
      'my.lease',
      '--metrics-addr',
      '0',
      '--health-addr',
      '127.0.0.1:0',
      '--log-level',
      'debug',
      '--log-format',
      'text',
      '--cluster-resource-namespace',
      'kube-system',
      '--max-retry-duration',
      '1h30m',
    ]);
    assert.deepEqual(o, {
      namespaces: ['a', 'b'],
      controllers: ['keystore'],
      leaderElect: true,
      leaseNamespace: 'ops',
      leaseName: 'my.lease',
      metricsAddr: undefined,
      healthAddr: { host: '127.0.0.1', port: 0 },
      logLevel: 'debug',
      logFormat: 'text',
      clusterResourceNamespace: 'kube-system',
      maxRetryDurationMs: 5_400_000,
    });
  });

  const bad: [string[], RegExp][] = [
    [['--controllers', 'issuer,foo'], /--controllers: unknown controller "foo"/],
    [['--controllers', ','], /--controllers must name at least one/],
    [['--namespace', 'Bad_NS'], /--namespace must be a namespace name/],
    [['--lease-namespace', 'x'.repeat(64)], /--lease-namespace names have at most 63/],
    [['--metrics-addr', 'localhost'], /--metrics-addr "localhost" is not an address/],
    [['--health-addr', ':70000'], /--health-addr port 70000 is out of range/],
    [['--log-level', 'verbose'], /--log-level must be one of/],
    [['--log-format', 'yaml'], /--log-format must be json or text/],
    [['--max-retry-duration', '10'], /--max-retry-duration: "10" is not a duration/],
    [['--max-retry-duration', '0'], /--max-retry-duration must be longer than 0/],
    [['--cluster-resource-namespace', ''], /--cluster-resource-namespace must be a namespace name/],
  ];
  for (const [args, message] of bad) {
    it(`refuses ${args.join(' ')}`, () => {
      assert.throws(() => options(args), message);
    });
  }

  it('a bad flag through main(): exit 1, one line on stderr, nothing started', async () => {
    const { code, lines } = await mainStderr(['--log-format', 'yaml']);
    assert.equal(code, 1);
    assert.deepEqual(lines, ['cmpv2-operator: --log-format must be json or text']);
  });

  it('listen addresses as Go writes them', () => {
    assert.deepEqual(parseListenAddress(':8080', 'x'), { port: 8080 });
    assert.deepEqual(parseListenAddress('0.0.0.0:9090', 'x'), { host: '0.0.0.0', port: 9090 });
    assert.deepEqual(parseListenAddress('[::1]:9090', 'x'), { host: '::1', port: 9090 });
    assert.deepEqual(parseListenAddress('localhost:1', 'x'), { host: 'localhost', port: 1 });
    assert.equal(parseListenAddress('0', 'x'), undefined);
    assert.throws(() => parseListenAddress('8080', '--m'), /--m "8080" is not an address/);
  });

  it('--lease-namespace default: ServiceAccount mount, then POD_NAMESPACE, else default', () => {
    assert.equal(
      podNamespace(() => 'from-file\n', { POD_NAMESPACE: 'from-env' }),
      'from-file',
    );
    assert.equal(
      podNamespace(() => undefined, { POD_NAMESPACE: 'from-env' }),
      'from-env',
    );
    assert.equal(
      podNamespace(() => 'Not A Namespace', {}),
      'default',
    );
    assert.equal(
      podNamespace(() => undefined, {}),
      'default',
    );
  });

  it('--help documents every flag', () => {
    const program = new Command('cmpv2-operator');
    registerRunCommand(program);
    const help = program.commands.find((c) => c.name() === 'run')!.helpInformation();
    for (const flag of [
      '--namespace',
      '--controllers',
      '--leader-elect',
      '--lease-namespace',
      '--lease-name',
      '--metrics-addr',
      '--health-addr',
      '--log-level',
      '--log-format',
      '--cluster-resource-namespace',
      '--max-retry-duration',
    ]) {
      assert.ok(help.includes(flag), `${flag} in --help`);
    }
  });

  it('without --log-format: text when stderr is a terminal, JSON otherwise; the flag wins', () => {
    assert.equal(toOperatorOptions(flagsOf([]), () => 'ns', true).logFormat, 'text');
    assert.equal(toOperatorOptions(flagsOf([]), () => 'ns', false).logFormat, 'json');
    assert.equal(toOperatorOptions(flagsOf(['--log-format', 'json']), () => 'ns', true).logFormat, 'json');
    assert.equal(toOperatorOptions(flagsOf(['--log-format', 'text']), () => 'ns', false).logFormat, 'text');
  });

  it('without a kubeconfig: exit 1 and one line saying so, before anything starts', async () => {
    const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME, KUBERNETES_SERVICE_HOST: process.env.KUBERNETES_SERVICE_HOST };
    try {
      process.env.KUBECONFIG = '/nonexistent/kubeconfig';
      assert.deepEqual(await mainStderr(['--metrics-addr', '0', '--health-addr', '0']), {
        code: 1,
        lines: ['cmpv2-operator: KUBECONFIG names no existing file (/nonexistent/kubeconfig)'],
      });
      delete process.env.KUBECONFIG;
      delete process.env.KUBERNETES_SERVICE_HOST;
      process.env.HOME = '/nonexistent-home';
      const { code, lines } = await mainStderr(['--metrics-addr', '0', '--health-addr', '0']);
      assert.equal(code, 1);
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0], /^cmpv2-operator: no kubeconfig: set KUBECONFIG or write \/nonexistent-home\/\.kube\/config /);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
