// The issuer-lib contract: signing is two plain functions. A signer returns PEM or throws one
// of the typed errors of errors.ts (PendingError, PermanentError, IssuerError); anything else
// thrown is retried with backoff until the max-retry duration, then the request fails. The
// signal is the controller's shutdown: a signer passes it down to its network calls.
import type { IssuerView } from './issuerView.js';
import type { RequestView } from './requestView.js';

export interface SignedCertificate {
  /** Leaf first, then intermediates, PEM. */
  chainPem: string;
  /** The trusted roots by SPEC §3's rule, PEM; may be empty. */
  caPem: string;
  /** Things the request's Event must name: roots taken from extraCerts on request, caPubs entries skipped. */
  notes?: { type: 'Normal' | 'Warning'; reason: string; message: string }[];
}

/** What an issuer check learned: the CA certificates of a verified genm answer (PEM), kept in the issuer's status. */
export interface IssuerCheckResult {
  caCertificatesPem?: string;
}

export interface Signer {
  sign(request: RequestView, issuer: IssuerView, signal?: AbortSignal): Promise<SignedCertificate>;
  /** Probes the issuer's server (SPEC §2); resolves when it is usable, with what it learned. */
  check(issuer: IssuerView, signal?: AbortSignal): Promise<IssuerCheckResult | void>;
}

/** Picks the signer for an issuer's backend. */
export interface SignerFactory {
  forIssuer(issuer: IssuerView): Signer;
}
