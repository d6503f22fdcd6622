// Runs the loops the way controller-runtime's manager does: every loop's caches start at once
// (so /readyz can turn true on followers too); reconcilers run only while this process leads
// (or always, without leader election); shutdown finishes in-flight work first and only then
// releases the Lease, so the next leader never overlaps with us.
import type { KubeApi } from './apiClient.js';
import { LeaderElector } from './leaderElection.js';
import { errorFields, silentLogger, type Logger } from './logger.js';

/** A loop as the manager drives it (IssuerLoop and the keystore loop have this shape). */
export interface Runnable {
  /** Starts list/watch only. */
  startInformers(): void;
  hasSynced(): boolean;
  /** Waits for the caches, then starts the workers. */
  startControllers(): Promise<void>;
  /** Finishes in-flight reconciles and stops the watches. */
  shutdown(): Promise<void>;
}

export interface ManagerOptions {
  api: KubeApi;
  runnables: Runnable[];
  /** Absent: no leader election, the controllers start at once. */
  leaderElection?: { namespace: string; name: string; identity: string; leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number };
  logger?: Logger;
  /** Called when leadership is lost (not on our own shutdown): the process should exit. */
  onLostLeadership?: () => void;
}

export class Manager {
  private elector: LeaderElector | undefined;
  private controllersStarted = false;
  private stopping = false;
  private readonly logger: Logger;

  constructor(private readonly options: ManagerOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** Caches of every loop synced: the /readyz answer (followers included). */
  ready(): boolean {
    return this.options.runnables.every((r) => r.hasSynced());
  }

  isLeader(): boolean {
    return this.options.leaderElection ? (this.elector?.isLeader() ?? false) : true;
  }

  /** Starts informers; starts the controllers now or when elected. Resolves once that is arranged. */
  async start(): Promise<void> {
    for (const r of this.options.runnables) r.startInformers();
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
    await Promise.all(this.options.runnables.map((r) => r.startControllers()));
  }

  /** In-flight work first, then the watches, then the Lease. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.options.runnables.map((r) => r.shutdown()));
    await this.elector?.stop();
  }
}
