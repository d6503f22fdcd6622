// Faults of the bed under the operator (issue 12 item 3): the API server restarted and etcd
// paused for 20 s while N Certificates are in flight. The operator keeps going once they are
// back; every Certificate ends Ready with one enrolment per request (or an extra one only where
// a TransactionRestarted Event names a lost answer).
import { setTimeout as sleep } from 'node:timers/promises';
import { pauseBedProcess, restartBedProcess, resumeBedProcess } from '../../scripts/testbed/faults.js';
import type { KubeApi } from '../../src/k8s/apiClient.js';
import { useNamespace } from '../cluster/bed.js';
import { issuerTestApi } from '../cluster/issuer/support.js';
import { runScenario } from './support/scenario.js';

/** How long etcd stays paused (the scenario's definition, not a wait for a state). */
const ETCD_PAUSE_MS = 20_000;

describe('faults: the bed under the operator', function () {
  const ns = useNamespace('faults-bed');
  let api: KubeApi;
  before(async function () {
    api = await issuerTestApi();
  });
  after(() => api?.close());

  it('the API server restarted while requests are in flight', async function () {
    await runScenario(api, ns(), {
      name: 'API server restart',
      replicas: [{ podName: 'faults-op-a' }],
      fault: async ({ inFlight }) => {
        await inFlight();
        await restartBedProcess('kube-apiserver');
      },
    });
  });

  it('etcd paused for 20 s while requests are in flight', async function () {
    await runScenario(api, ns(), {
      name: 'etcd paused 20 s',
      replicas: [{ podName: 'faults-op-a' }],
      fault: async ({ inFlight }) => {
        await inFlight();
        await pauseBedProcess('etcd');
        try {
          await sleep(ETCD_PAUSE_MS);
        } finally {
          await resumeBedProcess('etcd');
        }
      },
    });
  });
});
