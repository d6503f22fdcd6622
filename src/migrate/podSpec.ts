// The parts of a Pod spec migrate reads, checked with zod at the input boundary (the YAML a user
// hands in). Everything else in the spec is passed through untouched and never looked at.
import * as z from 'zod';

const envVar = z.object({
  name: z.string(),
  value: z.union([z.string(), z.number(), z.boolean()]).optional(),
  valueFrom: z.record(z.string(), z.unknown()).optional(),
});

const volumeMount = z.object({
  name: z.string(),
  mountPath: z.string(),
  subPath: z.string().optional(),
  subPathExpr: z.string().optional(),
  readOnly: z.boolean().optional(),
});

const container = z.object({
  name: z.string(),
  image: z.string().optional(),
  env: z.array(envVar).optional(),
  envFrom: z.array(z.unknown()).optional(),
  volumeMounts: z.array(volumeMount).optional(),
});

const keyToPath = z.object({ key: z.string(), path: z.string() });

const volume = z
  .object({
    name: z.string(),
    emptyDir: z.unknown().optional(),
    secret: z.object({ secretName: z.string().optional(), items: z.array(keyToPath).optional() }).optional(),
    configMap: z.object({ name: z.string().optional(), items: z.array(keyToPath).optional() }).optional(),
  })
  .passthrough();

export const podSpecSchema = z.object({
  initContainers: z.array(container).optional(),
  containers: z.array(container).optional(),
  volumes: z.array(volume).optional(),
});

export type EnvVar = z.infer<typeof envVar>;
export type VolumeMount = z.infer<typeof volumeMount>;
export type Container = z.infer<typeof container>;
export type Volume = z.infer<typeof volume>;
export type PodSpec = z.infer<typeof podSpecSchema>;

/** A container's place in the spec: `initContainers[i]` or `containers[i]`. */
export interface ContainerRef {
  list: 'initContainers' | 'containers';
  index: number;
  container: Container;
}

/** Init containers in order, then the app containers: the order a Pod runs them. */
export function containersInOrder(spec: PodSpec): ContainerRef[] {
  return [
    ...(spec.initContainers ?? []).map((container, index): ContainerRef => ({ list: 'initContainers', index, container })),
    ...(spec.containers ?? []).map((container, index): ContainerRef => ({ list: 'containers', index, container })),
  ];
}
