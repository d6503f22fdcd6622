// The operator's Prometheus metrics on one registry (the keystore loop registers its own on the
// same one): requests signed/failed by issuer and reason, sign and CMP round-trip latency,
// queue depth per controller (read when scraped), reconcile errors (counted by the generic
// controller where they happen), issuer check outcomes, the build (version) and whether this
// replica leads. Issuer labels are `Kind/namespace/name` (`ClusterKind/name` for cluster issuers).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CmpTransport } from '../cmp/transport.js';
import type { RequestMetrics } from '../controllers/certificaterequest/controller.js';
import { operatorVersion } from './version.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class OperatorMetrics implements RequestMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'issuer' | 'outcome' | 'reason'>;
  private readonly signDuration: Histogram<'issuer' | 'result'>;
  private readonly cmpRoundTrip: Histogram<'result'>;
  private readonly reconcileErrors: Counter<'controller'>;
  private readonly issuerChecks: Counter<'issuer' | 'outcome'>;
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
    this.requests = new Counter({
      name: 'cmpv2_certificaterequests_total',
      help: 'CertificateRequests handled, by issuer (Kind/name), outcome (issued, failed, pending, denied) and Ready reason',
      labelNames: ['issuer', 'outcome', 'reason'],
      registers,
    });
    this.signDuration = new Histogram({
      name: 'cmpv2_sign_duration_seconds',
      help: 'Time the backend (CMP or CertService) took for one signing attempt, by issuer and result',
      labelNames: ['issuer', 'result'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.cmpRoundTrip = new Histogram({
      name: 'cmpv2_cmp_round_trip_seconds',
      help: 'One CMP message exchange over HTTP(S): request sent to answer read, by result',
      labelNames: ['result'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'cmpv2_reconcile_errors_total',
      help: 'Reconciles that threw and were retried with backoff, by controller',
      labelNames: ['controller'],
      registers,
    });
    this.issuerChecks = new Counter({
      name: 'cmpv2_issuer_checks_total',
      help: 'Issuer reconciles, by issuer and outcome',
      labelNames: ['issuer', 'outcome'],
      registers,
    });
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
