// Where each workload kind keeps its Pod template (SPEC §5.2: Deployment, StatefulSet, DaemonSet,
// ReplicaSet, Job, CronJob, Pod; a List holds them in `items`).

/** Path from the object to its Pod spec, by kind. */
export const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Pod: ['spec'],
};

export const WORKLOAD_KINDS = Object.keys(POD_SPEC_PATHS);

/** Kinds whose `items` are objects (kubectl's `List` and typed lists such as `DeploymentList`). */
export function isListKind(kind: string): boolean {
  return kind === 'List' || kind.endsWith('List');
}

/** Every path in `value` at which an `initContainers` list holds a CertService-looking init container (for kinds migrate cannot rewrite). */
export function findInitContainerLists(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => findInitContainerLists(v, [...path, i]));
  if (value === null || typeof value !== 'object') return [];
  const found: (string | number)[][] = [];
  for (const [key, child] of Object.entries(value)) {
    if (key === 'initContainers' && Array.isArray(child)) found.push([...path, key]);
    else found.push(...findInitContainerLists(child, [...path, key]));
  }
  return found;
}
