// The cert-manager kinds the operator reads and writes (cert-manager.io/v1), as the API sends
// them. Only the fields we use are typed; the rest passes through untouched.
import { resourceType } from '../k8s/resources.js';
import type { Condition } from '../k8s/conditions.js';
import type { KubeObject } from '../k8s/meta.js';

export interface IssuerReference {
  name: string;
  kind?: string;
  group?: string;
}

export interface CertificateRequestSpec {
  /** base64 of the PEM-encoded PKCS#10 request. */
  request: string;
  issuerRef: IssuerReference;
  duration?: string;
  isCA?: boolean;
  usages?: string[];
}

export interface CertificateRequestStatus {
  conditions?: Condition[];
  /** base64 of PEM: the leaf and its intermediates. */
  certificate?: string;
  /** base64 of PEM: the trusted roots. */
  ca?: string;
  failureTime?: string;
}

export interface CertificateRequest extends KubeObject {
  spec: CertificateRequestSpec;
  status?: CertificateRequestStatus;
}

export interface SecretKeySelector {
  name: string;
  key?: string;
}

export interface CertificateKeystores {
  jks?: { create: boolean; passwordSecretRef?: SecretKeySelector; alias?: string };
  pkcs12?: { create: boolean; passwordSecretRef?: SecretKeySelector; profile?: string };
}

export interface CertificateSpec {
  secretName: string;
  issuerRef: IssuerReference;
  commonName?: string;
  dnsNames?: string[];
  keystores?: CertificateKeystores;
}

export interface CertificateStatus {
  conditions?: Condition[];
  revision?: number;
  notAfter?: string;
}

export interface Certificate extends KubeObject {
  spec: CertificateSpec;
  status?: CertificateStatus;
}

/** Annotations cert-manager puts on a CertificateRequest. */
export const CR_ANNOTATIONS = {
  privateKeySecretName: 'cert-manager.io/private-key-secret-name',
  certificateName: 'cert-manager.io/certificate-name',
  certificateRevision: 'cert-manager.io/certificate-revision',
} as const;

export const CONDITION_READY = 'Ready';
export const CONDITION_APPROVED = 'Approved';
export const CONDITION_DENIED = 'Denied';
/** cert-manager's CertificateRequest Ready reasons. */
export const REASON = { pending: 'Pending', failed: 'Failed', issued: 'Issued', denied: 'Denied' } as const;

export const CERT_MANAGER_GROUP = 'cert-manager.io';
export const CERTIFICATES = resourceType(CERT_MANAGER_GROUP, 'Certificate', 'certificates', 'Namespaced');
export const CERTIFICATE_REQUESTS = resourceType(CERT_MANAGER_GROUP, 'CertificateRequest', 'certificaterequests', 'Namespaced');
