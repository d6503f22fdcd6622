// Certificate path building for signature-protected messages: from the signer up to a certificate of
// the trust bundle, through intermediates the message carries. Small on purpose: issuer/subject
// match, signature, validity period; intermediates must be CAs allowed to sign certificates
// (basicConstraints cA, keyUsage keyCertSign when present, pathLenConstraint); a critical
// extension this check does not understand refuses the certificate (cf. OpenSSL's
// check_chain_extensions).
import type { X509Certificate } from 'node:crypto';
import { subjectLine } from '../pki/certificate.js';
import { certificateConstraints, issuedBy, readX509 } from './certificates.js';
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
  const intermediates = (options.untrusted ?? []).map(readX509).filter((c): c is X509Certificate => c !== undefined && !c.raw.equals(leaf.raw));
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (!validAt(current, at)) {
      throw new CmpProtocolError(`certificate "${subjectLine(current)}" is not valid at ${at.toISOString()}`);
    }
    if (anchors.some((a) => a.raw.equals(current.raw))) return path;
    const anchor = anchors.find((a) => issuedBy(current, a) && validAt(a, at));
    if (anchor) return [...path, anchor];
    // Found by name and signature only (node's checkIssued also refuses an issuer without keyCertSign,
    // which would hide the reason): checkIntermediate then says what is wrong with it.
    const next = intermediates.find((c) => !path.some((p) => p.raw.equals(c.raw)) && signedBy(current, c));
    if (!next) break;
    checkIntermediate(next, path.length - 1);
    path.push(next);
    current = next;
  }
  throw new CmpProtocolError(`no chain from "${subjectLine(leaf)}" to a trusted certificate`);
}

/** True when `parent`'s subject is `child`'s issuer and its key verifies `child`'s signature. */
function signedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.issuer === parent.subject && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/** Refuses an extension the check cannot evaluate when it is critical (the signer certificate's own check). */
export function checkCriticalExtensions(cert: X509Certificate): void {
  const unknown = certificateConstraints(new Uint8Array(cert.raw)).unknownCritical;
  if (unknown.length > 0) {
    throw new CmpProtocolError(`certificate "${subjectLine(cert)}" has critical extensions this check does not support: ${unknown.join(', ')}`);
  }
}

/** An intermediate with `below` intermediates under it must be a CA allowed to sign certificates. */
function checkIntermediate(cert: X509Certificate, below: number): void {
  const constraints = certificateConstraints(new Uint8Array(cert.raw));
  const name = subjectLine(cert);
  if (!constraints.ca) throw new CmpProtocolError(`intermediate "${name}" is not a CA certificate (basicConstraints cA is not set)`);
  if (constraints.keyUsage && !constraints.keyUsage.has('keyCertSign')) {
    throw new CmpProtocolError(`intermediate "${name}" may not sign certificates (its keyUsage lacks keyCertSign)`);
  }
  if (constraints.pathLen !== undefined && below > constraints.pathLen) {
    throw new CmpProtocolError(`intermediate "${name}" allows ${constraints.pathLen} intermediate(s) below it, the path has ${below}`);
  }
  if (constraints.unknownCritical.length > 0) {
    throw new CmpProtocolError(`intermediate "${name}" has critical extensions this check does not support: ${constraints.unknownCritical.join(', ')}`);
  }
}
