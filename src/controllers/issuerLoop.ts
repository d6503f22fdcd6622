// The issuer loop (SPEC §1): the issuer and CertificateRequest controllers, registered with a
// manager whose cache gives them CertificateRequests, both issuer kinds and (metadata only,
// shared with the keystore loop when both watch the same namespaces) Secrets.
// `cmpv2-operator run` adds it to the manager; leader election decides when it runs.
import { CERTIFICATE_REQUESTS, type CertificateRequest } from '../api/certManager.js';
import { CLUSTER_CMPV2_ISSUERS, CMPV2_ISSUERS, type CMPv2Issuer } from '../api/cmpv2Issuer.js';
import type { KubeApi } from '../k8s/apiClient.js';
import type { EventSink } from '../k8s/events.js';
import type { Logger } from '../k8s/logger.js';
import type { Manager } from '../k8s/manager.js';
import type { KubeObject } from '../k8s/meta.js';
import { SECRETS } from '../k8s/resources.js';
import { createSigners } from '../signer/backends.js';
import type { CmpTransportFactory } from '../signer/cmp/signer.js';
import { KubeSecretSource } from '../signer/secretSource.js';
import type { SignerFactory } from '../signer/signer.js';
import { CertificateRequestController, type HoldPoint, type RequestMetrics } from './certificaterequest/controller.js';
import type { Holder } from './certificaterequest/transactionRecord.js';
import { IssuerController } from './issuer/controller.js';

export interface IssuerLoopOptions {
  api: KubeApi;
  /**
   * Default: both backends (CMP and CertService) reading Secrets through `api`, an issuer's own
   * Secrets once per resourceVersion (the loop's Secret metadata watch tells it).
   */
  signers?: SignerFactory;
  /** The CMP transport of the default signers; default HTTP(S). The operator times exchanges with it. */
  cmpTransport?: CmpTransportFactory;
  events: EventSink;
  clusterResourceNamespace: string;
  maxRetryDurationMs: number;
  /** CertificateRequest workers: CMP transactions in flight at once (default REQUEST_WORKERS). */
  workers?: number;
  logger?: Logger;
  metrics?: RequestMetrics;
  onIssuerOutcome?: (issuer: string, outcome: string) => void;
  /** Who we are in CertificateRequest transaction records (default: this host and a new incarnation). */
  holder?: Holder;
  /** Test-only fault points; production has none. */
  hold?: (point: HoldPoint, key: string) => Promise<void>;
}

/**
 * A CertificateRequest reconcile mostly waits (API writes, the CA's round trips), so more run at
 * once than the generic controller's default; the CA sees at most this many transactions from us.
 */
export const REQUEST_WORKERS = 8;

export interface IssuerLoop {
  issuerController: IssuerController;
  requestController: CertificateRequestController;
}

/** Registers both controllers with `manager`; they start with it. */
export function addIssuerLoop(manager: Manager, options: IssuerLoopOptions): IssuerLoop {
  const { api, logger, metrics } = options;
  const { cache } = manager;
  const issuers = cache.informer<CMPv2Issuer>(CMPV2_ISSUERS);
  const clusterIssuers = cache.informer<CMPv2Issuer>(CLUSTER_CMPV2_ISSUERS);
  // ClusterCMPv2Issuer Secrets live in the cluster resource namespace: watch it too.
  const namespaces = manager.namespaces;
  const secrets = cache.informer<KubeObject>(SECRETS, {
    metadataOnly: true,
    namespaces: namespaces.length > 0 ? [...namespaces, options.clusterResourceNamespace] : [],
  });
  const versions = (namespace: string, name: string) => secrets.store.getByName(namespace, name)?.metadata.resourceVersion;
  const signers = options.signers ?? createSigners({ secrets: new KubeSecretSource(api, versions), cmpTransport: options.cmpTransport });
  const issuerController = new IssuerController({
    api,
    issuers,
    clusterIssuers,
    secrets,
    signers,
    events: options.events,
    clusterResourceNamespace: options.clusterResourceNamespace,
    logger,
    metrics,
    onOutcome: options.onIssuerOutcome,
  });
  const requestController = new CertificateRequestController({
    api,
    requests: cache.informer<CertificateRequest>(CERTIFICATE_REQUESTS),
    issuers,
    clusterIssuers,
    signers,
    events: options.events,
    maxRetryDurationMs: options.maxRetryDurationMs,
    clusterResourceNamespace: options.clusterResourceNamespace,
    workers: options.workers ?? REQUEST_WORKERS,
    logger,
    metrics,
    recheckIssuer: (kind, namespace, name) => issuerController.recheck(kind, namespace, name),
    holder: options.holder,
    hold: options.hold,
  });
  manager.add(issuerController);
  manager.add(requestController);
  return { issuerController, requestController };
}
