// The bed's fault hooks on the fault suite's own bed instance: a paused process is really
// stopped (state T) and answers again once resumed; a paused process can still be stopped (the
// hooks and `down` send SIGCONT before SIGTERM) and is started again with a new pid recorded in
// the bed's state file, healthy.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { bedHealthy, pauseBedProcess, resumeBedProcess, startBedProcess, stopBedProcess } from '../../scripts/testbed/faults.js';
import { readState } from '../../scripts/testbed/bed.js';
import { layout } from '../../scripts/testbed/layout.js';
import { eventually } from '../cluster/bed.js';

/** The one-letter process state from /proc/<pid>/stat (R, S, T, Z, …). */
function processState(pid: number): string {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

async function pidOf(name: 'etcd' | 'kube-apiserver' | 'cert-manager-controller'): Promise<number> {
  const pid = (await readState())?.pids[name];
  assert.ok(pid, `${name} has a pid in the state file`);
  return pid;
}

describe('test bed fault hooks', function () {
  it('runs on its own bed instance', function () {
    assert.equal(layout.instance, 'faults');
    assert.match(layout.stateFile, /\.testbed\/instances\/faults\/run\/state\.json$/);
  });

  it('pause and resume: stopped (T) while paused, healthy after', async function () {
    const pid = await pidOf('cert-manager-controller');
    await pauseBedProcess('cert-manager-controller');
    try {
      // Signals are delivered asynchronously: wait for the state the kernel reports.
      await eventually('the process stopped (T)', async () => (processState(pid) === 'T' ? true : undefined), 10_000);
    } finally {
      await resumeBedProcess('cert-manager-controller');
    }
    await eventually('the process running again', async () => (processState(pid) !== 'T' ? true : undefined), 10_000);
    assert.equal(await bedHealthy(), true);
  });

  it('a paused process is stopped without waiting out the grace period, and starts again with a new pid', async function () {
    const before = await pidOf('cert-manager-controller');
    await pauseBedProcess('cert-manager-controller');
    const began = Date.now();
    await stopBedProcess('cert-manager-controller');
    // SIGTERM alone would wait for the 15 s grace and then SIGKILL.
    assert.ok(Date.now() - began < 10_000, `stopped in ${Date.now() - began} ms`);
    assert.equal(fs.existsSync(`/proc/${before}/stat`) && processState(before) !== 'Z', false, 'the old process is gone');
    assert.equal((await readState())?.pids['cert-manager-controller'], undefined);
    await startBedProcess('cert-manager-controller');
    const after = await pidOf('cert-manager-controller');
    assert.notEqual(after, before);
    assert.equal(await bedHealthy(), true);
  });
});
