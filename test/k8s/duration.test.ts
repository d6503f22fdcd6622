import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../src/k8s/duration.js';

describe('k8s/duration', () => {
  it('parses Go durations', () => {
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('10m'), 600_000);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('0'), 0);
  });

  it('refuses anything else', () => {
    for (const bad of ['', '10', '-5s', '1d', 's', '5 s', '1m-3s']) assert.throws(() => parseDuration(bad), /is not a duration/, bad);
  });

  it('formats the shortest readable form', () => {
    assert.equal(formatDuration(600_000), '10m');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(3_600_000), '1h');
    assert.equal(formatDuration(500), '500ms');
  });
});
