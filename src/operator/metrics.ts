// The operator's Prometheus metrics on one registry: requests signed/failed by issuer and reason,
// keystore store sets built/skipped/failed and their build time, sign and CMP round-trip latency,
// queue depth per controller (read when scraped), reconcile errors (counted by the generic
// controller where they happen), issuer check outcomes, the build (version) and whether this
// replica leads. Issuer labels are `Kind/namespace/name` (`ClusterKind/name` for cluster issuers).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CmpTransport } from '../cmp/transport.js';
import type { RequestMetrics } from '../controllers/certificaterequest/controller.js';
import type { KeystoreMetricsSink } from '../controllers/keystore/metrics.js';
import { operatorVersion } from './version.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class OperatorMetrics implements RequestMetrics, KeystoreMetricsSink {
  readonly registry = new Registry();
  private readonly requests: Counter<'issuer' | 'outcome' | 'reason'>;
  private readonly signDuration: Histogram<'issuer' | 'result'>;
  private readonly cmpRoundTrip: Histogram<'result'>;
  private readonly reconcileErrors: Counter<'controller'>;
  private readonly issuerChecks: Counter<'issuer' | 'outcome'>;
  private readonly storesBuilt: Counter;
  private readonly storesSkipped: Counter;
  private readonly storesFailed: Counter<'reason'>;
  private readonly buildDuration: Histogram;
  private readonly depthSources: (() => Record<string, number>)[] = [];
  private leaderSource: (() => boolean) | undefined;

  constructor(options: { processMetrics?: boolean; version?: string } = {}) {
    const registers = [this.registry];
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'cmpv2_operator_build_info',
      help: 'Always 1; the labels name the running release (package version) and the Node.js runtime',
      labelNames: ['version', 'node_version'],
      registers,
    }).set({ version: options.version ?? operatorVersion(), node_version: process.version }, 1);
    const leader = () => this.leaderSource;
    new Gauge({
      name: 'cmpv2_operator_leader',
      help: 'Whether this replica runs the controllers: 1 while it holds the leader election Lease (always 1 without leader election), else 0',
      registers,
      collect() {
        const source = leader();
        if (source) this.set(source() ? 1 : 0);
      },
    });
    const counter = <L extends string>(name: string, help: string, labelNames: L[] = []): Counter<L> => new Counter({ name, help, labelNames, registers });
    const histogram = <L extends string>(name: string, help: string, buckets: number[], labelNames: L[] = []): Histogram<L> =>
      new Histogram({ name, help, labelNames, buckets, registers });
    this.requests = counter(
      'cmpv2_certificaterequests_total',
      'CertificateRequests handled, by issuer (Kind/name), outcome (issued, failed, pending, denied) and Ready reason',
      ['issuer', 'outcome', 'reason'],
    );
    this.signDuration = histogram(
      'cmpv2_sign_duration_seconds',
      'Time the backend (CMP or CertService) took for one signing attempt, by issuer and result',
      LATENCY_BUCKETS,
      ['issuer', 'result'],
    );
    this.cmpRoundTrip = histogram(
      'cmpv2_cmp_round_trip_seconds',
      'One CMP message exchange over HTTP(S): request sent to answer read, by result',
      LATENCY_BUCKETS,
      ['result'],
    );
    this.reconcileErrors = counter('cmpv2_reconcile_errors_total', 'Reconciles that threw and were retried with backoff, by controller', ['controller']);
    this.issuerChecks = counter('cmpv2_issuer_checks_total', 'Issuer reconciles, by issuer and outcome', ['issuer', 'outcome']);
    this.storesBuilt = counter('cmpv2_keystore_stores_built_total', 'Store sets built and written into a Secret');
    this.storesSkipped = counter('cmpv2_keystore_stores_skipped_total', 'Reconciles that wrote nothing: the input hash was unchanged');
    this.storesFailed = counter('cmpv2_keystore_stores_failed_total', 'Reconciles that could not build stores (the old stores stay), by reason', ['reason']);
    this.buildDuration = histogram(
      'cmpv2_keystore_build_duration_seconds',
      'Time to compute a store set (read inputs excluded, write excluded)',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    );
    const sources = this.depthSources;
    new Gauge({
      name: 'cmpv2_workqueue_depth',
      help: 'Keys waiting in a controller work queue',
      labelNames: ['controller'],
      registers,
      collect() {
        this.reset();
        for (const source of sources) {
          for (const [controller, depth] of Object.entries(source())) this.set({ controller }, depth);
        }
      },
    });
  }

  /** Whether this replica leads, read at every scrape (no sample until it is set). */
  setLeader(source: () => boolean): void {
    this.leaderSource = source;
  }

  /** A loop's queue depths, read at every scrape. */
  addQueueDepths(source: () => Record<string, number>): void {
    this.depthSources.push(source);
  }

  outcome(issuer: string, outcome: 'pending' | 'issued' | 'failed' | 'denied', reason: string): void {
    this.requests.inc({ issuer, outcome, reason });
  }

  signed(issuer: string, seconds: number, ok: boolean): void {
    this.signDuration.observe({ issuer, result: ok ? 'ok' : 'error' }, seconds);
  }

  issuerOutcome(issuer: string, outcome: string): void {
    this.issuerChecks.inc({ issuer, outcome });
  }

  reconcileError(controller: string): void {
    this.reconcileErrors.inc({ controller });
  }

  built(seconds: number): void {
    this.storesBuilt.inc();
    this.buildDuration.observe(seconds);
  }

  skipped(): void {
    this.storesSkipped.inc();
  }

  failed(reason: string): void {
    this.storesFailed.inc({ reason });
  }

  cmpExchange(seconds: number, ok: boolean): void {
    this.cmpRoundTrip.observe({ result: ok ? 'ok' : 'error' }, seconds);
  }

  /** The Prometheus text exposition. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** A CMP transport that times each exchange (what the signer's transport factory wraps). */
export class TimedCmpTransport implements CmpTransport {
  constructor(
    private readonly inner: CmpTransport,
    private readonly observe: (seconds: number, ok: boolean) => void,
  ) {}

  async send(request: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const started = process.hrtime.bigint();
    let ok = false;
    try {
      const answer = await this.inner.send(request, signal);
      ok = true;
      return answer;
    } finally {
      this.observe(Number(process.hrtime.bigint() - started) / 1e9, ok);
    }
  }

  close(): void {
    this.inner.close?.();
  }
}
