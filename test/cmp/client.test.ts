// CmpClient flows and the step API against the scripted in-process CA.
import assert from 'node:assert/strict';
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
    it(`${type}: issued for the requested key, chain = leaf + intermediate, roots = caPubs + self-signed extraCerts`, async () => {
      const result = await client().enroll(requests[type]);
      assert.deepEqual(result.chain.slice(1).map(hex), [hex(ca.intermediate)]);
      assert.deepEqual(result.trustedRoots.map(hex), [ca.root1, ca.root2].map(hex));
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
    ca.script = { tamperHeader: (h) => (h.pvno = 3) };
    await assert.rejects(client().enroll(requests.ir), /unexpected pvno: expected 2, got 3/);
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
});
