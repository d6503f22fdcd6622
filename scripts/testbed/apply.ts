// Applies YAML manifests (server-side apply, like `kubectl apply --server-side`) and waits for
// CustomResourceDefinitions to be Established, so their kinds can be used right away.
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiextensionsV1Api, KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

export const fieldManager = 'cmpv2-testbed';

/** Every non-empty YAML document of the .yaml/.yml files in `dir`, in file-name order. */
export async function readManifests(dir: string): Promise<KubernetesObject[]> {
  const files = (await fs.readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const objects: KubernetesObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await fs.readFile(path.join(dir, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) continue;
      if (typeof value !== 'object' || !('apiVersion' in value) || !('kind' in value)) {
        throw new Error(`${file}: a document is not a Kubernetes object`);
      }
      objects.push(value as KubernetesObject);
    }
  }
  return objects;
}

export async function applyObjects(kc: KubeConfig, objects: readonly KubernetesObject[]): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  for (const object of objects) {
    await client.patch(object, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
  }
}

export async function waitForCrdsEstablished(kc: KubeConfig, names: readonly string[], timeoutMs = 60000): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await api.readCustomResourceDefinition({ name });
      const established = crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      if (established) break;
      if (Date.now() > deadline) throw new Error(`CustomResourceDefinition ${name} not Established after ${timeoutMs} ms`);
      await sleep(200);
    }
  }
}

/** Applies every manifest in `dir` and waits for the CRDs among them. */
export async function applyDirectory(kc: KubeConfig, dir: string): Promise<KubernetesObject[]> {
  const objects = await readManifests(dir);
  await applyObjects(kc, objects);
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata?.name ?? '');
  await waitForCrdsEstablished(kc, crds);
  return objects;
}
