// The CMP message for a request view (SPEC §3 "What is sent"): p10cr / ir / cr as the issuer
// configures, kur for a renewal when the old certificate and key are in the Certificate's
// Secret (never in annotations); otherwise an initial request. The Secret's ca.crt is never read:
// it is our own output, not a source of trust (SPEC §3). cert-manager's spec.duration becomes the
// CertTemplate's validity (notBefore now, notAfter now + duration) in ir, cr and kur; p10cr cannot
// carry it, which is said in a note (an Event on the request). spec.isCA becomes basicConstraints
// cA=TRUE in the template when the CSR does not ask for it (cert-manager leaves it out of the CSR
// unless its UseCertificateRequestBasicConstraints gate is on); a p10cr cannot add it, so such a
// request fails with the reason rather than come back as an end-entity certificate.
import type { KeyObject } from 'node:crypto';
import type { EnrollmentRequest } from '../../cmp/client.js';
import type { OptionalValidity } from '../../cmp/asn1/CertTemplate.js';
import { caBasicConstraintsExtension, csrAsksForCa, csrPublicKeyDer } from '../../cmp/csr.js';
import { parseDuration } from '../../k8s/duration.js';
import { PermanentError } from '../errors.js';
import type { SignedCertificate } from '../signer.js';
import type { CmpSpec } from '../../api/cmpv2Issuer.js';
import { csrDer, type RequestView } from '../requestView.js';
import type { SecretSource } from '../secretSource.js';
import { certificatesDer, readPrivateKey } from './keys.js';
import { isKeyOfSpki, keyMovedError } from '../csrKey.js';

export interface CmpEnrollment {
  request: EnrollmentRequest;
  /** What the request could not carry (spec.duration in a p10cr), for the request's Events. */
  notes: NonNullable<SignedCertificate['notes']>;
}

/** The validity asked by spec.duration, from `now`; undefined when none is asked. */
export function requestedValidity(view: RequestView, now = new Date()): OptionalValidity | undefined {
  if (view.duration === undefined || view.duration === '') return undefined;
  let ms: number;
  try {
    ms = parseDuration(view.duration);
  } catch (err) {
    throw new PermanentError(`spec.duration: ${(err as Error).message}`, { cause: err });
  }
  if (ms <= 0) throw new PermanentError(`spec.duration "${view.duration}" must be positive`);
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + ms) };
}

export async function enrollmentRequest(view: RequestView, spec: CmpSpec, secrets: SecretSource, now = new Date()): Promise<CmpEnrollment> {
  const csr = csrDer(view.csrPem);
  const validity = requestedValidity(view, now);
  const caAsked = view.isCA && !csrAsksForCa(csr);
  const asked = { ...(validity ? { validity } : {}), ...(caAsked ? { extraExtensions: [caBasicConstraintsExtension()] } : {}) };
  const newKey = async (): Promise<KeyObject | undefined> => {
    if (!view.privateKeySecretName) return undefined;
    const where = `Secret ${view.namespace}/${view.privateKeySecretName}`;
    const data = await secrets.readSecret(view.namespace, view.privateKeySecretName);
    const pem = data?.['tls.key'];
    if (!pem) return undefined;
    const key = readPrivateKey(pem, `${where} tls.key`);
    // cert-manager may already hold the next key there (it re-issues at once): a proof-of-possession
    // with it would be refused by the CA for good. Nothing is sent; the retry sees the request's replacement.
    if (!isKeyOfSpki(key, csrPublicKeyDer(csr))) throw keyMovedError(where);
    return key;
  };
  if (spec.renewal === 'kur' && (view.revision ?? 1) > 1 && view.certificateName) {
    const old = await previousMaterial(secrets, view.namespace, view.certificateName);
    const privateKey = old ? await newKey() : undefined;
    if (old && privateKey) {
      return {
        request: { type: 'kur', csr, privateKey, oldCertificate: old.certificate, oldChain: old.chain, oldPrivateKey: old.key, ...asked },
        notes: [],
      };
    }
    // Old material or new key missing: fall back to an initial request (SPEC §3).
  }
  if (spec.messageType === 'p10cr') {
    if (caAsked) {
      throw new PermanentError(
        "spec.isCA is true but the CSR asks for no basicConstraints cA=TRUE, and a p10cr sends the CSR as it is: use messageType ir or cr (or enable cert-manager's UseCertificateRequestBasicConstraints feature gate)",
      );
    }
    const notes: CmpEnrollment['notes'] = validity
      ? [
          {
            type: 'Warning',
            reason: 'DurationNotSent',
            message: `spec.duration ${view.duration} was not sent: a p10cr (PKCS#10) request cannot carry a validity, so the CA's default applies; use messageType ir or cr to ask for it`,
          },
        ]
      : [];
    return { request: { type: 'p10cr', csr }, notes };
  }
  const privateKey = await newKey();
  if (!privateKey) {
    // cert-manager writes the key Secret before the request; wait for it rather than fail.
    throw new Error(
      `${spec.messageType} needs the private key: Secret ${view.namespace}/${view.privateKeySecretName ?? '(no cert-manager.io/private-key-secret-name annotation)'} with tls.key not found`,
    );
  }
  return { request: { type: spec.messageType, csr, privateKey, ...asked }, notes: [] };
}

/** The certificate being renewed and its key, from the Certificate's Secret (never from annotations). */
async function previousMaterial(
  secrets: SecretSource,
  namespace: string,
  certificateName: string,
): Promise<{ certificate: Uint8Array; chain: Uint8Array[]; key: KeyObject } | undefined> {
  const secretName = await secrets.certificateSecretName(namespace, certificateName);
  if (!secretName) return undefined;
  const data = await secrets.readSecret(namespace, secretName);
  if (!data?.['tls.crt'] || !data['tls.key']) return undefined;
  try {
    const [certificate, ...chain] = certificatesDer(data['tls.crt'], `Secret ${namespace}/${secretName} tls.crt`);
    return { certificate, chain, key: readPrivateKey(data['tls.key'], `Secret ${namespace}/${secretName} tls.key`) };
  } catch {
    return undefined; // unreadable old material: enroll afresh
  }
}
