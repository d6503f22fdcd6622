// The operator killed (issue 12 item 3): SIGKILL at each point of a CMP exchange — the
// write-ahead record written, the CA's answer to the request in hand, its answer to a pollReq in
// hand, the certificate in hand before the status is written — held there by the test-only
// CMPV2_OPERATOR_TEST_HOLD hook and restarted with the same POD_NAME; two replicas with leader
// election, the leader killed; two replicas without leader election, where the write-ahead
// record alone must keep it to one enrolment per request.
import assert from 'node:assert/strict';
import type { KubeApi } from '../../src/k8s/apiClient.js';
import { eventually, useNamespace } from '../cluster/bed.js';
import { issuerTestApi } from '../cluster/issuer/support.js';
import { CERTIFICATES, runScenario } from './support/scenario.js';
import type { HoldPoint, OperatorReplica } from './support/operatorReplica.js';

/** Waits until the replica holds requests at `point` and no more arrive there for `quietMs`. */
async function heldSettled(replica: OperatorReplica, point: HoldPoint, quietMs = 3000): Promise<string[]> {
  await replica.waitForHold(point, 1);
  let held = replica.held(point);
  let since = Date.now();
  await eventually(
    `held requests at "${point}" to settle`,
    async () => {
      const now = replica.held(point);
      if (now.length !== held.length) {
        held = now;
        since = Date.now();
      }
      return held.length >= CERTIFICATES || Date.now() - since >= quietMs ? true : undefined;
    },
    60_000,
  );
  return held;
}

describe('faults: the operator killed', function () {
  const ns = useNamespace('faults-op');
  let api: KubeApi;
  before(async function () {
    api = await issuerTestApi();
  });
  after(() => api?.close());

  const points: { point: HoldPoint; caPoll?: number }[] = [
    { point: 'recorded' },
    { point: 'in-flight' },
    // --poll 2: our client polls a first `waiting` at once inside the request step, so only a
    // second one is recorded and polled later — where the `polling` point is.
    { point: 'polling', caPoll: 2 },
    { point: 'answered' },
  ];
  for (const { point, caPoll } of points) {
    it(`SIGKILL at "${point}", restarted with the same POD_NAME`, async function () {
      await runScenario(api, ns(), {
        name: `operator SIGKILL at ${point}${caPoll ? ` (CA --poll ${caPoll})` : ''}`,
        caPoll,
        replicas: [{ podName: 'faults-op-a', hold: [point] }],
        fault: async ({ replicas: [operator] }) => {
          const held = await heldSettled(operator, point);
          assert.ok(held.length > 0);
          await operator.kill();
          operator.start({ hold: [] });
        },
      });
    });
  }

  it('two replicas with leader election, the leader killed while requests are in flight', async function () {
    await runScenario(api, ns(), {
      name: 'two replicas, leader killed',
      replicas: [
        { podName: 'faults-op-a', leaderElect: true },
        { podName: 'faults-op-b', leaderElect: true },
      ],
      fault: async ({ replicas, inFlight }) => {
        await inFlight();
        const leader = replicas.find((r) => r.output.includes('became leader; starting controllers'));
        assert.ok(leader, 'one replica leads');
        await leader.kill();
        const follower = replicas.find((r) => r !== leader)!;
        await eventually('the other replica to lead', async () => (follower.output.includes('became leader; starting controllers') ? true : undefined), 90_000);
      },
    });
  });

  it('two replicas without leader election (different POD_NAME): one enrolment per request', async function () {
    const result = await runScenario(api, ns(), {
      name: 'two replicas, no leader election',
      replicas: [{ podName: 'faults-op-a' }, { podName: 'faults-op-b' }],
      fault: async () => undefined,
    });
    // No process died and no answer was lost: nothing may explain a second enrolment.
    assert.equal(result.account.restartedEvents, 0);
    assert.equal(result.account.extra, 0);
  });
});
