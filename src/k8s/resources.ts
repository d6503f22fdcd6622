// Where each kind lives in the API: group, version, plural, scope, and the URL paths built
// from them. Every kind the operator touches is listed here, so RBAC can be read off this file.

export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export function apiVersionOf(resource: ResourceType): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

function groupPrefix(resource: ResourceType): string {
  return resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
}

/** The collection path; all namespaces when `namespace` is undefined. */
export function collectionPath(resource: ResourceType, namespace?: string): string {
  if (resource.namespaced && namespace !== undefined) {
    return `${groupPrefix(resource)}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`;
  }
  return `${groupPrefix(resource)}/${resource.plural}`;
}

/** The path of one object, or of its subresource (`status`). */
export function objectPath(resource: ResourceType, namespace: string | undefined, name: string, subresource?: string): string {
  if (resource.namespaced && !namespace) throw new Error(`${resource.kind} ${name} needs a namespace`);
  const base = `${collectionPath(resource, resource.namespaced ? namespace : undefined)}/${encodeURIComponent(name)}`;
  return subresource ? `${base}/${subresource}` : base;
}

export const SECRETS: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };
export const CONFIG_MAPS: ResourceType = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
export const EVENTS: ResourceType = { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true };
export const LEASES: ResourceType = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true };

export const CERT_MANAGER_GROUP = 'cert-manager.io';
export const CERTIFICATES: ResourceType = { group: CERT_MANAGER_GROUP, version: 'v1', plural: 'certificates', kind: 'Certificate', namespaced: true };
export const CERTIFICATE_REQUESTS: ResourceType = {
  group: CERT_MANAGER_GROUP,
  version: 'v1',
  plural: 'certificaterequests',
  kind: 'CertificateRequest',
  namespaced: true,
};

export const ISSUER_GROUP = 'certmanager.onap.org';
export const CMPV2_ISSUERS: ResourceType = { group: ISSUER_GROUP, version: 'v1', plural: 'cmpv2issuers', kind: 'CMPv2Issuer', namespaced: true };
export const CLUSTER_CMPV2_ISSUERS: ResourceType = {
  group: ISSUER_GROUP,
  version: 'v1',
  plural: 'clustercmpv2issuers',
  kind: 'ClusterCMPv2Issuer',
  namespaced: false,
};
