// The parts of Kubernetes objects every controller reads: metadata as the API server sends it
// (JSON, timestamps as RFC 3339 strings), and the metadata-only form of any object.

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
}

export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

/** `meta.k8s.io/v1 PartialObjectMetadata`: an object of any kind without spec, data or status. */
export interface PartialObjectMetadata extends KubeObject {
  kind?: 'PartialObjectMetadata';
}

/** What an Event or a log line needs to name an object. */
export interface ObjectReference {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
}

export interface Secret extends KubeObject {
  type?: string;
  /** Values are base64, as the API sends them. */
  data?: Record<string, string>;
}

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** The store key of an object: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(meta: ObjectMeta): string {
  return meta.namespace ? `${meta.namespace}/${meta.name ?? ''}` : (meta.name ?? '');
}

/** Splits a store key back into namespace and name. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function referenceTo(apiVersion: string, kind: string, object: KubeObject): ObjectReference {
  return {
    apiVersion,
    kind,
    namespace: object.metadata.namespace,
    name: object.metadata.name ?? '',
    uid: object.metadata.uid,
    resourceVersion: object.metadata.resourceVersion,
  };
}
