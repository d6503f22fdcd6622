// One object read straight from the API server (not the cache): what controllers do for the
// few objects whose content the metadata-only caches do not hold.
import type { KubeApi } from './apiClient.js';
import { isNotFound } from './apiError.js';
import type { KubeObject } from './meta.js';
import { objectPath, type ResourceType } from './resources.js';

/** GET one object; undefined when it does not exist. */
export async function getObject<T extends KubeObject>(
  api: KubeApi,
  resource: ResourceType,
  namespace: string | undefined,
  name: string,
  signal?: AbortSignal,
): Promise<T | undefined> {
  try {
    return await api.request<T>('GET', objectPath(resource, namespace, name), { signal });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
