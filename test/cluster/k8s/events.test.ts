// Events as the real API server stores them: created, then folded into a count.
import assert from 'node:assert/strict';
import type { KubernetesObject } from '@kubernetes/client-node';
import { KubeApi } from '../../../src/k8s/apiClient.js';
import { EventRecorder } from '../../../src/k8s/events.js';
import type { KubeList } from '../../../src/k8s/meta.js';
import { adminKubeConfig, useNamespace } from '../bed.js';

interface CoreEvent {
  reason: string;
  message: string;
  count: number;
  type: string;
  involvedObject: { name: string; kind: string };
}

describe('k8s/events on the test bed', function () {
  const ns = useNamespace('events');
  let api: KubeApi;
  before(async function () {
    api = await KubeApi.fromKubeConfig(await adminKubeConfig());
  });
  after(() => api?.close());

  it('records an Event, folds its repeat into a count, and withholds key material', async function () {
    const { name: namespace } = ns();
    const secret: KubernetesObject = await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'target' }, type: 'Opaque' });
    const errors: unknown[] = [];
    const recorder = new EventRecorder(api, { component: 'cmpv2-operator', onError: (e) => errors.push(e) });
    const ref = { apiVersion: 'v1', kind: 'Secret', namespace, name: 'target', uid: secret.metadata?.uid };
    await recorder.record(ref, { type: 'Warning', reason: 'PasswordSecretMissing', message: 'create Secret pw with key password' });
    await recorder.record(ref, { type: 'Warning', reason: 'PasswordSecretMissing', message: 'create Secret pw with key password' });
    await recorder.record(ref, {
      type: 'Warning',
      reason: 'BadKey',
      message: '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----',
    });
    assert.deepEqual(errors, []);
    const list = await api.request<KubeList<CoreEvent>>('GET', `/api/v1/namespaces/${namespace}/events`);
    const byReason = new Map(list.items.map((e) => [e.reason, e]));
    assert.equal(list.items.length, 2);
    assert.equal(byReason.get('PasswordSecretMissing')?.count, 2);
    assert.equal(byReason.get('PasswordSecretMissing')?.involvedObject.name, 'target');
    assert.doesNotMatch(byReason.get('BadKey')?.message ?? '', /PRIVATE KEY/);
  });
});
