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

/** What a signer is about to send the CA: a new transaction, or a poll of a waiting one. */
export interface TransactionIntent {
  kind: 'request' | 'poll';
  /** The backend's transaction (CMP: type, transactionID, nonces, certReqId) as text, opaque to the caller. */
  transaction?: string;
}

/**
 * The caller's hooks around the exchange with the CA (SPEC §3, each request enrolled once): the
 * controller records the transaction before it goes out. A signer calls `beforeSend` after
 * everything that can fail without the CA (Secrets, keys, the message) and before the first
 * byte is sent; a throw there means nothing is sent and the error is the signer's.
 */
export interface SignHooks {
  beforeSend?(intent: TransactionIntent): Promise<void>;
  /** The CA's answer to the first message has arrived and is not processed yet (the test fault points). */
  answered?(intent: TransactionIntent): Promise<void>;
}

export interface Signer {
  sign(request: RequestView, issuer: IssuerView, signal?: AbortSignal, hooks?: SignHooks): Promise<SignedCertificate>;
  /** Probes the issuer's server (SPEC §2); resolves when it is usable, with what it learned. */
  check(issuer: IssuerView, signal?: AbortSignal): Promise<IssuerCheckResult | void>;
}

/** Picks the signer for an issuer's backend. */
export interface SignerFactory {
  forIssuer(issuer: IssuerView): Signer;
}
