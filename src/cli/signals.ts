// How long-running commands (test-ca, certservice) wait for the end: SIGINT or SIGTERM.

/** Resolves with the signal's name once the process is asked to stop. */
export function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}
