// Prometheus metrics of the keystore loop, registered on the registry `run` exposes: stores
// built, skipped (inputs unchanged), failed by reason, and how long a build takes.
import { Counter, Histogram, type Registry } from 'prom-client';

export interface KeystoreMetricsSink {
  built(seconds: number): void;
  skipped(): void;
  failed(reason: string): void;
}

export class KeystoreMetrics implements KeystoreMetricsSink {
  private readonly builtTotal: Counter;
  private readonly skippedTotal: Counter;
  private readonly failedTotal: Counter<'reason'>;
  private readonly duration: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.builtTotal = new Counter({ name: 'cmpv2_keystore_stores_built_total', help: 'Store sets built and written into a Secret', registers });
    this.skippedTotal = new Counter({
      name: 'cmpv2_keystore_stores_skipped_total',
      help: 'Reconciles that wrote nothing: the input hash was unchanged',
      registers,
    });
    this.failedTotal = new Counter({
      name: 'cmpv2_keystore_stores_failed_total',
      help: 'Reconciles that could not build stores (the old stores stay), by reason',
      labelNames: ['reason'],
      registers,
    });
    this.duration = new Histogram({
      name: 'cmpv2_keystore_build_duration_seconds',
      help: 'Time to compute a store set (read inputs excluded, write excluded)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
  }

  built(seconds: number): void {
    this.builtTotal.inc();
    this.duration.observe(seconds);
  }

  skipped(): void {
    this.skippedTotal.inc();
  }

  failed(reason: string): void {
    this.failedTotal.inc({ reason });
  }
}
