// The contract's errors: one way of naming, the ES2022 cause option on each, and failureDetails
// reading the CA's rejection from the cause chain (however deep, whatever the chain holds).
import assert from 'node:assert/strict';
import { CmpRejectedError } from '../../src/cmp/errors.js';
import { failureDetails, IssuerError, PendingError, PermanentError } from '../../src/signer/errors.js';

describe('signer/errors', () => {
  it('each error has its class name and keeps a cause', () => {
    const cause = new Error('underneath');
    const pending = new PendingError('waiting', 7000, '{"tid":"abc"}', { cause });
    assert.deepEqual([pending.name, pending.retryAfterMs, pending.resumeState, pending.cause], ['PendingError', 7000, '{"tid":"abc"}', cause]);
    assert.deepEqual([new PermanentError('no', { cause }).name, new PermanentError('no', { cause }).cause], ['PermanentError', cause]);
    assert.deepEqual([new IssuerError('issuer', { cause }).name, new IssuerError('issuer', { cause }).cause], ['IssuerError', cause]);
    assert.equal(new PendingError('waiting').cause, undefined);
  });

  it('failureDetails: the message alone when no CA rejection is in the chain', () => {
    assert.deepEqual(failureDetails(new Error('cannot reach the CMP server: timeout', { cause: new Error('timeout') })), {
      message: 'cannot reach the CMP server: timeout',
    });
    assert.deepEqual(failureDetails('a string'), { message: 'a string' });
    assert.deepEqual(failureDetails(undefined), { message: 'undefined' });
  });

  it('failureDetails: finds the rejection deep in the chain and survives a cycle', () => {
    const rejection = new CmpRejectedError('rejection (badPOP): "bad signature"', {
      status: 'rejection',
      statusString: ['bad signature'],
      failInfo: ['badPOP'],
      verified: true,
    });
    const wrapped = new PermanentError('outer', { cause: new Error('middle', { cause: rejection }) });
    assert.deepEqual(failureDetails(wrapped), { message: 'outer (failInfo: badPOP)', failInfo: ['badPOP'], statusString: ['bad signature'], verified: true });
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    assert.deepEqual(failureDetails(a), { message: 'a' });
  });
});
