// `run` assembled: options → KubeApi, the chosen loops, the Manager (leader election optional),
// metrics and health endpoints. start() returns once the endpoints listen and the manager has
// started; stop() finishes in-flight work, stops the watches, releases the Lease, closes the
// endpoints — in that order, so a follower never overlaps with work we have not finished.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { HttpTransport } from '../cmp/transport.js';
import type { HoldPoint } from '../controllers/certificaterequest/controller.js';
import { addIssuerLoop } from '../controllers/issuerLoop.js';
import { addKeystoreLoop } from '../controllers/keystoreLoop.js';
import { KubeApi } from '../k8s/apiClient.js';
import type { ClusterConnection } from '../k8s/kubeConfig.js';
import { EventRecorder } from '../k8s/events.js';
import { errorFields, type Logger } from '../k8s/logger.js';
import { Manager } from '../k8s/manager.js';
import type { CmpTransportFactory } from '../signer/cmp/signer.js';
import { EndpointServer, groupByAddress, textEndpoint, type Endpoint } from './httpEndpoints.js';
import { OperatorMetrics, TimedCmpTransport } from './metrics.js';
import type { OperatorOptions } from './options.js';

export interface OperatorDeps {
  /** The API server and credentials (src/k8s/kubeConfig.ts). */
  connection: ClusterConnection;
  logger: Logger;
  /** Leader-election identity; default `<hostname>_<uuid>` as client-go does. */
  identity?: string;
  /** Leadership lost (not by our own stop): the process must end and be restarted. */
  onFatal: (reason: string) => void;
  /** The pod name in CertificateRequest transaction records (POD_NAME; default the host name). */
  podName?: string;
  /** Test-only fault points (testHold.ts); production has none. */
  hold?: (point: HoldPoint, key: string) => Promise<void>;
}

export interface ListeningEndpoint {
  names: string[];
  port: number;
}

/** CMP exchanges over HTTP(S), timed into the metrics. */
function timedCmpTransport(metrics: OperatorMetrics): CmpTransportFactory {
  return (o) => new TimedCmpTransport(new HttpTransport(o), (seconds, ok) => metrics.cmpExchange(seconds, ok));
}

export class Operator {
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly manager: Manager,
    private readonly api: KubeApi,
    private readonly servers: EndpointServer[],
    readonly endpoints: ListeningEndpoint[],
    readonly metrics: OperatorMetrics,
    private readonly logger: Logger,
  ) {}

  static async start(options: OperatorOptions, deps: OperatorDeps): Promise<Operator> {
    const metrics = new OperatorMetrics();
    const logger = deps.logger;
    const api = KubeApi.fromConnection(deps.connection);
    const events = new EventRecorder(api, {
      component: 'cmpv2-operator',
      onError: (err) => logger.warn({ ...errorFields(err) }, 'could not record an Event'),
    });
    const identity = deps.identity ?? `${hostname()}_${randomUUID()}`;
    const manager = new Manager({
      api,
      namespaces: options.namespaces,
      leaderElection: options.leaderElect ? { namespace: options.leaseNamespace, name: options.leaseName, identity } : undefined,
      logger,
      onLostLeadership: () => deps.onFatal('lost the leader election Lease'),
    });
    if (options.controllers.includes('issuer')) {
      addIssuerLoop(manager, {
        api,
        cmpTransport: timedCmpTransport(metrics),
        events,
        clusterResourceNamespace: options.clusterResourceNamespace,
        maxRetryDurationMs: options.maxRetryDurationMs,
        logger,
        metrics,
        onIssuerOutcome: (issuer, outcome) => metrics.issuerOutcome(issuer, outcome),
        holder: { pod: deps.podName || hostname(), incarnation: randomUUID().slice(0, 8) },
        hold: deps.hold,
      });
    }
    if (options.controllers.includes('keystore')) {
      addKeystoreLoop(manager, { api, events, logger, metrics, keystoreMetrics: metrics });
    }
    metrics.addQueueDepths(() => manager.queueDepths());
    metrics.setLeader(() => manager.isLeader());

    const health: Record<string, Endpoint> = {
      '/healthz': textEndpoint(() => ({ status: 200, body: 'ok\n' })),
      '/readyz': textEndpoint(() => (manager.ready() ? { status: 200, body: 'ok\n' } : { status: 503, body: 'caches not synced yet\n' })),
    };
    const metricsRoutes: Record<string, Endpoint> = {
      '/metrics': { contentType: metrics.contentType, answer: async () => ({ status: 200, body: await metrics.text() }) },
    };
    const servers: EndpointServer[] = [];
    const endpoints: ListeningEndpoint[] = [];
    try {
      for (const group of groupByAddress([
        { name: 'health', address: options.healthAddr, routes: health },
        { name: 'metrics', address: options.metricsAddr, routes: metricsRoutes },
      ])) {
        const server = await EndpointServer.listen(group.address, group.routes).catch((err: unknown) => {
          throw new Error(
            `cannot listen on ${group.address.host ?? ''}:${group.address.port} for ${group.names.join(' and ')}: ${err instanceof Error ? err.message : String(err)}`,
          );
        });
        servers.push(server);
        endpoints.push({ names: group.names, port: server.port });
        logger.info({ endpoints: group.names, host: group.address.host ?? '*', port: server.port }, 'listening');
      }
      await manager.start();
    } catch (err) {
      await Promise.all(servers.map((s) => s.close()));
      api.close();
      throw err;
    }
    logger.info(
      {
        controllers: options.controllers,
        namespaces: options.namespaces.length > 0 ? options.namespaces : 'all',
        leaderElection: options.leaderElect ? `${options.leaseNamespace}/${options.leaseName}` : 'off',
        identity,
      },
      'operator started',
    );
    return new Operator(manager, api, servers, endpoints, metrics, logger);
  }

  ready(): boolean {
    return this.manager.ready();
  }

  isLeader(): boolean {
    return this.manager.isLeader();
  }

  /** In-flight work, watches, Lease, then the endpoints; safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.logger.info({}, 'shutting down: finishing in-flight work');
      await this.manager.shutdown();
      await Promise.all(this.servers.map((s) => s.close()));
      this.api.close();
      this.logger.info({}, 'shut down');
    })();
    return this.stopping;
  }
}
