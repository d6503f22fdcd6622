import assert from 'node:assert/strict';
import { IssuerController, ISSUER_REFRESH_MS } from '../../../src/controllers/issuer/controller.js';
import { FakeClock } from '../../../src/k8s/clock.js';
import type { Signer } from '../../../src/signer/signer.js';
import type { CMPv2Issuer } from '../../../src/api/cmpv2Issuer.js';
import { eventually } from '../../k8s/fakeApiServer.js';
import { cmpSpec, issuer } from '../fixtures.js';
import { harness, type Harness } from '../harness.js';

describe('controllers/issuer shell (against an in-memory API)', () => {
  let h: Harness;
  let controller: IssuerController;

  beforeEach(async () => {
    h = await harness();
    controller = new IssuerController({
      api: h.memory.fake.api,
      issuers: h.issuers,
      clusterIssuers: h.clusterIssuers,
      secrets: h.secrets,
      signers: h.signer,
      events: h.events,
      clusterResourceNamespace: 'cert-manager',
      baseDelayMs: 20,
      maxDelayMs: 200,
    });
  });
  afterEach(async () => {
    await controller.shutdown();
    await h.stop();
  });

  const stored = (): CMPv2Issuer => h.memory.get('cmpv2issuers', 'apps', 'onap-ca') as unknown as CMPv2Issuer;
  const ready = () => stored()?.status?.conditions?.find((c) => c.type === 'Ready');

  it('Pending while its Secret is missing; Ready=Checked once the Secret appears; re-checked on a spec change', async () => {
    h.memory.put('cmpv2issuers', issuer() as never);
    await h.startInformers();
    controller.start();
    await eventually(() => ready()?.reason === 'Pending', 5000, 'Pending');
    assert.match(ready()!.message!, /Secret apps\/cmp-iak .* not found/);
    assert.equal(h.signer.checkCalls.length, 0, 'no probe without the Secret');
    h.memory.put('secrets', { metadata: { namespace: 'apps', name: 'cmp-iak' }, data: { password: 'c2VjcmV0' } });
    await eventually(() => ready()?.reason === 'Checked', 5000, 'Checked');
    assert.equal(ready()?.observedGeneration, 1);
    assert.equal(stored().status?.observedGeneration, 1);
    const spec = structuredClone(cmpSpec);
    (spec.cmp as Record<string, unknown>).messageType = 'ir';
    h.memory.put('cmpv2issuers', { ...stored(), spec } as never);
    await eventually(() => ready()?.observedGeneration === 2, 5000, 'generation 2 checked');
    assert.equal(h.signer.checkCalls.length, 2);
  });

  it('a failing probe is Pending and retried with backoff until it answers', async () => {
    h.memory.put('secrets', { metadata: { namespace: 'apps', name: 'cmp-iak' }, data: { password: 'c2VjcmV0' } });
    h.memory.put('cmpv2issuers', issuer() as never);
    let failures = 3;
    h.signer.checkAnswer = () => {
      if (failures-- > 0) throw new Error('connect ECONNREFUSED');
    };
    await h.startInformers();
    controller.start();
    await eventually(() => ready()?.reason === 'Pending', 5000, 'Pending');
    await eventually(() => ready()?.reason === 'Checked', 5000, 'Checked after retries');
    assert.equal(h.signer.checkCalls.length, 4);
  });

  it('keeps the CA certificates of the check in status.caCertificates and refreshes them hourly', async () => {
    await controller.shutdown();
    const clock = new FakeClock(Date.now());
    controller = new IssuerController({
      api: h.memory.fake.api,
      issuers: h.issuers,
      clusterIssuers: h.clusterIssuers,
      secrets: h.secrets,
      signers: h.signer,
      events: h.events,
      clusterResourceNamespace: 'cert-manager',
      clock,
    });
    let roots = 'ROOTS-A';
    let checks = 0;
    (h.signer as unknown as Signer).check = async () => {
      checks += 1;
      return { caCertificatesPem: roots };
    };
    h.memory.put('secrets', { metadata: { namespace: 'apps', name: 'cmp-iak' }, data: { password: 'c2VjcmV0' } });
    h.memory.put('cmpv2issuers', issuer() as never);
    await h.startInformers();
    controller.start();
    await eventually(() => stored()?.status?.caCertificates === 'ROOTS-A', 5000, 'status.caCertificates from the first check');
    assert.equal(ready()?.reason, 'Checked');
    assert.equal(checks, 1);
    // The reconcile ends (events recorded) after the status write: wait for its refresh timer.
    await eventually(() => clock.pendingTimers() === 1, 5000, 'the refresh timer');
    roots = 'ROOTS-B';
    clock.advance(ISSUER_REFRESH_MS - 1000);
    assert.equal(clock.pendingTimers(), 1, 'the refresh timer has not fired before the hour');
    assert.equal(checks, 1, 'not refreshed before the hour');
    clock.advance(1000);
    await eventually(() => stored()?.status?.caCertificates === 'ROOTS-B', 5000, 'refreshed after an hour');
    assert.equal(checks, 2);
  });

  it('an invalid spec is Failed and not probed', async () => {
    h.memory.put('cmpv2issuers', issuer((i) => (i.spec = { ...cmpSpec, url: 'https://both' })) as never);
    await h.startInformers();
    controller.start();
    await eventually(() => ready()?.reason === 'Failed', 5000, 'Failed');
    assert.equal(h.signer.checkCalls.length, 0);
  });
});
