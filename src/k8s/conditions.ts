// Status conditions as pure functions of (old conditions, wanted condition, now): the
// transition time moves only when the status flips, so `kubectl get` ages stay meaningful.

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  /** RFC 3339, seconds precision as the API stores it. */
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/** The condition as a controller wants it; the helper fills in the transition time. */
export interface WantedCondition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
}

/** Kubernetes `metav1.Time`: RFC 3339 without fractional seconds. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function hasCondition(conditions: readonly Condition[] | undefined, type: string, status: ConditionStatus, reason?: string): boolean {
  const found = findCondition(conditions, type);
  return found !== undefined && found.status === status && (reason === undefined || found.reason === reason);
}

/**
 * Returns a new list with `wanted` set. Other conditions keep their order; a new type is
 * appended. `lastTransitionTime` is kept when the status is unchanged, otherwise set to `now`.
 */
export function setCondition(conditions: readonly Condition[] | undefined, wanted: WantedCondition, now: Date): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === wanted.type);
  const previous = index >= 0 ? list[index] : undefined;
  const next: Condition = {
    type: wanted.type,
    status: wanted.status,
    reason: wanted.reason,
    message: wanted.message,
    lastTransitionTime: previous && previous.status === wanted.status && previous.lastTransitionTime ? previous.lastTransitionTime : formatTime(now),
  };
  if (wanted.observedGeneration !== undefined) next.observedGeneration = wanted.observedGeneration;
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

/** True when setting `wanted` would change nothing a user can see (time aside). */
export function conditionUnchanged(conditions: readonly Condition[] | undefined, wanted: WantedCondition): boolean {
  const found = findCondition(conditions, wanted.type);
  return (
    found !== undefined &&
    found.status === wanted.status &&
    found.reason === wanted.reason &&
    found.message === wanted.message &&
    (wanted.observedGeneration === undefined || found.observedGeneration === wanted.observedGeneration)
  );
}
