// pino as `run` configures it: JSON lines by default, one readable line each with `text`,
// records below the level dropped.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createLogger, textLine } from '../../src/operator/logging.js';

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  return { out, text: () => text };
}

describe('operator/logging', () => {
  it('json: one JSON object per line with level, msg and fields', async () => {
    const { out, text } = capture();
    const logger = createLogger('info', 'json', out);
    logger.debug({ a: 1 }, 'hidden');
    logger.info({ issuer: 'CMPv2Issuer/x' }, 'signed');
    await new Promise((r) => setImmediate(r));
    const lines = text().trim().split('\n');
    assert.equal(lines.length, 1);
    const record = JSON.parse(lines[0]) as Record<string, unknown>;
    assert.equal(record.msg, 'signed');
    assert.equal(record.level, 30);
    assert.equal(record.issuer, 'CMPv2Issuer/x');
  });

  it('text: time, level, message, key=value', async () => {
    const { out, text } = capture();
    createLogger('debug', 'text', out).warn({ key: 'ns/a b', n: 2 }, 'reconcile failed');
    await new Promise((r) => setImmediate(r));
    assert.match(text(), /^\d{4}-\d\d-\d\dT[\d:.]+Z WARN {2}reconcile failed component=cmpv2-operator key="ns\/a b" n=2\n$/);
  });

  it('text: a line that is not JSON passes unchanged', () => {
    assert.equal(textLine('plain'), 'plain');
  });
});
