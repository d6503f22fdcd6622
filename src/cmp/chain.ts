// Certificate path building for signature-protected messages: from the signer up to a certificate of
// the trust bundle, through intermediates the message carries. Small on purpose: issuer/subject
// match, signature, validity period, CA flag on intermediates.
import type { X509Certificate } from 'node:crypto';
import { subjectLine } from '../pki/certificate.js';
import { issuedBy, readX509 } from './certificates.js';
import { CmpProtocolError } from './errors.js';

export interface ChainOptions {
  /** Trust anchors (DER). A signer certificate that is itself in this list is trusted directly. */
  trusted: readonly Uint8Array[];
  /** Candidate intermediates (DER), e.g. the message's extraCerts. */
  untrusted?: readonly Uint8Array[];
  /** Validation time; default now. */
  at?: Date;
}

const MAX_DEPTH = 8;

function validAt(cert: X509Certificate, at: Date): boolean {
  return new Date(cert.validFrom) <= at && at <= new Date(cert.validTo);
}

/** Returns the path leaf → … → anchor, or throws CmpProtocolError saying why none exists. */
export function verifyCertificateChain(leafDer: Uint8Array, options: ChainOptions): X509Certificate[] {
  const at = options.at ?? new Date();
  const leaf = readX509(leafDer);
  if (!leaf) throw new CmpProtocolError('signer certificate is not a readable X.509 certificate');
  const anchors = options.trusted.map(readX509).filter((c): c is X509Certificate => c !== undefined);
  if (anchors.length === 0) throw new CmpProtocolError('no trusted certificates configured to verify signature protection');
  const intermediates = (options.untrusted ?? []).map(readX509).filter((c): c is X509Certificate => c !== undefined && c.ca);
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (!validAt(current, at)) {
      throw new CmpProtocolError(`certificate "${subjectLine(current)}" is not valid at ${at.toISOString()}`);
    }
    if (anchors.some((a) => a.raw.equals(current.raw))) return path;
    const anchor = anchors.find((a) => issuedBy(current, a) && validAt(a, at));
    if (anchor) return [...path, anchor];
    const next = intermediates.find((c) => !path.some((p) => p.raw.equals(c.raw)) && issuedBy(current, c));
    if (!next) break;
    path.push(next);
    current = next;
  }
  throw new CmpProtocolError(`no chain from "${subjectLine(leaf)}" to a trusted certificate`);
}
