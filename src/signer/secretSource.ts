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
  /**
   * The Secret's data, decoded; undefined when it does not exist. `issuer`: one of an issuer's
   * own Secrets (credentials, trust bundles), read for every request, so a source may keep it
   * while its resourceVersion stands.
   */
  readSecret(namespace: string, name: string, options?: { issuer?: boolean }): Promise<Record<string, Buffer> | undefined>;
  /** `spec.secretName` of a cert-manager Certificate; undefined when it does not exist. */
  certificateSecretName(namespace: string, certificateName: string): Promise<string | undefined>;
}

/** The resourceVersion a watch currently shows for a Secret; undefined when it does not know it. */
export type SecretVersions = (namespace: string, name: string) => string | undefined;

/** At most this many issuer Secrets are kept (an operator serves a handful of issuers). */
const MAX_KEPT = 256;

export class KubeSecretSource implements SecretSource {
  private readonly kept = new Map<string, { resourceVersion: string; data: Record<string, Buffer> }>();

  /**
   * `versions`: the Secret metadata watch the issuer loop already runs. With it, an issuer's
   * Secret is read once per resourceVersion instead of once per request; without it, always.
   */
  constructor(
    private readonly api: KubeApi,
    private readonly versions?: SecretVersions,
  ) {}

  async readSecret(namespace: string, name: string, options: { issuer?: boolean } = {}): Promise<Record<string, Buffer> | undefined> {
    const key = `${namespace}/${name}`;
    const current = options.issuer ? this.versions?.(namespace, name) : undefined;
    const kept = this.kept.get(key);
    if (current !== undefined && kept?.resourceVersion === current) return kept.data;
    let secret: Secret;
    try {
      secret = await this.api.request<Secret>('GET', objectPath(SECRETS, namespace, name));
    } catch (err) {
      if (isNotFound(err)) {
        this.kept.delete(key);
        return undefined;
      }
      throw err;
    }
    const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    if (options.issuer && this.versions && secret.metadata.resourceVersion) {
      this.kept.delete(key);
      this.kept.set(key, { resourceVersion: secret.metadata.resourceVersion, data });
      if (this.kept.size > MAX_KEPT) this.kept.delete(this.kept.keys().next().value!);
    }
    return data;
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
  const data = await secrets.readSecret(namespace, name, { issuer: true });
  if (!data) throw new IssuerError(`Secret ${namespace}/${name} (${field}) not found`);
  const missing = keys.filter((k) => !data[k] || data[k].length === 0);
  if (missing.length > 0) throw new IssuerError(`Secret ${namespace}/${name} (${field}) has no key ${missing.join(', ')}`);
  return data;
}
