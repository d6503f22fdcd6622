// `cmpv2-operator certservice`: the CertService-compatible REST server (SPEC §5.1) until
// SIGINT/SIGTERM. Parses flags, loads cmpServers.json, starts the server and /metrics; the
// server itself lives in src/certservice.
import { untilStopped } from './signals.js';
import type { Command } from 'commander';
import * as z from 'zod';
import { CertServiceMetrics, ConfigStore, startCertService } from '../certservice/index.js';
import { parseDuration } from '../k8s/duration.js';
import { EndpointServer, textEndpoint } from '../operator/httpEndpoints.js';
import { createLogger } from '../operator/logging.js';
import { LOG_LEVELS, parseListenAddress } from '../operator/options.js';
import { readInputFile } from './inputs.js';
import { integerFlag } from './flags.js';

const CertServiceFlags = z
  .object({
    config: z.string({ error: '--config is required (the cmpServers.json file)' }).min(1, '--config must not be empty'),
    host: z.string().min(1, '--host must not be empty'),
    port: integerFlag('--port', 0, 65535),
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    tlsClientCa: z.string().min(1).optional(),
    insecureNoClientAuth: z.boolean().default(false),
    metricsAddr: z.string(),
    logLevel: z.enum(LOG_LEVELS, { error: `--log-level must be one of ${LOG_LEVELS.join(', ')}` }),
    logFormat: z.enum(['json', 'text'], { error: '--log-format must be json or text' }).optional(),
    cmpTimeout: z.string(),
    maxConcurrent: integerFlag('--max-concurrent', 1, 4096),
  })
  .refine((f) => f.tlsCert !== undefined && f.tlsKey !== undefined, { message: '--tls-cert and --tls-key are required (CertService speaks HTTPS only)' })
  .refine((f) => f.tlsClientCa !== undefined || f.insecureNoClientAuth, {
    message: '--tls-client-ca is required (clients must present a certificate); --insecure-no-client-auth is for development only',
  });

export function registerCertServiceCommand(program: Command): void {
  program
    .command('certservice')
    .description("a drop-in for ONAP's CertService REST API (mTLS), enrolling through CMPv2 with the CAs of cmpServers.json")
    .option('--config <file>', "ONAP's cmpServers.json (re-read on GET /reload)")
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--port <n>', 'HTTPS port; 0 picks a free one and prints it', '8443')
    .option('--tls-cert <file>', 'PEM server certificate (chain)')
    .option('--tls-key <file>', 'PEM server private key')
    .option('--tls-client-ca <file>', 'PEM CA bundle client certificates must chain to (mutual TLS)')
    .option('--insecure-no-client-auth', 'development only: accept clients without a certificate')
    .option('--metrics-addr <addr>', 'plain-HTTP address for Prometheus /metrics and the kubelet probes (/ready, /actuator/health), host:port; 0 disables', '0')
    .option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`, 'info')
    .option('--log-format <format>', 'json or text (default: text when stderr is a terminal, else json)')
    .option('--cmp-timeout <duration>', 'budget of one CMP transaction with the CA (e.g. 30s, 1m)', '30s')
    .option('--max-concurrent <n>', 'CMP transactions at once; more wait in a queue (512), beyond it 503', '32')
    .action(async (raw: Record<string, unknown>) => {
      const parsed = CertServiceFlags.safeParse(raw);
      if (!parsed.success) throw new Error(parsed.error.issues[0].message);
      const flags = parsed.data;
      let cmpTimeoutMs: number;
      try {
        cmpTimeoutMs = parseDuration(flags.cmpTimeout);
      } catch (err) {
        throw new Error(`--cmp-timeout: ${(err as Error).message}`);
      }
      if (cmpTimeoutMs <= 0) throw new Error('--cmp-timeout must be more than 0');
      const metricsAddr = parseListenAddress(flags.metricsAddr, '--metrics-addr');
      const logger = createLogger(flags.logLevel, flags.logFormat ?? (process.stderr.isTTY ? 'text' : 'json'));
      const tls = {
        cert: readInputFile(flags.tlsCert!, 'the --tls-cert file').toString('utf8'),
        key: readInputFile(flags.tlsKey!, 'the --tls-key file').toString('utf8'),
        ...(flags.tlsClientCa !== undefined ? { clientCa: readInputFile(flags.tlsClientCa, 'the --tls-client-ca file').toString('utf8') } : {}),
      };
      if (flags.insecureNoClientAuth) logger.warn({}, '--insecure-no-client-auth: clients are NOT asked for a certificate; for development only');
      const config = new ConfigStore(flags.config);
      try {
        const loaded = await config.reload();
        logger.info({ config: flags.config, servers: [...loaded.servers.keys()] }, 'configuration loaded');
      } catch (err) {
        // Not fatal: /ready answers 503 and requests 503 until a /reload reads a good file.
        logger.error({ config: flags.config, reason: (err as Error).message }, 'configuration not usable; answering 503 until GET /reload loads a good one');
      }
      const metrics = new CertServiceMetrics();
      const server = await startCertService({
        host: flags.host,
        port: flags.port,
        config,
        tls,
        insecureNoClientAuth: flags.insecureNoClientAuth,
        cmpTimeoutMs,
        maxConcurrent: flags.maxConcurrent,
        logger,
        metrics,
      });
      const metricsServer = metricsAddr
        ? await EndpointServer.listen(metricsAddr, {
            '/metrics': { contentType: metrics.registry.contentType, answer: async () => ({ status: 200, body: await metrics.registry.metrics() }) },
            // Plain-HTTP probes for the kubelet, which cannot present a client certificate to the mTLS port.
            '/ready': textEndpoint(() =>
              config.current ? { status: 200, body: 'ok\n' } : { status: 503, body: `${config.problem ?? 'no configuration loaded'}\n` },
            ),
            '/actuator/health': { contentType: 'application/json', answer: async () => ({ status: 200, body: '{"status":"UP"}' }) },
          })
        : undefined;
      const stopped = untilStopped();
      process.stdout.write(`${server.url}\n`);
      logger.info({ url: server.url, metricsPort: metricsServer?.port }, 'certservice listening');
      const signal = await stopped;
      await Promise.all([server.close(), metricsServer?.close()]);
      logger.info({ signal }, 'certservice stopped');
    });
}
