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
  const clients: KubeApi[] = [];

  before(async function () {
    api = await KubeApi.fromKubeConfig(await adminKubeConfig());
  });
  afterEach(async function () {
    await Promise.all(electors.splice(0).map((e) => e.stop()));
    for (const client of clients.splice(0)) client.close();
  });
  after(() => api?.close());

  function elector(identity: string, namespace: string, log: string[], client: KubeApi = api): LeaderElector {
    const e = new LeaderElector({
      api: client,
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
    // pod-b on a client of its own, so its tries can be counted: instead of a sleep, wait until
    // it has tried (read the Lease) 12 times — at 300 ms a try, longer than the 3 s lease — and
    // pod-a has renewed meanwhile.
    const bApi = await KubeApi.fromKubeConfig(await adminKubeConfig());
    clients.push(bApi);
    const b = elector('pod-b', namespace, log, bApi);
    void b.run();
    const renewed = await eventually(
      'pod-b refused while pod-a renews',
      async () => {
        if ((bApi.requestCounts.get('GET') ?? 0) < 12) return undefined;
        const current = await api.request<Lease>('GET', `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/cmpv2-operator`);
        return current.spec?.renewTime !== lease.spec?.renewTime ? current : undefined;
      },
      20000,
    );
    assert.equal(b.isLeader(), false, 'pod-b waits while pod-a renews');
    assert.equal(renewed.spec?.holderIdentity, 'pod-a');
    assert.equal(bApi.requestCounts.get('PUT') ?? 0, 0, 'pod-b never wrote the held Lease');
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
