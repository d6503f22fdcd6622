// Lease-based leader election against the real coordination.k8s.io/v1 API: the API server
// validates our MicroTime fields; one leader at a time; release hands over at once.
import assert from 'node:assert/strict';
import { KubeApi } from '../../../src/k8s/apiClient.js';
import { LeaderElector, type Lease } from '../../../src/k8s/leaderElection.js';
import { adminKubeConfig, eventually, useNamespace } from '../bed.js';

describe('k8s/leaderElection on the test bed', function () {
  const ns = useNamespace('lease');
  let api: KubeApi;
  const electors: LeaderElector[] = [];

  before(async function () {
    api = await KubeApi.fromKubeConfig(await adminKubeConfig());
  });
  afterEach(async function () {
    await Promise.all(electors.splice(0).map((e) => e.stop()));
  });
  after(() => api?.close());

  function elector(identity: string, namespace: string, log: string[]): LeaderElector {
    const e = new LeaderElector({
      api,
      namespace,
      name: 'cmpv2-operator',
      identity,
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 300,
      onStartedLeading: () => log.push(`${identity} started`),
      onStoppedLeading: () => log.push(`${identity} stopped`),
      onError: (err) => log.push(`${identity} error ${String(err)}`),
    });
    electors.push(e);
    return e;
  }

  it('creates the Lease, keeps one leader, hands over on release', async function () {
    const { name: namespace } = ns();
    const log: string[] = [];
    const a = elector('pod-a', namespace, log);
    void a.run();
    await eventually('pod-a leading', async () => (a.isLeader() ? true : undefined), 20000);
    const lease = await api.request<Lease>('GET', `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/cmpv2-operator`);
    assert.equal(lease.spec?.holderIdentity, 'pod-a');
    assert.equal(lease.spec?.leaseDurationSeconds, 3);
    assert.match(lease.spec?.renewTime ?? '', /\.\d{6}Z$/);
    const b = elector('pod-b', namespace, log);
    void b.run();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(b.isLeader(), false, 'pod-b waits while pod-a renews');
    const renewed = await api.request<Lease>('GET', `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/cmpv2-operator`);
    assert.notEqual(renewed.spec?.renewTime, lease.spec?.renewTime, 'pod-a renewed');
    await a.stop();
    await eventually('pod-b leading', async () => (b.isLeader() ? true : undefined), 20000);
    const after = await api.request<Lease>('GET', `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/cmpv2-operator`);
    assert.equal(after.spec?.holderIdentity, 'pod-b');
    assert.equal(after.spec?.leaseTransitions, 1);
    assert.deepEqual(
      log.filter((l) => !l.includes('error')),
      ['pod-a started', 'pod-a stopped', 'pod-b started'],
    );
    assert.deepEqual(
      log.filter((l) => l.includes('error')),
      [],
    );
  });
});
