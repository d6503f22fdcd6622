import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/k8s/meta.js';
import { OwnWrites } from '../../src/k8s/ownWrites.js';

const at = (rv: string, extra: Record<string, string> = {}): KubeObject => ({
  metadata: { namespace: 'apps', name: 'web-1', resourceVersion: rv, annotations: extra },
});

describe('k8s/ownWrites', () => {
  it("an update carrying a resourceVersion we wrote does not pass the predicate; anyone else's does", () => {
    const own = new OwnWrites<KubeObject>();
    const cached = at('10');
    const annotated = at('11', { tx: '1' });
    const status = at('12', { tx: '1' });
    own.record(cached, annotated);
    own.record(annotated, status);
    assert.equal(own.notOwn(cached, annotated), false, 'our annotation write coming back');
    assert.equal(own.notOwn(annotated, status), false, 'our status write coming back');
    assert.equal(own.notOwn(status, at('13')), true, 'a write by someone else (cert-manager, a user)');
    assert.equal(new OwnWrites<KubeObject>().notOwn(cached, at('11')), true, 'nothing recorded: every update passes');
  });

  it('freshest: our latest write until the cache has caught up, then the cache', () => {
    const own = new OwnWrites<KubeObject>();
    const cached = at('10');
    const annotated = at('11', { tx: '1' });
    const status = at('12', { tx: '1' });
    own.record(cached, annotated);
    own.record(annotated, status);
    assert.equal(own.freshest(cached), status, 'the cache is behind both writes');
    assert.equal(own.freshest(at('11')), status, 'the cache has only our first write');
    const caughtUp = at('12', { tx: '1' });
    assert.equal(own.freshest(caughtUp), caughtUp);
    assert.equal(own.freshest(cached), cached, 'forgotten once caught up');
  });

  it('forget drops what was recorded for a key', () => {
    const own = new OwnWrites<KubeObject>();
    own.record(at('1'), at('2'));
    own.forget('apps/web-1');
    assert.equal(own.isOwn(at('2')), false);
  });
});
