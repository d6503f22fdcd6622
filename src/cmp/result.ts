// Splits what a CA sent into what cert-manager stores (SPEC §3 "Trusted roots"): the chain (leaf
// + intermediates, leaf first) and the trusted roots. extraCerts are outside every protection,
// so being there never makes a certificate trusted. A root is (a) a caPubs certificate of a
// verified answer, (b) the self-signed anchor the issued chain verifies to, or (c) a known root
// the caller learned from a verified genm answer. Other self-signed extraCerts are returned
// apart (`extraRoots`) for a caller that opts in. Every caPubs entry is read as X.509 first;
// unreadable ones are skipped and named.
import type { X509Certificate } from 'node:crypto';
import { subjectLine } from '../pki/certificate.js';
import { isSelfSigned, issuedBy, readX509, sameBytes } from './certificates.js';
import { CmpProtocolError } from './errors.js';

export interface EnrollmentResult {
  /** DER of the issued certificate. */
  certificate: Uint8Array;
  /** DER chain, leaf first, then the intermediates that lead to a root (roots excluded). */
  chain: Uint8Array[];
  /** DER trust anchors by the rule above, de-duplicated. */
  trustedRoots: Uint8Array[];
  /** Self-signed extraCerts that are not trusted roots by the rule (written only on request). */
  extraRoots: Uint8Array[];
  /** What was left out and why (unreadable caPubs entries). */
  warnings: string[];
  /** True when the CA granted implicit confirmation (no certConf was sent). */
  implicitConfirmGranted: boolean;
}

export interface CertificateSources {
  extraCerts: readonly Uint8Array[];
  caPubs: readonly Uint8Array[];
  /** False for an answer whose protection did not verify: its caPubs are ignored. */
  verified: boolean;
  /** Self-signed roots from a verified genm answer (the issuer's status.caCertificates). */
  knownRoots?: readonly Uint8Array[];
}

function uniqueAppend(list: Uint8Array[], der: Uint8Array): void {
  if (!list.some((c) => sameBytes(c, der))) list.push(der);
}

/** A caPubs entry must be a readable certificate of a CA (or a self-signed v1 root). */
function caPubsProblem(der: Uint8Array, index: number): string | undefined {
  const cert = readX509(der);
  if (!cert) return `caPubs[${index}] is not a readable X.509 certificate; skipped`;
  if (!cert.ca && !isSelfSigned(der)) return `caPubs[${index}] "${subjectLine(cert)}" is not a CA certificate; skipped`;
  return undefined;
}

/** Builds chain and roots; throws CmpProtocolError when the chain verifies to none of the roots it found. */
export function splitCertificates(leaf: Uint8Array, sources: CertificateSources): Pick<EnrollmentResult, 'chain' | 'trustedRoots' | 'extraRoots' | 'warnings'> {
  const warnings: string[] = [];
  const caPubs: Uint8Array[] = [];
  if (sources.verified) {
    sources.caPubs.forEach((der, i) => {
      const problem = caPubsProblem(der, i);
      if (problem) warnings.push(problem);
      else uniqueAppend(caPubs, der);
    });
  } else if (sources.caPubs.length > 0) {
    warnings.push(`${sources.caPubs.length} caPubs certificate(s) of an unverified answer ignored`);
  }
  const known = (sources.knownRoots ?? []).filter((der) => isSelfSigned(der));
  const readableExtra = sources.extraCerts.filter((der) => readX509(der) !== undefined && !sameBytes(der, leaf));
  const selfSignedExtra = readableExtra.filter((der) => isSelfSigned(der));
  const intermediates = readableExtra.filter((der) => !isSelfSigned(der));
  // The chain: leaf, then the intermediates that issued it, in order.
  const chain = [leaf];
  let current = readX509(leaf);
  if (!current) throw new CmpProtocolError('the issued certificate is not a readable X.509 certificate');
  while (chain.length < 10) {
    const child: X509Certificate = current;
    const parentDer = intermediates.find((der) => !chain.some((c) => sameBytes(c, der)) && issuedBy(child, readX509(der) as X509Certificate));
    if (!parentDer) break;
    chain.push(parentDer);
    current = readX509(parentDer) as X509Certificate;
  }
  // The anchor: the certificate (a caPubs CA, a known root, a self-signed extraCert) whose key verifies the top of the chain.
  const top = current;
  const anchor = [...caPubs, ...known, ...selfSignedExtra].find((der) => issuedBy(top, readX509(der) as X509Certificate));
  const trustedRoots: Uint8Array[] = [];
  for (const der of caPubs) uniqueAppend(trustedRoots, der);
  if (anchor) uniqueAppend(trustedRoots, anchor);
  for (const der of known) uniqueAppend(trustedRoots, der);
  const chained = anchor !== undefined || chain.some((c) => trustedRoots.some((r) => sameBytes(r, c)));
  if (!chained && trustedRoots.length > 0) {
    throw new CmpProtocolError(
      `the issued certificate "${subjectLine(readX509(leaf) as X509Certificate)}" does not chain to any of the ${trustedRoots.length} trusted root(s) (caPubs, the issuer's CA certificates)`,
    );
  }
  const extraRoots = selfSignedExtra.filter((der) => !trustedRoots.some((r) => sameBytes(r, der)));
  return { chain, trustedRoots, extraRoots, warnings };
}
