import assert from 'node:assert/strict';
import { classifyStatus, isNegativeAnswer, rejectedError, statusText } from '../../src/cmp/status.js';

describe('status', () => {
  it('classifies every PKIStatus', () => {
    assert.equal(classifyStatus({ status: 'accepted' }), 'granted');
    assert.equal(classifyStatus({ status: 'grantedWithMods' }), 'granted');
    assert.equal(classifyStatus({ status: 'keyUpdateWarning' }), 'granted');
    assert.equal(classifyStatus({ status: 'waiting' }), 'waiting');
    assert.equal(classifyStatus({ status: 'rejection' }), 'rejected');
  });
  it('writes one line with failure names and quoted texts', () => {
    assert.equal(
      statusText({ status: 'rejection', failInfo: ['badPOP', 'badRequest'], statusString: ['multi\nline  text'] }),
      'rejection (badPOP, badRequest): "multi line text"',
    );
    assert.equal(statusText({ status: 'accepted' }), 'accepted');
  });
  it('knows negative answers', () => {
    assert.equal(isNegativeAnswer({ type: 'error', content: { pKIStatusInfo: { status: 'rejection' } } }), true);
    assert.equal(isNegativeAnswer({ type: 'ip', content: { response: [{ certReqId: 0, status: { status: 'rejection' } }] } }), true);
    assert.equal(isNegativeAnswer({ type: 'ip', content: { response: [{ certReqId: 0, status: { status: 'waiting' } }] } }), false);
    assert.equal(isNegativeAnswer({ type: 'pkiconf' }), false);
  });
  it('builds a permanent CmpRejectedError, marked when unverified', () => {
    const err = rejectedError('the CA rejected the request', { status: 'rejection', failInfo: ['badMessageCheck'] }, false, {
      unverifiedReason: 'bad MAC',
      errorCode: 7,
    });
    assert.equal(err.retryable, false);
    assert.equal(err.message, 'the CA rejected the request: rejection (badMessageCheck) [unverified answer: bad MAC]');
    assert.deepEqual(err.rejection, { status: 'rejection', statusString: [], failInfo: ['badMessageCheck'], verified: false, errorCode: 7 });
  });
});
