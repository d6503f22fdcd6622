// The one rule for how long to wait before asking a CA again (SPEC §3, checkAfter): the CA's
// checkAfter, at least 1 s (a 0 would spin), at most the time left before the caller's deadline
// (enroll's --total-timeout, the controller's --max-retry-duration) and at most what a timer can
// hold (setTimeout fires at once for more than 2^31-1 ms). Used by CmpClient.enroll and by the
// CertificateRequest controller.

/** The largest delay setTimeout honours (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** The smallest wait between two questions to a CA. */
export const MIN_WAIT_MS = 1000;

/**
 * Milliseconds to wait before polling, from the CA's checkAfter (seconds; any number, a
 * missing one counts as `fallbackMs`) and the time left before the deadline. Never below 1 s,
 * never past the deadline (a deadline already passed gives 0: decide now), never above a timer's range.
 */
export function pollDelayMs(checkAfterSeconds: number | undefined, remainingMs: number, fallbackMs = MIN_WAIT_MS): number {
  const asked = checkAfterSeconds === undefined || !Number.isFinite(checkAfterSeconds) ? fallbackMs : checkAfterSeconds * 1000;
  const wait = Math.max(MIN_WAIT_MS, asked);
  const left = Math.max(0, Number.isFinite(remainingMs) ? remainingMs : MAX_TIMER_MS);
  return Math.min(wait, left, MAX_TIMER_MS);
}
