// The one checkAfter rule shared by enroll and the controller: ≥ 1 s, ≤ the time left, ≤ a timer's range.
import assert from 'node:assert/strict';
import { MAX_TIMER_MS, pollDelayMs } from '../../src/cmp/checkAfter.js';

describe('checkAfter', () => {
  it('a checkAfter of 10^9 s is clamped to what setTimeout can hold, and to the time left', () => {
    assert.equal(pollDelayMs(1e9, Number.POSITIVE_INFINITY), MAX_TIMER_MS);
    assert.equal(MAX_TIMER_MS, 2_147_483_647);
    assert.equal(pollDelayMs(1e9, 600_000), 600_000);
    assert.equal(pollDelayMs(2_147_484, 10 * MAX_TIMER_MS), MAX_TIMER_MS, 'the first value that overflowed setTimeout');
  });
  it('0, negative, NaN and a missing checkAfter wait the 1 s minimum (or the fallback), never past the deadline', () => {
    assert.equal(pollDelayMs(0, 60_000), 1000);
    assert.equal(pollDelayMs(-5, 60_000), 1000);
    assert.equal(pollDelayMs(Number.NaN, 60_000), 1000);
    assert.equal(pollDelayMs(undefined, 60_000, 10_000), 10_000);
    assert.equal(pollDelayMs(7, 60_000), 7000);
    assert.equal(pollDelayMs(7, 300), 300);
    assert.equal(pollDelayMs(7, -5), 0);
  });
});
