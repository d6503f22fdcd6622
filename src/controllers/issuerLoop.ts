// The issuer loop assembled: informers for CertificateRequests, both issuer kinds and (shared,
// metadata only) Secrets, the issuer and CertificateRequest controllers, start in order
// (caches synced before any reconcile) and shutdown (finish in-flight work, stop watches).
// `cmpv2-operator run` builds one of these; leader election decides when `start` is called.
import { CLUSTER_CMPV2_ISSUERS, CMPV2_ISSUERS } from '../api/cmpv2Issuer.js';
import { CERTIFICATE_REQUESTS } from '../api/certManager.js';
import type { KubeApi } from '../k8s/apiClient.js';
import type { EventSink } from '../k8s/events.js';
import { Informer } from '../k8s/informer.js';
import type { Logger } from '../k8s/logger.js';
import { SECRETS } from '../k8s/resources.js';
import type { CertificateRequest } from '../api/certManager.js';
import type { CMPv2Issuer } from '../api/cmpv2Issuer.js';
import type { KubeObject } from '../k8s/meta.js';
import { BackendSigners } from '../signer/backendSigners.js';
import { KubeSecretSource } from '../signer/secretSource.js';
import type { SignerFactory } from '../signer/signer.js';
import { CertificateRequestController, type RequestMetrics } from './certificaterequest/controller.js';
import { IssuerController } from './issuer/controller.js';

export interface IssuerLoopOptions {
  api: KubeApi;
  /** Default: both backends (CMP and CertService) reading Secrets through `api`. */
  signers?: SignerFactory;
  events: EventSink;
  /** Watch only these namespaces; empty = all. */
  namespaces: readonly string[];
  clusterResourceNamespace: string;
  maxRetryDurationMs: number;
  /** A metadata-only Secret informer shared with the keystore loop; one is made when absent. */
  secrets?: Informer<KubeObject>;
  workers?: number;
  logger?: Logger;
  metrics?: RequestMetrics;
  onIssuerOutcome?: (issuer: string, outcome: string) => void;
}

export class IssuerLoop {
  readonly requests: Informer<CertificateRequest>;
  readonly issuers: Informer<CMPv2Issuer>;
  readonly clusterIssuers: Informer<CMPv2Issuer>;
  readonly secrets: Informer<KubeObject>;
  readonly issuerController: IssuerController;
  readonly requestController: CertificateRequestController;
  private readonly ownsSecrets: boolean;

  constructor(options: IssuerLoopOptions) {
    const { api, namespaces, logger } = options;
    const signers = options.signers ?? BackendSigners.fromSecrets(new KubeSecretSource(api));
    const onError = (err: unknown, scope: string): void => logger?.warn({ scope, error: err instanceof Error ? err.message : String(err) }, 'watch failed; retrying');
    this.requests = new Informer<CertificateRequest>({ api, resource: CERTIFICATE_REQUESTS, namespaces, onError });
    this.issuers = new Informer<CMPv2Issuer>({ api, resource: CMPV2_ISSUERS, namespaces, onError });
    this.clusterIssuers = new Informer<CMPv2Issuer>({ api, resource: CLUSTER_CMPV2_ISSUERS, onError });
    this.ownsSecrets = options.secrets === undefined;
    // ClusterCMPv2Issuer Secrets live in the cluster resource namespace: watch it too.
    const secretNamespaces = namespaces.length > 0 ? [...namespaces, options.clusterResourceNamespace] : [];
    this.secrets = options.secrets ?? new Informer<KubeObject>({ api, resource: SECRETS, namespaces: secretNamespaces, metadataOnly: true, onError });
    this.issuerController = new IssuerController({
      api,
      issuers: this.issuers,
      clusterIssuers: this.clusterIssuers,
      secrets: this.secrets,
      signers,
      events: options.events,
      clusterResourceNamespace: options.clusterResourceNamespace,
      logger,
      onOutcome: options.onIssuerOutcome,
    });
    this.requestController = new CertificateRequestController({
      api,
      requests: this.requests,
      issuers: this.issuers,
      clusterIssuers: this.clusterIssuers,
      signers,
      events: options.events,
      maxRetryDurationMs: options.maxRetryDurationMs,
      clusterResourceNamespace: options.clusterResourceNamespace,
      workers: options.workers,
      logger,
      metrics: options.metrics,
      recheckIssuer: (kind, namespace, name) => this.issuerController.recheck(kind, namespace, name),
    });
  }

  private informers(): Informer<KubeObject>[] {
    const list = [this.requests, this.issuers, this.clusterIssuers] as unknown as Informer<KubeObject>[];
    return this.ownsSecrets ? [...list, this.secrets] : list;
  }

  /** Starts the watches (not the workers): readiness can follow `hasSynced` on followers too. */
  startInformers(): void {
    for (const informer of this.informers()) informer.start();
  }

  hasSynced(): boolean {
    return this.informers().every((i) => i.hasSynced()) && this.secrets.hasSynced();
  }

  /** Waits for the caches, then runs the controllers (on the leader). */
  async startControllers(): Promise<void> {
    this.startInformers();
    await Promise.all([...this.informers(), this.secrets].map((i) => i.waitForSync()));
    this.issuerController.start();
    this.requestController.start();
  }

  /** Queue depths, for the metrics. */
  queueDepths(): { issuer: number; certificaterequest: number } {
    return { issuer: this.issuerController.queue.depth, certificaterequest: this.requestController.queue.depth };
  }

  /** Finishes in-flight reconciles, then stops the watches. */
  async shutdown(): Promise<void> {
    await Promise.all([this.requestController.shutdown(), this.issuerController.shutdown()]);
    await Promise.all(this.informers().map((i) => i.stop()));
  }
}
