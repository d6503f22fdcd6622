// Root hooks of the cluster tier (.mocharc.cluster.json `require`): start the test bed once
// before all tests (building it first when needed; failing the run with the reason if it
// cannot) and stop it after the run. A bed started by hand (`npm run testbed -- up`) is left
// running, and so is one that another concurrent test run still uses. Ctrl-C and SIGTERM stop it too.
import { registerTestRun, releaseTestRun } from '../../scripts/testbed/bed.js';

const log = (line: string): void => console.log(line);
let released: Promise<void> | undefined;

function release(): Promise<void> {
  released ??= releaseTestRun({ log });
  return released;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void release().finally(() => process.exit(130));
  });
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    // A first build takes many minutes; CI builds in a step of its own before the tests.
    this.timeout(0);
    await registerTestRun({ log });
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60000);
    await release();
  },
};
