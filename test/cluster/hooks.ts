// Root hooks of the cluster tier (.mocharc.cluster.json `require`): start the test bed once
// before all tests (building it first when needed; failing the run with the reason if it
// cannot) and stop it after the run — unless it was already running before the run, in which
// case it is left as found. Ctrl-C and SIGTERM stop it too.
import { down, status } from '../../scripts/testbed/bed.js';
import { ensureBed } from './bed.js';

let startedByThisRun = false;
let stopping: Promise<void> | undefined;

function stopIfOurs(): Promise<void> {
  if (!startedByThisRun) return Promise.resolve();
  stopping ??= down({ log: (line) => console.log(line) });
  return stopping;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stopIfOurs().finally(() => process.exit(130));
  });
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    // A first build takes many minutes; CI builds in a step of its own before the tests.
    this.timeout(0);
    const wasRunning = (await status()) !== undefined;
    const bed = await ensureBed({ log: (line) => console.log(line) });
    startedByThisRun = !wasRunning && !bed.reused;
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60000);
    await stopIfOurs();
  },
};
