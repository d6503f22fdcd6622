// Apply (trust-manager's target.go): the merge patch that puts a computed build into the target
// Secret, touching only the operator's keys — its store keys, the hash and keys annotations and
// the managed label — so cert-manager's tls.crt/tls.key/ca.crt and any key a user added stay as
// they are. The patch carries the resourceVersion it was computed from: if cert-manager wrote in
// between, the API server refuses it (409) and the caller computes again from the fresh Secret.
import type { KubeApi } from '../../k8s/apiClient.js';
import { SECRETS } from '../../k8s/resources.js';
import { keyedChangesPatch, mergePatch, type KeyedChanges, type MergePatch } from '../../k8s/status.js';
import type { Secret } from '../../k8s/meta.js';
import { KEYSTORE_ANNOTATIONS, MANAGED_LABEL } from '../../api/keystoreAnnotations.js';
import type { DesiredStores } from './desired.js';

/** The keyed changes of a build: set our keys, remove the ones of dropped formats. */
export function storeChanges(desired: DesiredStores): KeyedChanges {
  const data: Record<string, string | null> = { ...desired.data };
  for (const key of desired.remove) data[key] = null;
  return {
    data,
    annotations: {
      [KEYSTORE_ANNOTATIONS.hash]: desired.hash,
      [KEYSTORE_ANNOTATIONS.keys]: desired.keys.length > 0 ? desired.keys.join(',') : null,
    },
    labels: { [MANAGED_LABEL]: 'true' },
  };
}

/** The merge patch for `target`, or undefined when it already holds the build. */
export function storePatch(target: Secret, desired: DesiredStores): MergePatch | undefined {
  if (desired.unchanged) return undefined;
  return keyedChangesPatch(target, storeChanges(desired));
}

/** Sends the patch with `target`'s resourceVersion as precondition; throws ApiError 409 on a race. */
export function applyStorePatch(api: KubeApi, target: Secret, patch: MergePatch): Promise<Secret> {
  const resourceVersion = target.metadata.resourceVersion;
  if (!resourceVersion) throw new Error(`Secret ${target.metadata.name ?? ''} has no resourceVersion to patch against`);
  return mergePatch<Secret>(api, SECRETS, { namespace: target.metadata.namespace, name: target.metadata.name ?? '' }, patch, { resourceVersion });
}
