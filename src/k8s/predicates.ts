// Update predicates (controller-runtime's `pkg/predicate`): which informer updates are worth a
// reconcile. The informer already drops updates whose resourceVersion did not change.
import type { KubeObject } from './meta.js';

/** Decides whether an update of `previous` to `obj` enqueues a reconcile. */
export type UpdatePredicate<T extends KubeObject> = (previous: T, obj: T) => boolean;

/** A spec change: status writes (ours or anyone's) do not bump metadata.generation. */
export function generationChanged<T extends KubeObject>(previous: T, obj: T): boolean {
  return previous.metadata.generation !== obj.metadata.generation;
}

/** A spec change or a change of annotations (where a controller reads its opt-in). */
export function generationOrAnnotationsChanged<T extends KubeObject>(previous: T, obj: T): boolean {
  return generationChanged(previous, obj) || !sameStrings(previous.metadata.annotations, obj.metadata.annotations);
}

function sameStrings(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const left = Object.entries(a ?? {});
  if (left.length !== Object.keys(b ?? {}).length) return false;
  return left.every(([k, v]) => b?.[k] === v);
}
