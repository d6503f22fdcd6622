// Prometheus metrics of the CertService server on its own registry: REST requests by CA and
// outcome, CMP transaction latency by CA, message type and result, and work in flight.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class CertServiceMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'ca' | 'endpoint' | 'outcome'>;
  private readonly cmpDuration: Histogram<'ca' | 'type' | 'result'>;
  readonly inFlight: Gauge;

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'certservice_requests_total',
      help: 'Certification requests answered, by CA name (as asked), endpoint (certificate, certificate-update) and outcome (issued, bad_csr, bad_key, bad_certificate, unknown_ca, ca_rejected, cmp_error, not_ready, overloaded, headers_too_large)',
      labelNames: ['ca', 'endpoint', 'outcome'],
      registers,
    });
    this.cmpDuration = new Histogram({
      name: 'certservice_cmp_duration_seconds',
      help: 'One CMP transaction with the CA (request to certificate, polling included), by CA name, message type (ir, cr, p10cr, kur, genm) and result (ok, rejected, error)',
      labelNames: ['ca', 'type', 'result'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.inFlight = new Gauge({ name: 'certservice_requests_in_flight', help: 'Certification requests being worked on or queued', registers });
  }

  request(ca: string, endpoint: string, outcome: string): void {
    // An unknown CA name is the client's text: bounded so a scanner cannot grow the label set.
    this.requests.inc({ ca: outcome === 'unknown_ca' ? '(unknown)' : ca.slice(0, 128), endpoint, outcome });
  }

  cmp(ca: string, type: string, result: string, seconds: number): void {
    this.cmpDuration.observe({ ca, type, result }, seconds);
  }
}
