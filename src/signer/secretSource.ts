// Where signers read key material: Secrets by name, and a Certificate's Secret name (for
// renewals). An interface so signers stay testable without an API server; `KubeSecretSource`
// is the real one. Values are bytes and never leave the signer (no logs, no errors, no Events).
// `issuerSecret` is the one reading of an issuer's Secret both backends share: missing Secret
// or key → IssuerError, in the words the issuer check uses.
import { CERTIFICATES } from '../api/certManager.js';
import type { KubeApi } from '../k8s/apiClient.js';
import { isNotFound } from '../k8s/apiError.js';
import { objectPath, SECRETS } from '../k8s/resources.js';
import type { Certificate } from '../api/certManager.js';
import type { Secret } from '../k8s/meta.js';
import { IssuerError } from './errors.js';

export interface SecretSource {
  /** The Secret's data, decoded; undefined when it does not exist. */
  readSecret(namespace: string, name: string): Promise<Record<string, Buffer> | undefined>;
  /** `spec.secretName` of a cert-manager Certificate; undefined when it does not exist. */
  certificateSecretName(namespace: string, certificateName: string): Promise<string | undefined>;
}

export class KubeSecretSource implements SecretSource {
  constructor(private readonly api: KubeApi) {}

  async readSecret(namespace: string, name: string): Promise<Record<string, Buffer> | undefined> {
    try {
      const secret = await this.api.request<Secret>('GET', objectPath(SECRETS, namespace, name));
      return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async certificateSecretName(namespace: string, certificateName: string): Promise<string | undefined> {
    try {
      const certificate = await this.api.request<Certificate>('GET', objectPath(CERTIFICATES, namespace, certificateName));
      return certificate.spec?.secretName || undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

/** An issuer's Secret with every key in `keys` non-empty; otherwise IssuerError naming the spec `field`. */
export async function issuerSecret(
  secrets: SecretSource,
  namespace: string,
  name: string,
  keys: readonly string[],
  field: string,
): Promise<Record<string, Buffer>> {
  const data = await secrets.readSecret(namespace, name);
  if (!data) throw new IssuerError(`Secret ${namespace}/${name} (${field}) not found`);
  const missing = keys.filter((k) => !data[k] || data[k].length === 0);
  if (missing.length > 0) throw new IssuerError(`Secret ${namespace}/${name} (${field}) has no key ${missing.join(', ')}`);
  return data;
}
