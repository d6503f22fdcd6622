// The operator's metrics as Prometheus reads them: the text exposition after the hooks the
// loops call (outcomes, sign latency, CMP exchanges, queue depths, reconcile errors).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Controller } from '../../src/k8s/controller.js';
import { OperatorMetrics, TimedCmpTransport } from '../../src/operator/metrics.js';
import { eventually } from '../k8s/fakeApiServer.js';

function sample(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

describe('operator/metrics', () => {
  it('counts requests by issuer, outcome and reason', async () => {
    const m = new OperatorMetrics({ processMetrics: false });
    m.outcome('CMPv2Issuer/dev-ca', 'issued', 'Issued');
    m.outcome('CMPv2Issuer/dev-ca', 'issued', 'Issued');
    m.outcome('ClusterCMPv2Issuer/onap', 'failed', 'Failed');
    const text = await m.text();
    assert.deepEqual(sample(text, 'cmpv2_certificaterequests_total').sort(), [
      'cmpv2_certificaterequests_total{issuer="CMPv2Issuer/dev-ca",outcome="issued",reason="Issued"} 2',
      'cmpv2_certificaterequests_total{issuer="ClusterCMPv2Issuer/onap",outcome="failed",reason="Failed"} 1',
    ]);
    assert.match(text, /# TYPE cmpv2_certificaterequests_total counter/);
  });

  it('sign latency and CMP round trips are histograms', async () => {
    const m = new OperatorMetrics({ processMetrics: false });
    m.signed('CMPv2Issuer/dev-ca', 0.2, true);
    m.cmpExchange(0.03, true);
    m.cmpExchange(40, false);
    const text = await m.text();
    assert.ok(
      sample(text, 'cmpv2_sign_duration_seconds_bucket').includes('cmpv2_sign_duration_seconds_bucket{le="0.25",issuer="CMPv2Issuer/dev-ca",result="ok"} 1'),
    );
    assert.ok(
      sample(text, 'cmpv2_sign_duration_seconds_bucket').includes('cmpv2_sign_duration_seconds_bucket{le="0.1",issuer="CMPv2Issuer/dev-ca",result="ok"} 0'),
    );
    assert.ok(sample(text, 'cmpv2_cmp_round_trip_seconds_count').includes('cmpv2_cmp_round_trip_seconds_count{result="ok"} 1'));
    assert.ok(sample(text, 'cmpv2_cmp_round_trip_seconds_bucket').includes('cmpv2_cmp_round_trip_seconds_bucket{le="30",result="error"} 0'));
    assert.ok(sample(text, 'cmpv2_cmp_round_trip_seconds_bucket').includes('cmpv2_cmp_round_trip_seconds_bucket{le="+Inf",result="error"} 1'));
  });

  it('queue depth is read from the loops at every scrape', async () => {
    const m = new OperatorMetrics({ processMetrics: false });
    let depth = 3;
    m.addQueueDepths(() => ({ issuer: 0, certificaterequest: depth }));
    m.addQueueDepths(() => ({ keystore: 7 }));
    assert.deepEqual(sample(await m.text(), 'cmpv2_workqueue_depth'), [
      'cmpv2_workqueue_depth{controller="issuer"} 0',
      'cmpv2_workqueue_depth{controller="certificaterequest"} 3',
      'cmpv2_workqueue_depth{controller="keystore"} 7',
    ]);
    depth = 0;
    assert.ok(sample(await m.text(), 'cmpv2_workqueue_depth').includes('cmpv2_workqueue_depth{controller="certificaterequest"} 0'));
  });

  it('reconcile errors are counted where the generic controller catches them, by controller', async () => {
    const m = new OperatorMetrics({ processMetrics: false });
    class Failing extends Controller {
      runs = 0;
      async reconcile(): Promise<void> {
        this.runs += 1;
        throw new Error('boom');
      }
    }
    const failing = new Failing('keystore', { metrics: m, baseDelayMs: 1, maxDelayMs: 1 });
    failing.start();
    failing.queue.add('a/b');
    await eventually(() => failing.runs >= 2, 2000, 'two failed reconciles');
    await failing.shutdown();
    assert.deepEqual(sample(await m.text(), 'cmpv2_reconcile_errors_total'), [`cmpv2_reconcile_errors_total{controller="keystore"} ${failing.runs}`]);
  });

  it("the keystore loop's metrics share the registry", async () => {
    const m = new OperatorMetrics({ processMetrics: false });
    m.built(0.01);
    assert.deepEqual(sample(await m.text(), 'cmpv2_keystore_stores_built_total'), ['cmpv2_keystore_stores_built_total 1']);
  });

  it('process metrics are on by default', async () => {
    assert.match(await new OperatorMetrics().text(), /^process_resident_memory_bytes \d+/m);
  });

  it('TimedCmpTransport times answers and failures, and passes close through', async () => {
    const observed: boolean[] = [];
    let closed = 0;
    const ok = new TimedCmpTransport({ send: async (r) => r.slice().reverse(), close: () => closed++ }, (s, good) => {
      assert.ok(s >= 0);
      observed.push(good);
    });
    assert.deepEqual(await ok.send(Uint8Array.of(1, 2)), Uint8Array.of(2, 1));
    ok.close();
    const bad = new TimedCmpTransport({ send: async () => Promise.reject(new Error('refused')) }, (_s, good) => observed.push(good));
    await assert.rejects(bad.send(Uint8Array.of(1)), /refused/);
    assert.deepEqual(observed, [true, false]);
    assert.equal(closed, 1);
  });

  it('build_info carries the version (package.json by default) and the Node.js runtime', async () => {
    const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    assert.deepEqual(sample(await new OperatorMetrics({ processMetrics: false }).text(), 'cmpv2_operator_build_info'), [
      `cmpv2_operator_build_info{version="${version}",node_version="${process.version}"} 1`,
    ]);
    assert.deepEqual(sample(await new OperatorMetrics({ processMetrics: false, version: '9.8.7' }).text(), 'cmpv2_operator_build_info'), [
      `cmpv2_operator_build_info{version="9.8.7",node_version="${process.version}"} 1`,
    ]);
  });

  it('the leader gauge follows the manager at every scrape', async () => {
    const m = new OperatorMetrics({ processMetrics: false });
    let leading = false;
    m.setLeader(() => leading);
    assert.deepEqual(sample(await m.text(), 'cmpv2_operator_leader'), ['cmpv2_operator_leader 0']);
    leading = true;
    assert.deepEqual(sample(await m.text(), 'cmpv2_operator_leader'), ['cmpv2_operator_leader 1']);
    leading = false;
    assert.deepEqual(sample(await m.text(), 'cmpv2_operator_leader'), ['cmpv2_operator_leader 0']);
  });
});
