import assert from 'node:assert/strict';
import {
  decideTransaction,
  readTransactionRecord,
  restartMessage,
  writeTransactionRecord,
  type FoundRecord,
  type TransactionRecord,
} from '../../../src/controllers/certificaterequest/transactionRecord.js';

const ME = { pod: 'operator-a', incarnation: 'inc2' };
const NOW = new Date('2026-12-01T12:00:00Z');
const HOLD_MS = 75_000;
const CMP_TX =
  '{"version":1,"type":"p10cr","transactionID":"AAEC","senderNonce":"AwQ=","recipNonce":"","certReqId":0,"implicitConfirm":false,"startedAt":"2026-12-01T11:59:00.000Z"}';

function record(phase: TransactionRecord['phase'], holder: string, secondsAgo: number): FoundRecord {
  return {
    state: 'found',
    record: { version: 2, phase, holder, at: new Date(NOW.getTime() - secondsAgo * 1000).toISOString(), transaction: CMP_TX },
  };
}

describe('controllers/certificaterequest transaction record (write-ahead decision table)', () => {
  // record present/absent × answer recorded (waiting) or not (sending, polling) × holder same/other.
  const rows: { name: string; found: FoundRecord; expect: string }[] = [
    { name: 'no record → a new transaction', found: { state: 'absent' }, expect: 'start' },
    { name: 'answer recorded (waiting), our incarnation → poll it', found: record('waiting', 'operator-a/inc2', 5), expect: 'poll' },
    { name: 'answer recorded (waiting), our dead predecessor → poll it', found: record('waiting', 'operator-a/inc1', 5), expect: 'poll' },
    { name: 'answer recorded (waiting), another pod → poll it (the claim is the record write)', found: record('waiting', 'operator-b/x', 5), expect: 'poll' },
    { name: 'no answer (sending), our incarnation → the answer was lost: restart', found: record('sending', 'operator-a/inc2', 5), expect: 'restart' },
    { name: 'no answer (sending), our dead predecessor → restart at once', found: record('sending', 'operator-a/inc1', 1), expect: 'restart' },
    { name: 'no answer (polling), same pod → restart (the CA has moved its nonce)', found: record('polling', 'operator-a/inc1', 1), expect: 'restart' },
    { name: 'no answer (sending), another pod, recent → wait for it', found: record('sending', 'operator-b/x', 10), expect: 'wait 65000' },
    { name: 'no answer (polling), another pod, recent → wait for it', found: record('polling', 'operator-b/x', 74), expect: 'wait 1000' },
    { name: 'no answer (sending), another pod, older than the hold → take over', found: record('sending', 'operator-b/x', 75), expect: 'restart' },
    {
      name: 'no answer, another pod, from the future (clock skew) → counts as just written',
      found: record('sending', 'operator-b/x', -30),
      expect: 'wait 75000',
    },
    { name: 'unreadable record → restart, said out loud', found: readTransactionRecord('{"version":7}'), expect: 'restart' },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const decision = decideTransaction(row.found, ME, NOW, HOLD_MS);
      const shown = decision.action === 'wait' ? `wait ${decision.ms}` : decision.action;
      assert.equal(shown, row.expect);
      if (decision.action === 'poll') assert.equal(decision.transaction, CMP_TX);
      if (decision.action === 'wait') assert.equal(decision.holder, 'operator-b/x');
    });
  }

  it('a waiting record without a transaction cannot be polled: restart', () => {
    const found: FoundRecord = { state: 'found', record: { version: 2, phase: 'waiting', holder: 'operator-a/inc1', at: NOW.toISOString() } };
    assert.equal(decideTransaction(found, ME, NOW, HOLD_MS).action, 'restart');
  });

  it('reads what it writes, refuses damaged text, and takes a version-1 annotation as a waiting transaction', () => {
    const written: TransactionRecord = { version: 2, phase: 'sending', holder: 'operator-a/inc2', at: '2026-12-01T12:00:00Z', transaction: CMP_TX };
    assert.deepEqual(readTransactionRecord(writeTransactionRecord(written)), { state: 'found', record: written });
    assert.deepEqual(readTransactionRecord(undefined), { state: 'absent' });
    assert.deepEqual(readTransactionRecord('{not json'), { state: 'unreadable', why: 'not JSON' });
    assert.equal(readTransactionRecord('{"version":2,"phase":"lost","holder":"a/b","at":"2026-12-01T12:00:00Z"}').state, 'unreadable');
    const legacy = readTransactionRecord(CMP_TX);
    assert.equal(legacy.state, 'found');
    if (legacy.state === 'found')
      assert.deepEqual([legacy.record.phase, legacy.record.transaction, legacy.record.at], ['waiting', CMP_TX, '2026-12-01T11:59:00.000Z']);
  });

  it('the restart message names the lost transaction, its time and holder', () => {
    const found = record('sending', 'operator-a/inc1', 10) as FoundRecord & { state: 'found' };
    assert.equal(
      restartMessage(found),
      'The answer to the request (transactionID AAEC) sent at 2026-12-01T11:59:50.000Z by operator-a/inc1 was never recorded; starting a new transaction. ' +
        'If the CA received the earlier one, it may hold an extra certificate for this request',
    );
  });
});
