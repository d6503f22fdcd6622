// Applies CustomResourceDefinitions from a folder of YAML files (server-side apply, like
// `kubectl apply --server-side`) and waits until they are Established, so their kinds can be
// used right away.
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { rawRequest, statusMessage } from './request.js';

export const fieldManager = 'cmpv2-testbed';

export interface CrdManifest {
  readonly apiVersion: 'apiextensions.k8s.io/v1';
  readonly kind: 'CustomResourceDefinition';
  readonly metadata: { readonly name: string };
  readonly spec: unknown;
}

const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/** Every CRD in the .yaml/.yml files of `dir`, in file-name order; anything else is an error. */
export async function readCrds(dir: string): Promise<CrdManifest[]> {
  // kustomization.yaml makes the directory a kustomize base (deploy/ references it); not a manifest.
  const files = (await fs.readdir(dir)).filter((f) => /\.ya?ml$/.test(f) && !/^kustomization\.ya?ml$/.test(f)).sort();
  const crds: CrdManifest[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await fs.readFile(path.join(dir, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) continue;
      const o = value as Partial<CrdManifest>;
      if (o.apiVersion !== 'apiextensions.k8s.io/v1' || o.kind !== 'CustomResourceDefinition' || typeof o.metadata?.name !== 'string') {
        throw new Error(`${file}: expected only apiextensions.k8s.io/v1 CustomResourceDefinitions`);
      }
      crds.push(o as CrdManifest);
    }
  }
  return crds;
}

export async function applyCrd(kc: KubeConfig, crd: CrdManifest): Promise<void> {
  const url = `${crdPath}/${encodeURIComponent(crd.metadata.name)}?fieldManager=${fieldManager}&force=true`;
  // JSON is YAML, so the object goes as it is, with no client-side model in between.
  const res = await rawRequest(kc, 'PATCH', url, crd, { 'Content-Type': 'application/apply-patch+yaml' });
  if (res.status !== 200 && res.status !== 201) {
    throw new Error(`applying CustomResourceDefinition ${crd.metadata.name}: HTTP ${res.status}: ${statusMessage(res)}`);
  }
}

export async function waitForCrdsEstablished(kc: KubeConfig, names: readonly string[], timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const res = await rawRequest(kc, 'GET', `${crdPath}/${encodeURIComponent(name)}`);
      const conditions = (res.body as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions;
      if (conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CustomResourceDefinition ${name} not Established after ${timeoutMs} ms`);
      await sleep(200);
    }
  }
}

/** Applies every CRD in `dir` and waits until all are Established. */
export async function applyCrdDirectory(kc: KubeConfig, dir: string): Promise<CrdManifest[]> {
  const crds = await readCrds(dir);
  for (const crd of crds) await applyCrd(kc, crd);
  await waitForCrdsEstablished(
    kc,
    crds.map((c) => c.metadata.name),
  );
  return crds;
}

/** The name other tests already use for applyCrdDirectory. */
export const applyDirectory = applyCrdDirectory;
