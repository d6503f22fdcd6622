// The fault suite's stopping points (test/faults), reachable only through an environment
// variable that production never sets: CMPV2_OPERATOR_TEST_HOLD=<point>[,<point>…]. At such a
// point the operator writes `cmpv2-test-hold <point> <namespace>/<name>` to stderr and makes no
// further progress on that request, so a test can SIGKILL it exactly there.
import type { HoldPoint } from '../controllers/certificaterequest/controller.js';

export const TEST_HOLD_ENV = 'CMPV2_OPERATOR_TEST_HOLD';

const POINTS: readonly HoldPoint[] = ['recorded', 'in-flight', 'polling', 'answered'];

/** The hold function for `env`, or undefined when the variable is unset (always, outside the fault suite). */
export function testHoldFromEnv(
  env: NodeJS.ProcessEnv,
  write: (line: string) => void = (line) => process.stderr.write(line),
): ((point: HoldPoint, key: string) => Promise<void>) | undefined {
  const text = env[TEST_HOLD_ENV]?.trim();
  if (!text) return undefined;
  const points = new Set(text.split(',').map((p) => p.trim()));
  const unknown = [...points].filter((p) => !(POINTS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`${TEST_HOLD_ENV}: unknown point(s) ${unknown.join(', ')} (known: ${POINTS.join(', ')})`);
  return async (point, key) => {
    if (!points.has(point)) return;
    write(`cmpv2-test-hold ${point} ${key}\n`);
    // Never resolves: the request stays exactly here until the process is killed.
    await new Promise<never>(() => undefined);
  };
}
