// Writes with optimistic concurrency. A JSON merge patch that carries
// `metadata.resourceVersion` is applied only if the object has not changed since we read it
// (409 Conflict otherwise); we then read the object again, recompute the patch and retry.
// This is how we touch only our own keys of a Secret while cert-manager writes its own.
import { MERGE_PATCH, type KubeApi } from './apiClient.js';
import { isConflict } from './apiError.js';
import { objectPath, type ResourceType } from './resources.js';
import type { KubeObject } from './meta.js';

export type MergePatch = Record<string, unknown>;

export interface NamespacedName {
  namespace?: string;
  name: string;
}

export interface RetryPatchOptions<T> {
  /** `status` to write the status subresource. */
  subresource?: 'status';
  /** A copy already at hand (from a cache): the first attempt uses it instead of a GET. */
  current?: T;
  /** Attempts in all, default 5. */
  attempts?: number;
}

export class ConflictRetriesExhaustedError extends Error {
  override readonly name = 'ConflictRetriesExhaustedError';
}

/** A single merge patch, with a resourceVersion precondition when `resourceVersion` is given. */
export async function mergePatch<T extends KubeObject>(
  api: KubeApi,
  resource: ResourceType,
  ref: NamespacedName,
  patch: MergePatch,
  options: { subresource?: 'status'; resourceVersion?: string } = {},
): Promise<T> {
  const body = options.resourceVersion ? withResourceVersion(patch, options.resourceVersion) : patch;
  return api.request<T>('PATCH', objectPath(resource, ref.namespace, ref.name, options.subresource), { body, contentType: MERGE_PATCH });
}

/**
 * Read → `build(current)` → patch with the read resourceVersion; on 409 read again and
 * rebuild. `build` returns undefined when nothing needs writing (then nothing is sent).
 * Returns the written object, or undefined when nothing was written.
 */
export async function patchWithRetry<T extends KubeObject>(
  api: KubeApi,
  resource: ResourceType,
  ref: NamespacedName,
  build: (current: T) => MergePatch | undefined,
  options: RetryPatchOptions<T> = {},
): Promise<T | undefined> {
  const attempts = options.attempts ?? 5;
  let current = options.current;
  for (let attempt = 1; ; attempt++) {
    current ??= await api.request<T>('GET', objectPath(resource, ref.namespace, ref.name));
    const patch = build(current);
    if (patch === undefined) return undefined;
    const resourceVersion = current.metadata.resourceVersion;
    if (!resourceVersion) throw new Error(`${resource.kind} ${ref.name} has no resourceVersion to patch against`);
    try {
      return await mergePatch<T>(api, resource, ref, patch, { subresource: options.subresource, resourceVersion });
    } catch (err) {
      if (!isConflict(err)) throw err;
      if (attempt >= attempts) {
        throw new ConflictRetriesExhaustedError(`${resource.kind} ${ref.name} kept changing: ${attempts} conflicting writes`);
      }
      current = undefined;
    }
  }
}

/** Patches the status subresource with conflict retry; `build` gets the current object. */
export function patchStatusWithRetry<T extends KubeObject>(
  api: KubeApi,
  resource: ResourceType,
  ref: NamespacedName,
  build: (current: T) => MergePatch | undefined,
  options: Omit<RetryPatchOptions<T>, 'subresource'> = {},
): Promise<T | undefined> {
  return patchWithRetry(
    api,
    resource,
    ref,
    (current) => {
      const status = build(current);
      return status === undefined ? undefined : { status };
    },
    { ...options, subresource: 'status' },
  );
}

/** Keys to set (string) or remove (null) in annotations, labels and data. */
export interface KeyedChanges {
  annotations?: Record<string, string | null>;
  labels?: Record<string, string | null>;
  data?: Record<string, string | null>;
}

/** The merge patch of `changes`; undefined when it changes nothing in `current`. */
export function keyedChangesPatch(current: KubeObject & { data?: Record<string, string> }, changes: KeyedChanges): MergePatch | undefined {
  const differs = (have: Record<string, string> | undefined, want: Record<string, string | null> | undefined): boolean =>
    Object.entries(want ?? {}).some(([k, v]) => (v === null ? have !== undefined && k in have : have?.[k] !== v));
  if (
    !differs(current.metadata.annotations, changes.annotations) &&
    !differs(current.metadata.labels, changes.labels) &&
    !differs(current.data, changes.data)
  ) {
    return undefined;
  }
  const metadata: MergePatch = {};
  if (changes.annotations && Object.keys(changes.annotations).length > 0) metadata.annotations = changes.annotations;
  if (changes.labels && Object.keys(changes.labels).length > 0) metadata.labels = changes.labels;
  const patch: MergePatch = {};
  if (Object.keys(metadata).length > 0) patch.metadata = metadata;
  if (changes.data && Object.keys(changes.data).length > 0) patch.data = changes.data;
  return patch;
}

function withResourceVersion(patch: MergePatch, resourceVersion: string): MergePatch {
  const metadata = (patch.metadata as MergePatch | undefined) ?? {};
  return { ...patch, metadata: { ...metadata, resourceVersion } };
}
