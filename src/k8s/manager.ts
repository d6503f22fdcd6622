// Runs controllers the way controller-runtime's manager does: it owns the cache, so every
// informer starts at once (and /readyz can turn true on followers too); controllers run only
// while this process leads (or always, without leader election) and only after the cache has
// synced; shutdown finishes in-flight reconciles first, then stops the watches, and only then
// releases the Lease, so the next leader never overlaps with us.
import type { KubeApi } from './apiClient.js';
import { Cache } from './cache.js';
import { LeaderElector, type LeaderElectionOptions } from './leaderElection.js';
import { errorFields, silentLogger, type Logger } from './logger.js';

/** What the manager runs on the leader: a controller (see controller.ts). */
export interface Runnable {
  readonly name: string;
  start(): void;
  /** Finishes in-flight work. */
  shutdown(): Promise<void>;
  readonly queue?: { readonly depth: number };
}

/** The cache as the manager drives it. */
export interface ManagedCache {
  start(): void;
  hasSynced(): boolean;
  waitForSync(): Promise<void>;
  stop(): Promise<void>;
}

/** The Lease and timings; the manager supplies the callbacks. */
export type LeaderElectionSettings = Pick<LeaderElectionOptions, 'namespace' | 'name' | 'identity' | 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>;

export interface ManagerOptions {
  api: KubeApi;
  /** Namespaces the cache watches; empty or absent = all. */
  namespaces?: readonly string[];
  /** Absent: no leader election, the controllers start at once. */
  leaderElection?: LeaderElectionSettings;
  logger?: Logger;
  /** Called when leadership is lost (not on our own shutdown): the process should exit. */
  onLostLeadership?: () => void;
  /** First retry delay of a failed list/watch (tests shorten it). */
  retryBaseMs?: number;
  /** Replaces the cache (tests). */
  cache?: ManagedCache;
}

export class Manager {
  readonly cache: Cache;
  private readonly runnables: Runnable[] = [];
  private elector: LeaderElector | undefined;
  private controllersStarted = false;
  private stopping = false;
  private readonly logger: Logger;
  private readonly managed: ManagedCache;

  constructor(private readonly options: ManagerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.cache = new Cache({ api: options.api, namespaces: options.namespaces, logger: this.logger, retryBaseMs: options.retryBaseMs });
    this.managed = options.cache ?? this.cache;
  }

  /** The namespaces the cache watches; empty = all. */
  get namespaces(): readonly string[] {
    return this.options.namespaces ?? [];
  }

  /** Adds a controller; it starts with the others. */
  add(runnable: Runnable): void {
    this.runnables.push(runnable);
  }

  /** The cache synced: the /readyz answer (followers included). */
  ready(): boolean {
    return this.managed.hasSynced();
  }

  isLeader(): boolean {
    return this.options.leaderElection ? (this.elector?.isLeader() ?? false) : true;
  }

  /** Keys waiting per controller, for the queue-depth metric. */
  queueDepths(): Record<string, number> {
    return Object.fromEntries(this.runnables.filter((r) => r.queue).map((r) => [r.name, r.queue!.depth]));
  }

  /** Starts the cache; starts the controllers now or when elected. Resolves once that is arranged. */
  async start(): Promise<void> {
    this.managed.start();
    const election = this.options.leaderElection;
    if (!election) {
      await this.startControllers();
      return;
    }
    this.elector = new LeaderElector({
      api: this.options.api,
      ...election,
      onStartedLeading: () => {
        this.logger.info({ identity: election.identity, lease: `${election.namespace}/${election.name}` }, 'became leader; starting controllers');
        void this.startControllers();
      },
      onStoppedLeading: () => {
        if (this.stopping) return;
        this.logger.error({ identity: election.identity }, 'lost leadership');
        this.options.onLostLeadership?.();
      },
      onNewLeader: (identity) => {
        if (identity !== election.identity) this.logger.info({ leader: identity }, 'another instance leads');
      },
      onError: (err) => this.logger.warn({ ...errorFields(err) }, 'leader election: Lease request failed'),
    });
    void this.elector.run();
  }

  private async startControllers(): Promise<void> {
    if (this.controllersStarted || this.stopping) return;
    this.controllersStarted = true;
    await this.managed.waitForSync();
    if (this.stopping) return;
    for (const runnable of this.runnables) runnable.start();
  }

  /** In-flight work first, then the watches, then the Lease. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.runnables.map((r) => r.shutdown()));
    await this.managed.stop();
    await this.elector?.stop();
  }
}
