// Where each kind lives in the API: group, version, plural, scope, and the URL paths built
// from them. The core kinds the operator touches are listed here; cert-manager's and ours are in
// src/api, beside their types.

export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

/** A kind's descriptor (CRDs use the same words: group, kind, plural, scope). */
export function resourceType(group: string, kind: string, plural: string, scope: 'Namespaced' | 'Cluster', version = 'v1'): ResourceType {
  return { group, version, plural, kind, namespaced: scope === 'Namespaced' };
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

export const SECRETS = resourceType('', 'Secret', 'secrets', 'Namespaced');
export const CONFIG_MAPS = resourceType('', 'ConfigMap', 'configmaps', 'Namespaced');
export const EVENTS = resourceType('', 'Event', 'events', 'Namespaced');
export const LEASES = resourceType('coordination.k8s.io', 'Lease', 'leases', 'Namespaced');
