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
