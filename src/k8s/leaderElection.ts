// Lease-based leader election (coordination.k8s.io/v1), the algorithm of client-go: a
// candidate takes the Lease when it is free or when its holder has not renewed it for a lease
// duration *as observed on our own clock* (no trust in other machines' clocks); the leader
// renews every retry period and gives up if it cannot renew within the renew deadline.
// On a clean stop the leader releases the Lease so a successor takes over at once.
import { realClock, sleep, type Clock } from './clock.js';
import type { KubeApi } from './apiClient.js';
import { isConflict, isNotFound } from './apiError.js';
import { collectionPath, objectPath, LEASES } from './resources.js';
import type { ObjectMeta } from './meta.js';

export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: LeaseSpec;
}

export interface LeaderElectionOptions {
  api: KubeApi;
  namespace: string;
  name: string;
  /** Unique per process, e.g. pod name + random suffix. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  clock?: Clock;
  /** Called once on becoming leader; the signal aborts when leadership ends. */
  onStartedLeading: (signal: AbortSignal) => void;
  /** Called once when leadership ends (lost or released). */
  onStoppedLeading?: () => void;
  onNewLeader?: (identity: string) => void;
  onError?: (err: unknown) => void;
}

/** `metav1.MicroTime`: RFC 3339 with exactly six fractional digits. */
export function formatMicroTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private readonly clock: Clock;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly stopping = new AbortController();
  private leading: AbortController | undefined;
  private observed: { record: string; at: number } | undefined;
  private lastLeader = '';
  private running: Promise<void> | undefined;

  constructor(private readonly options: LeaderElectionOptions) {
    this.clock = options.clock ?? realClock;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.leaseDurationMs) throw new Error('the renew deadline must be shorter than the lease duration');
  }

  isLeader(): boolean {
    return this.leading !== undefined;
  }

  /** Campaigns, then leads until leadership is lost or `stop` is called. */
  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  /** Stops campaigning; a leader releases the Lease. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('leader election stopped'));
    await this.running;
  }

  private async loop(): Promise<void> {
    // Campaign.
    while (!this.stopping.signal.aborted) {
      if (await this.tryAcquireOrRenew()) break;
      if (!(await this.pause(this.retryPeriodMs * (1 + Math.random() * 0.2)))) return;
    }
    if (this.stopping.signal.aborted) {
      await this.release();
      return;
    }
    this.leading = new AbortController();
    this.options.onStartedLeading(this.leading.signal);
    // Lead: renew every retry period; give up after the renew deadline without success.
    let lastRenew = this.clock.now().getTime();
    while (!this.stopping.signal.aborted) {
      if (!(await this.pause(this.retryPeriodMs))) break;
      if (await this.tryAcquireOrRenew()) {
        lastRenew = this.clock.now().getTime();
      } else if (this.clock.now().getTime() - lastRenew >= this.renewDeadlineMs) {
        this.endLeading();
        return;
      }
    }
    await this.release();
    this.endLeading();
  }

  private endLeading(): void {
    if (!this.leading) return;
    this.leading.abort(new Error('leadership ended'));
    this.leading = undefined;
    this.options.onStoppedLeading?.();
  }

  /** Sleeps; false when stopped meanwhile. */
  private async pause(ms: number): Promise<boolean> {
    try {
      await sleep(this.clock, ms, this.stopping.signal);
      return true;
    } catch {
      return false;
    }
  }

  private path(): string {
    return objectPath(LEASES, this.options.namespace, this.options.name);
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { api, identity } = this.options;
    const now = this.clock.now();
    const ours: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: formatMicroTime(now),
      renewTime: formatMicroTime(now),
      leaseTransitions: 0,
    };
    try {
      let lease: Lease;
      try {
        lease = await api.request<Lease>('GET', this.path());
      } catch (err) {
        if (!isNotFound(err)) throw err;
        await api.request('POST', collectionPath(LEASES, this.options.namespace), {
          body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.options.name, namespace: this.options.namespace }, spec: ours },
        });
        this.observe(ours, now.getTime());
        return true;
      }
      const spec = lease.spec ?? {};
      this.observe(spec, now.getTime());
      const holder = spec.holderIdentity ?? '';
      const held = holder !== '' && holder !== identity;
      if (held && this.observed!.at + (spec.leaseDurationSeconds ?? 0) * 1000 > now.getTime()) return false;
      const next: LeaseSpec =
        holder === identity
          ? { ...spec, renewTime: ours.renewTime, leaseDurationSeconds: ours.leaseDurationSeconds }
          : { ...ours, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 };
      await api.request('PUT', this.path(), { body: { ...lease, spec: next } });
      this.observe(next, now.getTime());
      return true;
    } catch (err) {
      if (!isConflict(err)) this.options.onError?.(err);
      return false;
    }
  }

  /** Remembers when the Lease record last changed, on our clock. */
  private observe(spec: LeaseSpec, at: number): void {
    const record = JSON.stringify([spec.holderIdentity ?? '', spec.renewTime ?? '', spec.leaseTransitions ?? 0]);
    if (this.observed?.record !== record) this.observed = { record, at };
    const holder = spec.holderIdentity ?? '';
    if (holder && holder !== this.lastLeader) {
      this.lastLeader = holder;
      this.options.onNewLeader?.(holder);
    }
  }

  /** Gives the Lease up if we hold it: empty holder, so candidates need not wait out the lease. */
  private async release(): Promise<void> {
    try {
      const lease = await this.options.api.request<Lease>('GET', this.path());
      if (lease.spec?.holderIdentity !== this.options.identity) return;
      const now = formatMicroTime(this.clock.now());
      await this.options.api.request('PUT', this.path(), {
        body: { ...lease, spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: now, acquireTime: now } },
      });
    } catch (err) {
      if (!isNotFound(err)) this.options.onError?.(err);
    }
  }
}
