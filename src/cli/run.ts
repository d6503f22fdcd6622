// `cmpv2-operator run`: parses the flags, then runs the operator until SIGTERM/SIGINT.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { inClusterConnection, loadKubeconfigFiles } from '../k8s/kubeConfig.js';
import { findKubeconfig } from '../operator/kubeconfigSource.js';
import { createLogger } from '../operator/logging.js';
import { podNamespace, toOperatorOptions } from '../operator/options.js';
import { Operator } from '../operator/operator.js';
import { testHoldFromEnv } from '../operator/testHold.js';
import { operatorVersion } from '../operator/version.js';

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
/** Past this, shutdown gives up waiting (the Deployment's grace period is longer). */
const SHUTDOWN_LIMIT_MS = 50_000;

function readServiceAccountNamespace(): string | undefined {
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8');
  } catch {
    return undefined;
  }
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run the issuer and keystore loops against the current kubeconfig (KUBECONFIG, ~/.kube/config) or the in-cluster config, until SIGTERM/SIGINT')
    .option('--namespace <name>', 'watch only this namespace (repeatable; default: all namespaces)', collect)
    .option('--controllers <list>', 'comma-separated loops to run: issuer, keystore', 'issuer,keystore')
    .option('--leader-elect', 'run controllers only while holding a Lease (for more than one replica)', false)
    .option(
      '--lease-namespace <name>',
      'namespace of the leader election Lease (default: the pod namespace from the ServiceAccount mount or POD_NAMESPACE, else default)',
    )
    .option('--lease-name <name>', 'name of the leader election Lease', 'cmpv2-operator')
    .option('--metrics-addr <addr>', 'Prometheus /metrics listen address, host:port; 0 disables', ':8080')
    .option('--health-addr <addr>', '/healthz and /readyz listen address, host:port; 0 disables', ':8081')
    .option('--log-level <level>', 'trace, debug, info, warn, error, fatal or silent', 'info')
    .option('--log-format <format>', 'json or text (default: text when stderr is a terminal, else json)')
    .option('--cluster-resource-namespace <name>', 'namespace holding the Secrets of ClusterCMPv2Issuers', 'cert-manager')
    .option('--max-retry-duration <duration>', 'how long a CertificateRequest is retried before it is Failed (Go duration)', '10m')
    .action(async (flags: Record<string, unknown>) => {
      const options = toOperatorOptions(flags, () => podNamespace(readServiceAccountNamespace, process.env), process.stderr.isTTY === true);
      const source = findKubeconfig();
      const logger = createLogger(options.logLevel, options.logFormat);
      logger.info({ version: operatorVersion(), node: process.version }, 'cmpv2-operator starting');
      // Our own reader: client-node's KubeConfig would load its whole generated API (~72 MiB).
      const connection = source.kind === 'in-cluster' ? inClusterConnection() : loadKubeconfigFiles(source.files);
      let fatal: ((reason: string) => void) | undefined;
      const stopped = new Promise<{ reason: string; failed: boolean }>((resolve) => {
        process.once('SIGTERM', () => resolve({ reason: 'SIGTERM', failed: false }));
        process.once('SIGINT', () => resolve({ reason: 'SIGINT', failed: false }));
        fatal = (reason) => resolve({ reason, failed: true });
      });
      const operator = await Operator.start(options, {
        connection,
        logger,
        onFatal: (reason) => fatal?.(reason),
        // The pod's name (downward API; in a pod the host name is the same) names us in transaction records.
        podName: process.env.POD_NAME?.trim() || undefined,
        hold: testHoldFromEnv(process.env),
      });
      const { reason, failed } = await stopped;
      logger.info({ reason }, 'stopping');
      const limit = setTimeout(() => {
        logger.error({ limitMs: SHUTDOWN_LIMIT_MS }, 'shutdown took too long; exiting');
        process.exit(1);
      }, SHUTDOWN_LIMIT_MS);
      limit.unref();
      await operator.stop();
      clearTimeout(limit);
      // Everything we opened is closed; a library's lingering socket must not keep us alive.
      setTimeout(() => process.exit(), 2_000).unref();
      if (failed) throw new Error(reason);
    });
}
