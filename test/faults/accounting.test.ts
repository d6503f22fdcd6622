// Enrolment accounting of the fault suite and the benchmarks, on made-up records: a record goes
// to the request that received its serial; otherwise by key, including a key cert-manager sent
// again in a re-issued request; extra enrolments outside a TransactionRestarted window are named.
import assert from 'node:assert/strict';
import type { EnrolmentRecord } from '../../src/cmp/server/index.js';
import { account, describeExtra, type RequestSeen } from './support/accounting.js';

const key = (c: string) => c.repeat(64);
const record = (spki: string, serial: string, at: string): EnrolmentRecord => ({
  at,
  serial,
  subject: 'CN=x',
  spkiSha256: spki,
  transactionID: '00',
  messageType: 'p10cr',
  certReqId: -1,
});
const request = (name: string, spki: string, createdAt: string, extra: Partial<RequestSeen> = {}): RequestSeen => ({
  name,
  revision: name.endsWith('-2') ? '2' : '1',
  certificate: name.replace(/-\d$/, ''),
  spkiSha256: spki,
  createdAt,
  ...extra,
});

describe('fault suite: enrolments per CertificateRequest', function () {
  it('one each, matched by serial and by key', function () {
    const result = account(
      [request('a-1', key('a'), '2026-01-01T00:00:00Z', { serial: '01' }), request('b-1', key('b'), '2026-01-01T00:00:00Z')],
      [record(key('a'), '01', '2026-01-01T00:00:01.5Z'), record(key('b'), '02', '2026-01-01T00:00:01.7Z')],
      new Map(),
    );
    assert.deepEqual(
      result.requests.map((r) => [r.name, r.enrolments]),
      [
        ['a-1', 1],
        ['b-1', 1],
      ],
    );
    assert.equal(result.extra, 0);
    assert.equal(describeExtra(result), '0');
  });

  it('a key sent again by a re-issued request: each request enrolled once, not one request twice', function () {
    const result = account(
      [request('c-1', key('c'), '2026-01-01T00:00:00Z', { serial: '0a', deleted: true }), request('c-2', key('c'), '2026-01-01T00:00:02Z', { serial: '0b' })],
      [record(key('c'), '0a', '2026-01-01T00:00:00.9Z'), record(key('c'), '0b', '2026-01-01T00:00:02.4Z')],
      new Map(),
    );
    assert.deepEqual(
      result.requests.map((r) => [r.name, r.enrolments]),
      [
        ['c-1', 1],
        ['c-2', 1],
      ],
    );
  });

  it('a second enrolment is explained only by a TransactionRestarted Event on that request', function () {
    const records = [
      record(key('d'), '01', '2026-01-01T00:00:01Z'),
      record(key('d'), '02', '2026-01-01T00:00:05Z'),
      record(key('e'), '03', '2026-01-01T00:00:01Z'),
    ];
    const seen = [request('d-1', key('d'), '2026-01-01T00:00:00Z', { serial: '02' }), request('e-1', key('e'), '2026-01-01T00:00:00Z', { serial: '03' })];
    const unexplained = account(seen, records, new Map([['e-1', 1]]));
    assert.equal(unexplained.extra, 1);
    assert.deepEqual(
      unexplained.unexplained.map((r) => r.name),
      ['d-1'],
    );
    const explained = account(seen, records, new Map([['d-1', 1]]));
    assert.deepEqual(explained.unexplained, []);
    assert.equal(explained.restartedEvents, 1);
    assert.match(describeExtra(explained), /^1 \(d-1 rev 1: 2 enrolments, 1 TransactionRestarted\)$/);
  });

  it('a record for a key no request has is reported, not counted', function () {
    const result = account([request('f-1', key('f'), '2026-01-01T00:00:00Z')], [record(key('9'), '07', '2026-01-01T00:00:01Z')], new Map());
    assert.equal(result.enrolments, 0);
    assert.equal(result.unmatched.length, 1);
  });
});
