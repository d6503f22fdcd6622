// What a signer knows of an issuer (issuer-lib's issuer view): its validated spec and where its
// Secrets live, never the Kubernetes object. Built here once, for both the issuer check and
// signing a CertificateRequest.
import type { CMPv2Issuer, IssuerBackend, IssuerKind, IssuerStatus } from '../api/cmpv2Issuer.js';

export interface IssuerView {
  kind: IssuerKind;
  name: string;
  /** The issuer's namespace; for ClusterCMPv2Issuer, undefined. */
  namespace?: string;
  /** Where referenced Secrets are read: the issuer's namespace or `--cluster-resource-namespace`. */
  secretsNamespace: string;
  generation: number;
  spec: IssuerBackend;
  /** PEM of the CA certificates the last issuer check learned from a verified genm (status.caCertificates). */
  caCertificatesPem?: string;
}

/** Where an issuer's Secrets live: its own namespace, or `--cluster-resource-namespace` for ClusterCMPv2Issuer. */
export function issuerSecretsNamespace(kind: IssuerKind, issuer: Pick<CMPv2Issuer, 'metadata'>, clusterResourceNamespace: string): string {
  return kind === 'ClusterCMPv2Issuer' ? clusterResourceNamespace : (issuer.metadata.namespace ?? '');
}

export interface IssuerViewInput {
  issuer: Pick<CMPv2Issuer, 'metadata'> & { status?: IssuerStatus };
  /** Passed in: an object from a typed informer may not carry `kind`. */
  kind: IssuerKind;
  /** The issuer's spec as `parseIssuerSpec` validated it. */
  spec: IssuerBackend;
  clusterResourceNamespace: string;
}

export function issuerView({ issuer, kind, spec, clusterResourceNamespace }: IssuerViewInput): IssuerView {
  return {
    kind,
    name: issuer.metadata.name ?? '',
    namespace: kind === 'ClusterCMPv2Issuer' ? undefined : issuer.metadata.namespace,
    secretsNamespace: issuerSecretsNamespace(kind, issuer, clusterResourceNamespace),
    generation: issuer.metadata.generation ?? 0,
    spec,
    ...(issuer.status?.caCertificates ? { caCertificatesPem: issuer.status.caCertificates } : {}),
  };
}
