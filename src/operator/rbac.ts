// What the operator may do in the API, as RBAC rules: the one source the kustomize base
// (deploy/*rbac.yaml) and the Helm chart (templates/_rbac.tpl) are generated from
// (`npx tsx scripts/deploy/generate.ts`; a test fails when either differs from this file).
//
// issuer loop:   CertificateRequests (watch; patch for the transaction annotation, status patch),
//                CMPv2Issuers and ClusterCMPv2Issuers (watch, status patch), Secrets (metadata
//                watch; get of the issuer's key/credential Secrets and of a Certificate's Secret
//                for kur), Certificates (get: the Secret of the certificate being renewed)
// keystore loop: Certificates (watch), Secrets (metadata watch, get, patch of the operator's own
//                keys), ConfigMaps (metadata watch, get: trust sources)
// both:          Events (create, patch of a repeated Event's count)
// Nothing is deleted; nothing is created but Events and the leader election Lease.
import { CERTIFICATE_REQUESTS, CERTIFICATES } from '../api/certManager.js';
import { CLUSTER_CMPV2_ISSUERS, CMPV2_ISSUERS } from '../api/cmpv2Issuer.js';
import { CONFIG_MAPS, EVENTS, LEASES, SECRETS } from '../k8s/resources.js';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** Cluster-wide: `run` watches every namespace unless `--namespace` narrows it, and ClusterCMPv2Issuers are cluster-scoped. */
export const OPERATOR_RULES: readonly PolicyRule[] = [
  { apiGroups: [CERTIFICATE_REQUESTS.group], resources: [CERTIFICATE_REQUESTS.plural], verbs: ['get', 'list', 'watch', 'patch'] },
  { apiGroups: [CERTIFICATE_REQUESTS.group], resources: [`${CERTIFICATE_REQUESTS.plural}/status`], verbs: ['patch'] },
  { apiGroups: [CERTIFICATES.group], resources: [CERTIFICATES.plural], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [CMPV2_ISSUERS.group], resources: [CMPV2_ISSUERS.plural, CLUSTER_CMPV2_ISSUERS.plural], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [CMPV2_ISSUERS.group], resources: [`${CMPV2_ISSUERS.plural}/status`, `${CLUSTER_CMPV2_ISSUERS.plural}/status`], verbs: ['patch'] },
  { apiGroups: [SECRETS.group], resources: [SECRETS.plural], verbs: ['get', 'list', 'watch', 'patch'] },
  { apiGroups: [CONFIG_MAPS.group], resources: [CONFIG_MAPS.plural], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [EVENTS.group], resources: [EVENTS.plural], verbs: ['create', 'patch'] },
];

/** In the Lease's namespace only (`run --leader-elect`). */
export const LEADER_ELECTION_RULES: readonly PolicyRule[] = [{ apiGroups: [LEASES.group], resources: [LEASES.plural], verbs: ['get', 'create', 'update'] }];

/**
 * Who may approve CertificateRequests for our issuers: cert-manager's webhook lets an approver
 * set Approved/Denied only with `approve` on the `signers` resource named after the issuer kind.
 */
export const APPROVER_RULES: readonly PolicyRule[] = [
  {
    apiGroups: [CERTIFICATE_REQUESTS.group],
    resources: ['signers'],
    verbs: ['approve'],
    resourceNames: [`${CMPV2_ISSUERS.plural}.${CMPV2_ISSUERS.group}/*`, `${CLUSTER_CMPV2_ISSUERS.plural}.${CLUSTER_CMPV2_ISSUERS.group}/*`],
  },
];
