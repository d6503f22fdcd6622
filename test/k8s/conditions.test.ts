import assert from 'node:assert/strict';
import { FakeClock } from '../../src/k8s/clock.js';
import { conditionUnchanged, findCondition, formatTime, hasCondition, setCondition, type Condition } from '../../src/k8s/conditions.js';

describe('k8s/conditions', () => {
  const clock = new FakeClock();
  const t0 = clock.now();
  const later = new Date(t0.getTime() + 60_000);

  it('formats metav1.Time without fractional seconds', () => {
    assert.equal(formatTime(new Date('2024-05-06T07:08:09.123Z')), '2024-05-06T07:08:09Z');
  });

  it('adds a new condition with the transition time now', () => {
    const list = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Pending', message: 'wait' }, t0);
    assert.deepEqual(list, [{ type: 'Ready', status: 'False', reason: 'Pending', message: 'wait', lastTransitionTime: formatTime(t0) }]);
  });

  it('keeps lastTransitionTime when only reason or message change', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'Pending', message: 'a' }, t0);
    const second = setCondition(first, { type: 'Ready', status: 'False', reason: 'Failed', message: 'b' }, later);
    assert.equal(second[0].lastTransitionTime, formatTime(t0));
    assert.equal(second[0].reason, 'Failed');
  });

  it('moves lastTransitionTime when the status flips', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'Pending', message: 'a' }, t0);
    const second = setCondition(first, { type: 'Ready', status: 'True', reason: 'Issued', message: 'ok' }, later);
    assert.equal(second[0].lastTransitionTime, formatTime(later));
  });

  it('leaves other conditions in place and does not mutate its input', () => {
    const approved: Condition = { type: 'Approved', status: 'True', reason: 'policy', message: 'ok', lastTransitionTime: formatTime(t0) };
    const input: readonly Condition[] = Object.freeze([approved]);
    const list = setCondition(input, { type: 'Ready', status: 'False', reason: 'Pending', message: 'x', observedGeneration: 3 }, later);
    assert.equal(input.length, 1);
    assert.deepEqual(
      list.map((c) => c.type),
      ['Approved', 'Ready'],
    );
    assert.equal(list[1].observedGeneration, 3);
    assert.equal(findCondition(list, 'Approved'), approved);
    assert.ok(hasCondition(list, 'Ready', 'False', 'Pending'));
    assert.ok(!hasCondition(list, 'Ready', 'False', 'Failed'));
    assert.ok(!hasCondition(list, 'Denied', 'True'));
  });

  it('tells when a condition would not change', () => {
    const list = setCondition([], { type: 'Ready', status: 'True', reason: 'Checked', message: 'ok', observedGeneration: 2 }, t0);
    assert.ok(conditionUnchanged(list, { type: 'Ready', status: 'True', reason: 'Checked', message: 'ok', observedGeneration: 2 }));
    assert.ok(!conditionUnchanged(list, { type: 'Ready', status: 'True', reason: 'Checked', message: 'ok', observedGeneration: 3 }));
    assert.ok(!conditionUnchanged(list, { type: 'Ready', status: 'True', reason: 'Checked', message: 'other' }));
  });
});
