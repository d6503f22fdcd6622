// What the keystore controller reports: store sets built, skipped (inputs unchanged), failed by
// reason, and how long a build takes. `run` maps it onto Prometheus (src/operator/metrics.ts).

export interface KeystoreMetricsSink {
  built(seconds: number): void;
  skipped(): void;
  failed(reason: string): void;
}
