// The development CA's state dir beyond its keys: every issued certificate is logged (in memory
// and as a JSON line in enrolments.jsonl), and a transaction left `waiting` survives a restart
// of the CA with the same state dir — our client's step API polls it to issuance afterwards.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CmpClient, type EnrollmentRequest } from '../../../src/cmp/client.js';
import type { ProtectionCredentials } from '../../../src/cmp/protection.js';
import { readEnrolmentLog, spkiSha256, startDevelopmentCa, TRANSACTIONS_FILE, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import { makeCsr, makeKey } from '../fixtures.js';

const PBM: ProtectionCredentials = { type: 'pbm', secret: new TextEncoder().encode('state-secret'), reference: new TextEncoder().encode('state') };

function client(ca: DevelopmentCa): CmpClient {
  return new CmpClient({ transport: { send: (bytes) => ca.handle(bytes) }, protection: PBM, trusted: ca.roots });
}

const spkiHash = (key: ReturnType<typeof makeKey>) => spkiSha256(key.publicKey.export({ type: 'spki', format: 'der' }));

describe('development CA state dir: enrolment log and transactions across a restart', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-state-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('logs each issued certificate once, with its serial, subject, key hash, transaction and message type', async () => {
    const ca = await startDevelopmentCa({ secret: 'state-secret', reference: 'state', stateDir: dir });
    const keys = [makeKey('ec'), makeKey('rsa'), makeKey('ec')];
    const types = ['ir', 'cr', 'p10cr'] as const;
    const certificates: X509Certificate[] = [];
    for (const [i, type] of types.entries()) {
      const csr = makeCsr({ subject: `CN=logged-${i}`, key: keys[i] });
      const request: EnrollmentRequest = type === 'p10cr' ? { type, csr } : { type, csr, privateKey: keys[i].privateKey };
      certificates.push(new X509Certificate((await client(ca).enroll(request)).certificate));
    }
    const onDisk = readEnrolmentLog(path.join(dir, 'enrolments.jsonl'));
    assert.deepEqual(onDisk, [...ca.enrolments()]);
    assert.equal(onDisk.length, 3);
    onDisk.forEach((record, i) => {
      assert.equal(record.messageType, types[i]);
      assert.equal(record.subject, `CN=logged-${i}`);
      assert.equal(record.serial, certificates[i].serialNumber.toLowerCase());
      assert.equal(record.spkiSha256, spkiHash(keys[i]));
      assert.equal(record.certReqId, types[i] === 'p10cr' ? -1 : 0);
      assert.match(record.transactionID, /^[0-9a-f]{32}$/);
    });
    assert.equal(new Set(onDisk.map((r) => r.transactionID)).size, 3);
    // A genm (CA certificates) issues nothing and logs nothing.
    await client(ca).getCaCertificates();
    assert.equal(ca.enrolments().length, 3);
  });

  it('without a state dir the records are kept in memory only', async () => {
    const ca = await startDevelopmentCa({ secret: 'state-secret' });
    const key = makeKey('ec');
    await client(ca).enroll({ type: 'ir', csr: makeCsr({ subject: 'CN=memory', key }), privateKey: key.privateKey });
    assert.deepEqual(
      ca.enrolments().map((r) => [r.subject, r.spkiSha256, r.messageType]),
      [['CN=memory', spkiHash(key), 'ir']],
    );
    assert.equal(ca.stats.enrollments, 1);
  });

  it('a waiting transaction is answered by a CA restarted with the same state dir, and enrolled once', async () => {
    const first = await startDevelopmentCa({ secret: 'state-secret', reference: 'state', stateDir: dir, poll: 2, checkAfterSeconds: 0 });
    const key = makeKey('ec');
    const request: EnrollmentRequest = { type: 'ir', csr: makeCsr({ subject: 'CN=resumed', key }), privateKey: key.privateKey };
    const step = await client(first).startEnrollment(request);
    // The client polls the first `waiting` at once; the second one is what it stores.
    assert.equal(step.status, 'waiting');
    const stored = JSON.parse(JSON.stringify(step.state));
    assert.ok(fs.existsSync(path.join(dir, TRANSACTIONS_FILE)));
    await first.stop();

    // The same keys, transactions and log, in a new CA object: what `test-ca --state-dir` gets after a kill.
    const second = await startDevelopmentCa({ secret: 'state-secret', reference: 'state', stateDir: dir, poll: 2, checkAfterSeconds: 0 });
    const resumed = await client(second).continueEnrollment(request, stored);
    assert.equal(resumed.status, 'issued');
    const leaf = new X509Certificate(resumed.status === 'issued' ? resumed.result.certificate : new Uint8Array());
    assert.equal(leaf.subject, 'CN=resumed');
    assert.ok(leaf.checkIssued(new X509Certificate(second.intermediatePem)));
    assert.equal(second.stats.enrollments, 0, 'the restarted CA issued nothing new');
    assert.equal(second.stats.requests.get('pollReq'), 1);
    assert.equal(second.stats.requests.get('certConf'), 1);
    const log = readEnrolmentLog(path.join(dir, 'enrolments.jsonl'));
    assert.deepEqual(
      log.map((r) => [r.subject, r.serial]),
      [['CN=resumed', leaf.serialNumber.toLowerCase()]],
    );
  });

  it('a restarted CA still refuses a pollReq that does not echo its last nonce', async () => {
    const first = await startDevelopmentCa({ secret: 'state-secret', stateDir: dir, poll: 3, checkAfterSeconds: 0 });
    const key = makeKey('ec');
    const request: EnrollmentRequest = { type: 'ir', csr: makeCsr({ subject: 'CN=stale', key }), privateKey: key.privateKey };
    const step = await client(first).startEnrollment(request);
    assert.equal(step.status, 'waiting');
    const stale = JSON.parse(JSON.stringify(step.state));
    const next = await client(first).continueEnrollment(request, stale);
    assert.equal(next.status, 'waiting');
    await first.stop();
    const second = await startDevelopmentCa({ secret: 'state-secret', stateDir: dir, poll: 3, checkAfterSeconds: 0 });
    // The state before the last poll: its recipNonce is no longer the CA's last senderNonce.
    const refused = await client(second).continueEnrollment(request, stale);
    assert.equal(refused.status, 'rejected');
    assert.match(refused.status === 'rejected' ? refused.error.message : '', /badRecipientNonce/);
  });
});
