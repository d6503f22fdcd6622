// CmpClient flows and the step API against the scripted in-process CA.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CmpClient, type EnrollmentRequest, parseTransactionState } from '../../src/cmp/client.js';
import { CmpDecodeError, CmpProtocolError, CmpRejectedError, CmpTransportError } from '../../src/cmp/errors.js';
import type { CmpTransport } from '../../src/cmp/transport.js';
import { hex, makeCsr, makeKey } from './fixtures.js';
import { ScriptedCa } from './scriptedCa.js';

describe('client', function () {
  this.timeout(20_000);
  const ca = new ScriptedCa();
  const key = makeKey('ec');
  const csr = makeCsr({ subject: 'CN=client-test', key, dns: ['a.example'] });
  const requests: Record<'ir' | 'cr' | 'p10cr', EnrollmentRequest> = {
    ir: { type: 'ir', csr, privateKey: key.privateKey },
    cr: { type: 'cr', csr, privateKey: key.privateKey },
    p10cr: { type: 'p10cr', csr },
  };
  const client = (options: Partial<ConstructorParameters<typeof CmpClient>[0]> = {}) =>
    new CmpClient({ transport: ca.transport(), protection: { type: 'pbm', secret: ca.secret }, sleep: async () => undefined, ...options });

  beforeEach(() => {
    ca.script = {};
    ca.received.length = 0;
  });

  for (const type of ['ir', 'cr', 'p10cr'] as const) {
    it(`${type}: issued for the requested key, chain = leaf + intermediate, roots = caPubs + anchor (a self-signed extraCert is not a root)`, async () => {
      const result = await client().enroll(requests[type]);
      assert.deepEqual(result.chain.slice(1).map(hex), [hex(ca.intermediate)]);
      // SPEC §3 (issue 10): root2 travels only in extraCerts, outside the protection — no longer trusted.
      assert.deepEqual(result.trustedRoots.map(hex), [hex(ca.root1)]);
      assert.deepEqual(result.extraRoots.map(hex), [hex(ca.root2)]);
      assert.deepEqual(
        ca.received.map((m) => m.body.type),
        [type, 'certConf'],
      );
    });
  }

  it('step API: waiting → stored state → a new client with a new transport resumes → issued', async () => {
    ca.script = { waitCount: 3, checkAfter: 7 };
    let step = await client().startEnrollment(requests.cr);
    assert.equal(step.status, 'waiting');
    for (let i = 0; i < 5 && step.status === 'waiting'; i++) {
      assert.equal(step.checkAfterSeconds, 7);
      assert.deepEqual(step.reason, ['busy']);
      const annotation = JSON.stringify(step.state);
      step = await client().continueEnrollment(requests.cr, parseTransactionState(JSON.parse(annotation)));
    }
    assert.equal(step.status, 'issued');
    assert.deepEqual(
      ca.received.map((m) => m.body.type),
      ['cr', 'pollReq', 'pollReq', 'pollReq', 'certConf'],
    );
    // Every message of the transaction carries the same transactionID and chains the nonces.
    const tids = new Set(ca.received.map((m) => hex(m.header.transactionID!)));
    assert.equal(tids.size, 1);
  });

  it('step API: a stored state of another request type or a damaged one is refused', async () => {
    ca.script = { waitCount: 2 };
    const step = await client().startEnrollment(requests.cr);
    if (step.status !== 'waiting') throw new Error('expected waiting');
    await assert.rejects(client().continueEnrollment(requests.ir, step.state), /stored transaction is a cr/);
    assert.throws(() => parseTransactionState({ ...step.state, transactionID: 'not base64!' }), CmpProtocolError);
    assert.throws(() => parseTransactionState('garbage'), CmpProtocolError);
  });

  it('enroll(): honours checkAfter and gives up (retryable) at the overall deadline', async () => {
    ca.script = { waitCount: 3, checkAfter: 2 };
    const waits: number[] = [];
    await client({ sleep: async (ms) => void waits.push(ms) }).enroll(requests.ir);
    assert.deepEqual(waits, [2000, 2000]);
    ca.script = { waitCount: 3, checkAfter: 3600 };
    await assert.rejects(client({ pollTimeoutMs: 60_000 }).enroll(requests.ir), (err: unknown) => err instanceof CmpTransportError && err.retryable);
  });

  it('connections: a step closes its connection unless asked to keep it; enroll() keeps it while polling', async () => {
    ca.script = { waitCount: 2 };
    const events: string[] = [];
    const counting = () => {
      const inner = ca.transport();
      return { send: (b: Uint8Array) => (events.push('send'), inner.send(b)), close: () => void events.push('close') };
    };
    await client({ transport: counting() }).startEnrollment(requests.ir);
    assert.deepEqual(events, ['send', 'send', 'close']);
    events.length = 0;
    await client({ transport: counting(), keepConnectionWhileWaiting: true }).startEnrollment(requests.ir);
    assert.deepEqual(events, ['send', 'send']);
    events.length = 0;
    await client({ transport: counting() }).enroll(requests.ir);
    // ir, pollReq (pollRep), pollReq (ip), certConf on one connection; closed only at the end.
    assert.deepEqual(events.filter((e) => e === 'send').length, 4);
    assert.ok(!events.slice(0, events.lastIndexOf('send')).includes('close'), events.join(','));
    assert.equal(events[events.length - 1], 'close');
  });

  it('implicit confirm granted: no certConf', async () => {
    ca.script = { grantImplicitConfirm: true };
    const result = await client({ implicitConfirm: true }).enroll(requests.ir);
    assert.equal(result.implicitConfirmGranted, true);
    assert.deepEqual(
      ca.received.map((m) => m.body.type),
      ['ir'],
    );
  });

  it("a rejection status and an error message become CmpRejectedError with the CA's text", async () => {
    ca.script = { reject: { status: 'rejection', statusString: ['policy says no'], failInfo: ['badCertTemplate'] } };
    await assert.rejects(client().enroll(requests.ir), (err: unknown) => {
      assert.ok(err instanceof CmpRejectedError);
      assert.equal(err.message, 'the CA rejected the request: rejection (badCertTemplate): "policy says no"');
      assert.equal(err.rejection.verified, true);
      return true;
    });
    ca.script = { sendError: true };
    await assert.rejects(client().enroll(requests.p10cr), /rejection \(badRequest\): "scripted error"; "details"/);
  });

  it('an unprotected error is reported unverified; an error with a bad MAC too', async () => {
    ca.script = { sendError: true, unprotected: true };
    await assert.rejects(
      client().enroll(requests.ir),
      (err: unknown) => err instanceof CmpRejectedError && !err.rejection.verified && /not protected/.test(err.message),
    );
    ca.script = { sendError: true, wrongSecret: true };
    await assert.rejects(
      client().enroll(requests.ir),
      (err: unknown) => err instanceof CmpRejectedError && !err.rejection.verified && /does not verify/.test(err.message),
    );
  });

  it('a positive answer that is unprotected or has a bad MAC is refused', async () => {
    ca.script = { unprotected: true };
    await assert.rejects(client().enroll(requests.ir), /unprotected ip answer refused/);
    ca.script = { wrongSecret: true };
    await assert.rejects(client().enroll(requests.ir), (err: unknown) => err instanceof CmpProtocolError && /does not verify/.test(err.message));
  });

  it('checks pvno, body type, transactionID and recipNonce, reporting expected and actual', async () => {
    ca.script = { tamperHeader: (h) => (h.pvno = 4) };
    await assert.rejects(client().enroll(requests.ir), /unexpected pvno: expected 2 or 3, got 4/);
    ca.script = { tamperHeader: (h) => (h.pvno = 3) };
    assert.equal((await client().enroll(requests.ir)).chain.length, 2, 'a cmp2021 (pvno 3) answer is accepted');
    ca.script = { replaceBody: { type: 'pkiconf' } };
    await assert.rejects(client().enroll(requests.ir), /unexpected answer: expected ip, got pkiconf/);
    ca.script = { tamperHeader: (h) => (h.transactionID = Uint8Array.from([1, 2])) };
    await assert.rejects(client().enroll(requests.ir), /transactionID mismatch: expected [0-9a-f]{32}, got 0102/);
    ca.script = { tamperHeader: (h) => (h.recipNonce = Uint8Array.from([7])) };
    await assert.rejects(client().enroll(requests.ir), /recipNonce mismatch: expected [0-9a-f]{32}, got 07/);
    ca.script = { tamperHeader: (h) => delete h.recipNonce };
    await assert.rejects(client().enroll(requests.ir), /recipNonce mismatch: expected [0-9a-f]{32}, got \(absent\)/);
  });

  it('a certificate for another key is refused with a rejecting certConf', async () => {
    ca.script = { wrongKey: true };
    await assert.rejects(client().enroll(requests.cr), (err: unknown) => err instanceof CmpProtocolError && !err.retryable);
    const conf = ca.received[1];
    if (conf.body.type !== 'certConf') throw new Error(`expected certConf, got ${conf.body.type}`);
    assert.equal(conf.body.content[0].statusInfo?.status, 'rejection');
  });

  it('an error answer to certConf is a rejection', async () => {
    ca.script = { errorOnCertConf: true };
    await assert.rejects(client().enroll(requests.ir), /the CA refused our certConf: rejection \(badCertId\)/);
  });

  it('garbage from the server is a CmpDecodeError', async () => {
    ca.script = { rawAnswer: Uint8Array.from([0x3c, 0x68, 0x74, 0x6d, 0x6c]) };
    await assert.rejects(client().enroll(requests.ir), CmpDecodeError);
  });

  it('genm returns the CA certificates', async () => {
    const certs = await client().getCaCertificates();
    assert.deepEqual(certs.map(hex), [ca.root1, ca.root2].map(hex));
  });

  it("hands the caller's AbortSignal to the transport with every message (request, poll, certConf, genm)", async () => {
    ca.script = { waitCount: 1 };
    const signals: (AbortSignal | undefined)[] = [];
    const inner = ca.transport();
    const transport: CmpTransport = {
      send: (message, signal) => {
        signals.push(signal);
        return inner.send(message);
      },
    };
    const { signal } = new AbortController();
    let step = await client({ transport }).startEnrollment(requests.cr, signal);
    if (step.status === 'waiting') step = await client({ transport }).continueEnrollment(requests.cr, step.state, signal);
    assert.equal(step.status, 'issued');
    await client({ transport }).getCaCertificates(signal);
    assert.deepEqual(
      ca.received.map((m) => m.body.type),
      ['cr', 'pollReq', 'certConf', 'genm'],
    );
    assert.equal(signals.length, 4);
    assert.ok(signals.every((s) => s === signal));
  });

  it('roots: the known roots of a verified genm are written with an answer that has no caPubs', async () => {
    ca.script = { caPubs: [] };
    const result = await client({ knownRoots: [ca.root1, ca.root2] }).enroll(requests.p10cr);
    assert.deepEqual(result.trustedRoots.map(hex), [ca.root1, ca.root2].map(hex));
  });

  it('an unverified negative answer counts only when transactionID and recipNonce are ours; otherwise it is noise (retried)', async () => {
    for (const tamper of [
      (h: { transactionID?: Uint8Array }) => (h.transactionID = Uint8Array.from([9, 9])),
      (h: { recipNonce?: Uint8Array }) => (h.recipNonce = Uint8Array.from([9])),
    ]) {
      ca.script = { sendError: true, unprotected: true, tamperHeader: tamper };
      await assert.rejects(
        client().enroll(requests.ir),
        (err: unknown) =>
          err instanceof CmpTransportError &&
          err.retryable &&
          /ignored an unverified negative answer \(the answer is not protected\): its (transactionID 0909|recipNonce 09)/.test(err.message),
      );
    }
    ca.script = { sendError: true, wrongSecret: true, tamperHeader: (h) => delete h.recipNonce };
    await assert.rejects(client().enroll(requests.ir), (err: unknown) => err instanceof CmpTransportError && /recipNonce \(absent\)/.test(err.message));
    ca.script = { sendError: true, unprotected: true };
    await assert.rejects(client().enroll(requests.ir), (err: unknown) => err instanceof CmpRejectedError && !err.rejection.verified);
  });

  it('enroll(): an endless waiting answer to pollReq, and pollRep checkAfter 0, wait ≥ 1 s each and end at the total timeout', async () => {
    let clock = 0;
    const waits: number[] = [];
    const timed = (options: Partial<ConstructorParameters<typeof CmpClient>[0]>) =>
      client({ now: () => clock, sleep: async (ms) => void (waits.push(ms), (clock += ms)), pollTimeoutMs: 10_000, ...options });
    ca.script = { waitCount: 1, waitForever: true };
    await assert.rejects(
      timed({}).enroll(requests.ir),
      (err: unknown) => err instanceof CmpTransportError && /did not issue within the total timeout of 10s/.test(err.message),
    );
    assert.ok(waits.length <= 10 && waits.every((w) => w >= 1000), waits.join(','));
    assert.ok(ca.received.length <= 12, `${ca.received.length} messages`);
    waits.length = 0;
    clock = 0;
    ca.received.length = 0;
    ca.script = { waitCount: 1000, checkAfter: 0 };
    await assert.rejects(timed({}).enroll(requests.ir), /did not issue within the total timeout/);
    assert.ok(waits.every((w) => w === 1000) && waits.length === 9, waits.join(','));
  });

  it('enroll(): a round trip that hangs ends at the total timeout', async () => {
    const hanging: CmpTransport = {
      send: (_m, signal) => new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')))),
    };
    await assert.rejects(client({ transport: hanging, pollTimeoutMs: 300 }).enroll(requests.ir), /did not issue within the total timeout/);
  });

  it('an unreadable certificate is refused with a rejecting certConf, before anything is returned', async () => {
    ca.script = { damageCertificate: true };
    await assert.rejects(
      client().enroll(requests.ir),
      (err: unknown) =>
        err instanceof CmpProtocolError && /the issued certificate is not a readable X.509 certificate; refused it with a rejecting certConf/.test(err.message),
    );
    const conf = ca.received[1];
    if (conf.body.type !== 'certConf') throw new Error(`expected certConf, got ${conf.body.type}`);
    assert.equal(conf.body.content[0].statusInfo?.status, 'rejection');
  });

  it('junk caPubs entries are skipped and named, never trusted', async () => {
    ca.script = { caPubs: [Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x00]), ca.root1] };
    const result = await client().enroll(requests.ir);
    assert.deepEqual(result.trustedRoots.map(hex), [hex(ca.root1)]);
    assert.deepEqual(result.warnings, ['caPubs[0] is not a readable X.509 certificate; skipped']);
  });

  it('certConf for an Ed25519-signed certificate carries hashAlg SHA-512 and pvno 3 (RFC 9810 §5.3.18)', async () => {
    ca.script = { ed25519Issuer: true };
    const result = await client().enroll(requests.ir);
    const conf = ca.received[1];
    if (conf.body.type !== 'certConf') throw new Error(`expected certConf, got ${conf.body.type}`);
    assert.equal(conf.header.pvno, 3);
    assert.equal(conf.body.content[0].hashAlg?.algorithmId, '2.16.840.1.101.3.4.2.3');
    assert.equal(hex(conf.body.content[0].certHash), createHash('sha512').update(result.certificate).digest('hex'));
    assert.equal(ca.received[0].header.pvno, 2, 'other messages stay cmp2000');
  });

  it('keyUpdateWarning grants only in a kup; in an ip it is a rejection', async () => {
    ca.script = { reject: { status: 'keyUpdateWarning' } };
    await assert.rejects(client().enroll(requests.ir), (err: unknown) => err instanceof CmpRejectedError && /keyUpdateWarning/.test(err.message));
  });

  it('a pollRep entry for another certReqId is refused', async () => {
    ca.script = { waitCount: 5 };
    const step = await client().startEnrollment(requests.cr);
    if (step.status !== 'waiting') throw new Error('expected waiting');
    await assert.rejects(client().continueEnrollment(requests.cr, { ...step.state, certReqId: 5 }), /pollRep without an entry for certReqId 5 \(got 0\)/);
  });
});
