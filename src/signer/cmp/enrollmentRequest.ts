// The CMP message for a request view (SPEC §3 "What is sent"): p10cr / ir / cr as the issuer
// configures, kur for a renewal when the old certificate and key are in the Certificate's
// Secret (never in annotations); otherwise an initial request. The Secret's ca.crt is never read:
// it is our own output, not a source of trust (SPEC §3).
import type { KeyObject } from 'node:crypto';
import type { EnrollmentRequest } from '../../cmp/client.js';
import type { CmpSpec } from '../../api/cmpv2Issuer.js';
import { csrDer, type RequestView } from '../requestView.js';
import type { SecretSource } from '../secretSource.js';
import { certificatesDer, readPrivateKey } from './keys.js';

export interface CmpEnrollment {
  request: EnrollmentRequest;
}

export async function enrollmentRequest(view: RequestView, spec: CmpSpec, secrets: SecretSource): Promise<CmpEnrollment> {
  const csr = csrDer(view.csrPem);
  const newKey = async (): Promise<KeyObject | undefined> => {
    if (!view.privateKeySecretName) return undefined;
    const data = await secrets.readSecret(view.namespace, view.privateKeySecretName);
    const pem = data?.['tls.key'];
    return pem ? readPrivateKey(pem, `Secret ${view.namespace}/${view.privateKeySecretName} tls.key`) : undefined;
  };
  if (spec.renewal === 'kur' && (view.revision ?? 1) > 1 && view.certificateName) {
    const old = await previousMaterial(secrets, view.namespace, view.certificateName);
    const privateKey = old ? await newKey() : undefined;
    if (old && privateKey) {
      return { request: { type: 'kur', csr, privateKey, oldCertificate: old.certificate, oldChain: old.chain, oldPrivateKey: old.key } };
    }
    // Old material or new key missing: fall back to an initial request (SPEC §3).
  }
  if (spec.messageType === 'p10cr') return { request: { type: 'p10cr', csr } };
  const privateKey = await newKey();
  if (!privateKey) {
    // cert-manager writes the key Secret before the request; wait for it rather than fail.
    throw new Error(
      `${spec.messageType} needs the private key: Secret ${view.namespace}/${view.privateKeySecretName ?? '(no cert-manager.io/private-key-secret-name annotation)'} with tls.key not found`,
    );
  }
  return { request: { type: spec.messageType, csr, privateKey } };
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
