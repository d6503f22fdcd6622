// Splits what a CA sent into what cert-manager stores: the chain (leaf + intermediates, leaf first)
// and the trusted roots (every caPubs certificate plus every self-signed certificate in extraCerts).
import type { X509Certificate } from 'node:crypto';
import { isSelfSigned, issuedBy, readX509, sameBytes } from './certificates.js';

export interface EnrollmentResult {
  /** DER of the issued certificate. */
  certificate: Uint8Array;
  /** DER chain, leaf first, then the intermediates that lead to a root (roots excluded). */
  chain: Uint8Array[];
  /** DER trust anchors: caPubs and self-signed extraCerts, de-duplicated, all of them. */
  trustedRoots: Uint8Array[];
  /** True when the CA granted implicit confirmation (no certConf was sent). */
  implicitConfirmGranted: boolean;
}

function uniqueAppend(list: Uint8Array[], der: Uint8Array): void {
  if (!list.some((c) => sameBytes(c, der))) list.push(der);
}

/** Builds chain and roots from the leaf, the response's extraCerts and caPubs. */
export function splitCertificates(
  leaf: Uint8Array,
  extraCerts: readonly Uint8Array[],
  caPubs: readonly Uint8Array[],
): Pick<EnrollmentResult, 'chain' | 'trustedRoots'> {
  const trustedRoots: Uint8Array[] = [];
  for (const der of caPubs) uniqueAppend(trustedRoots, der);
  for (const der of extraCerts) if (isSelfSigned(der)) uniqueAppend(trustedRoots, der);
  const intermediates = extraCerts.filter((der) => !isSelfSigned(der) && !sameBytes(der, leaf));
  const chain = [leaf];
  let current = readX509(leaf);
  while (current && chain.length < 10) {
    const child: X509Certificate = current;
    const parentDer = intermediates.find((der) => {
      const candidate = readX509(der);
      if (!candidate || chain.some((c) => sameBytes(c, der))) return false;
      return issuedBy(child, candidate);
    });
    if (!parentDer) break;
    chain.push(parentDer);
    current = readX509(parentDer);
  }
  return { chain, trustedRoots };
}
