// The issuer-lib contract: signing is two plain functions. A signer returns PEM or throws one
// of the typed errors (PendingError, PermanentError, IssuerError); anything else thrown is
// retried with backoff until the max-retry duration, then the request fails.
import type { IssuerBackend, IssuerKind } from '../api/cmpv2Issuer.js';
import type { RequestView } from './requestView.js';

/** What a signer knows of an issuer: its validated spec and where its Secrets live. */
export interface IssuerView {
  kind: IssuerKind;
  name: string;
  /** The issuer's namespace; for ClusterCMPv2Issuer, undefined. */
  namespace?: string;
  /** Where referenced Secrets are read: the issuer's namespace or `--cluster-resource-namespace`. */
  secretsNamespace: string;
  generation: number;
  spec: IssuerBackend;
}

export interface SignedCertificate {
  /** Leaf first, then intermediates, PEM. */
  chainPem: string;
  /** Every trusted root the CA returned, PEM; may be empty. */
  caPem: string;
}

export interface Signer {
  sign(request: RequestView, issuer: IssuerView, signal?: AbortSignal): Promise<SignedCertificate>;
  /** Probes the issuer's server (SPEC §2); resolves when it is usable. */
  check(issuer: IssuerView, signal?: AbortSignal): Promise<void>;
}

/** Picks the signer for an issuer's backend. */
export interface SignerFactory {
  forIssuer(issuer: IssuerView): Signer;
}
