import { TRANSACTION_ANNOTATION } from '../../../src/api/cmpv2Issuer.js';
import assert from 'node:assert/strict';
import { CmpRejectedError, CmpTransportError } from '../../../src/cmp/errors.js';
import { FakeClock } from '../../../src/k8s/clock.js';
import { formatTime } from '../../../src/k8s/conditions.js';
import type { CertificateRequest } from '../../../src/api/certManager.js';
import type { CMPv2Issuer } from '../../../src/api/cmpv2Issuer.js';
import {
  reconcileCertificateRequest,
  type RequestReconcileResult,
  type SignOutcome,
  type Update,
  APPROVAL_GRACE_MS,
} from '../../../src/controllers/certificaterequest/reconcile.js';
import { PermanentError, PendingError, IssuerError } from '../../../src/signer/errors.js';
import {
  approved,
  certificateRequest,
  CSR_PEM,
  denied,
  issuer,
  issuerGeneration,
  issuerReady,
  withAnnotation,
  withCondition,
  withIssuerRef,
  withRequestText,
  type IssuerOption,
  type RequestOption,
} from '../fixtures.js';

const MAX_RETRY = 10 * 60_000;
const CHAIN = '-----BEGIN CERTIFICATE-----\nleaf\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nsub\n-----END CERTIFICATE-----\n';
const ROOTS = '-----BEGIN CERTIFICATE-----\nroot1\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nroot2\n-----END CERTIFICATE-----\n';

interface Row {
  name: string;
  request: RequestOption[];
  /** undefined = the issuer does not exist. */
  issuer?: IssuerOption[];
  /** Time since the request's creation. */
  after?: number;
  outcome?: SignOutcome;
  expect: (result: RequestReconcileResult, now: Date) => void;
}

function expectUpdate(result: RequestReconcileResult): Update {
  assert.equal(result.action, 'update', JSON.stringify(result));
  return result as Update;
}

function ready(update: Update) {
  return update.status?.conditions.find((c) => c.type === 'Ready');
}

const readyIssuer = [issuerReady()];

const rows: Row[] = [
  {
    name: 'ignores a request for another issuer group',
    request: [approved(), withIssuerRef('Issuer', 'cert-manager.io')],
    issuer: readyIssuer,
    expect: (r) => assert.deepEqual(r, { action: 'ignore', why: 'issuerRef is not a CMPv2Issuer or ClusterCMPv2Issuer' }),
  },
  {
    name: 'ignores an unknown kind in our group',
    request: [approved(), withIssuerRef('Issuer')],
    issuer: readyIssuer,
    expect: (r) => assert.equal(r.action, 'ignore'),
  },
  {
    name: 'skips a request already Ready',
    request: [approved(), withCondition('Ready', 'True', 'Issued')],
    issuer: readyIssuer,
    expect: (r) => assert.deepEqual(r, { action: 'ignore', why: 'already Ready' }),
  },
  {
    name: 'skips a request already Failed',
    request: [approved(), withCondition('Ready', 'False', 'Failed')],
    issuer: readyIssuer,
    expect: (r) => assert.deepEqual(r, { action: 'ignore', why: 'already Failed' }),
  },
  {
    name: 'skips a request already Denied',
    request: [denied(), withCondition('Ready', 'False', 'Denied')],
    issuer: readyIssuer,
    expect: (r) => assert.deepEqual(r, { action: 'ignore', why: 'already Denied' }),
  },
  {
    name: 'Denied → Ready=False Denied with failureTime, never signed',
    request: [denied()],
    issuer: readyIssuer,
    expect: (r, now) => {
      const u = expectUpdate(r);
      assert.equal(u.outcome, 'denied');
      assert.deepEqual(
        { status: ready(u)?.status, reason: ready(u)?.reason, at: ready(u)?.lastTransitionTime },
        { status: 'False', reason: 'Denied', at: formatTime(now) },
      );
      assert.equal(u.status?.failureTime, formatTime(now));
      assert.deepEqual(
        u.events.map((e) => `${e.type} ${e.reason}`),
        ['Warning Denied'],
      );
      assert.ok(
        u.status?.conditions.some((c) => c.type === 'Denied'),
        "the approver's condition is kept",
      );
    },
  },
  {
    name: 'Denied wins over Approved when both are set',
    request: [approved(), denied()],
    issuer: readyIssuer,
    expect: (r) => assert.equal(expectUpdate(r).outcome, 'denied'),
  },
  {
    name: 'not approved, just created: writes nothing, looks again when the approval grace ends',
    request: [],
    issuer: readyIssuer,
    after: 1500,
    expect: (r) => assert.deepEqual(r, { action: 'ignore', why: 'waiting for approval', recheckAfterMs: APPROVAL_GRACE_MS - 1500 }),
  },
  {
    name: 'not approved, created "in the future" by a clock ahead of ours: the recheck still comes within one grace',
    request: [],
    issuer: readyIssuer,
    after: -60_000,
    expect: (r) => assert.deepEqual(r, { action: 'ignore', why: 'waiting for approval', recheckAfterMs: APPROVAL_GRACE_MS }),
  },
  {
    name: 'not approved after the approval grace: says it waits, once',
    request: [],
    issuer: readyIssuer,
    after: APPROVAL_GRACE_MS,
    expect: (r) => {
      const u = expectUpdate(r);
      assert.equal(ready(u)?.reason, 'Pending');
      assert.match(ready(u)?.message ?? '', /approved/);
      assert.equal(u.requeueAfterMs, undefined);
      assert.equal(u.backoff, undefined);
    },
  },
  {
    name: 'not approved and already Pending: nothing to do',
    request: [withCondition('Ready', 'False', 'Pending')],
    issuer: readyIssuer,
    expect: (r) => assert.deepEqual(r, { action: 'ignore', why: 'waiting for approval' }),
  },
  {
    name: 'a request without a PEM CSR fails',
    request: [approved(), withRequestText('not a csr')],
    issuer: readyIssuer,
    expect: (r, now) => {
      const u = expectUpdate(r);
      assert.equal(ready(u)?.reason, 'Failed');
      assert.match(ready(u)?.message ?? '', /Invalid request: spec.request does not hold a PEM certificate request/);
      assert.equal(u.status?.failureTime, formatTime(now));
    },
  },
  {
    name: 'issuer missing → Pending (no requeue: the issuer watch brings us back)',
    request: [approved()],
    issuer: undefined,
    expect: (r) => {
      const u = expectUpdate(r);
      assert.equal(ready(u)?.reason, 'Pending');
      assert.equal(ready(u)?.message, 'CMPv2Issuer onap-ca not found; waiting for it to be created');
      assert.deepEqual(
        u.events.map((e) => e.type),
        ['Warning'],
      );
      assert.equal(u.requeueAfterMs, undefined);
    },
  },
  {
    name: "issuer not Ready → Pending with the issuer's reason",
    request: [approved()],
    issuer: [issuerReady('False', 'Pending')],
    expect: (r) => assert.equal(ready(expectUpdate(r))?.message, 'CMPv2Issuer onap-ca is not Ready: issuer Pending'),
  },
  {
    name: 'issuer Ready only for an older generation → Pending',
    request: [approved()],
    issuer: [issuerReady(), issuerGeneration(2)],
    expect: (r) => assert.equal(ready(expectUpdate(r))?.reason, 'Pending'),
  },
  {
    name: 'every gate passed → sign, with the request view',
    request: [
      approved(),
      withAnnotation('cert-manager.io/certificate-revision', '3'),
      withAnnotation('cert-manager.io/private-key-secret-name', 'web-key-abc'),
      withAnnotation('cert-manager.io/certificate-name', 'web'),
    ],
    issuer: readyIssuer,
    expect: (r) => {
      assert.equal(r.action, 'sign');
      if (r.action !== 'sign') return;
      assert.equal(r.issuerKind, 'CMPv2Issuer');
      assert.equal(r.view.csrPem, CSR_PEM);
      assert.equal(r.view.revision, 3);
      assert.equal(r.view.privateKeySecretName, 'web-key-abc');
      assert.equal(r.view.certificateName, 'web');
      assert.equal(r.view.resumeState, undefined);
    },
  },
  {
    name: 'signed → Issued with chain and roots (base64 of PEM); the transaction record stays',
    request: [approved(), withCondition('Ready', 'False', 'Pending'), withAnnotation(TRANSACTION_ANNOTATION, '{"tid":"x"}')],
    issuer: readyIssuer,
    outcome: { ok: true, value: { chainPem: CHAIN, caPem: ROOTS } },
    expect: (r, now) => {
      const u = expectUpdate(r);
      assert.equal(u.outcome, 'issued');
      assert.deepEqual({ s: ready(u)?.status, r: ready(u)?.reason, t: ready(u)?.lastTransitionTime }, { s: 'True', r: 'Issued', t: formatTime(now) });
      assert.equal(Buffer.from(u.status!.certificate!, 'base64').toString(), CHAIN);
      assert.equal(Buffer.from(u.status!.ca!, 'base64').toString(), ROOTS);
      assert.equal(u.annotations, undefined);
      assert.deepEqual(u.events, [{ type: 'Normal', reason: 'Issued', message: 'Certificate issued' }]);
    },
  },
  {
    name: 'issued with roots taken from extraCerts on request → an Event names them beside Issued',
    request: [approved()],
    issuer: readyIssuer,
    outcome: {
      ok: true,
      value: {
        chainPem: CHAIN,
        caPem: ROOTS,
        notes: [{ type: 'Normal', reason: 'ExtraCertsRoots', message: 'Trusted root(s) taken from extraCerts: "CN=Second Root"' }],
      },
    },
    expect: (r) => {
      const u = expectUpdate(r);
      assert.deepEqual(
        u.events.map((e) => `${e.reason}: ${e.message}`),
        ['Issued: Certificate issued', 'ExtraCertsRoots: Trusted root(s) taken from extraCerts: "CN=Second Root"'],
      );
    },
  },
  {
    name: "CA rejection → Failed at once with the CA's text",
    request: [approved()],
    issuer: readyIssuer,
    outcome: { ok: false, error: new PermanentError('CA rejected the request: badPOP, "signature invalid"') },
    expect: (r, now) => {
      const u = expectUpdate(r);
      assert.equal(ready(u)?.reason, 'Failed');
      assert.equal(ready(u)?.message, 'CA rejected the request: badPOP, "signature invalid"');
      assert.equal(u.status?.failureTime, formatTime(now));
      assert.equal(u.backoff, undefined);
    },
  },
  {
    name: 'CA answers waiting → Pending, poll after checkAfter, transaction saved',
    request: [approved()],
    issuer: readyIssuer,
    after: 60_000,
    outcome: { ok: false, error: new PendingError('waiting (checkAfter 7s)', 7000, '{"tid":"abc"}') },
    expect: (r, now) => {
      const u = expectUpdate(r);
      assert.equal(ready(u)?.reason, 'Pending');
      assert.equal(u.requeueAfterMs, 7000);
      assert.deepEqual(JSON.parse(u.annotations?.[TRANSACTION_ANNOTATION] ?? '{}'), {
        version: 2,
        phase: 'waiting',
        holder: 'pod-a/1234',
        at: formatTime(now),
        transaction: '{"tid":"abc"}',
      });
      assert.equal(u.status?.failureTime, undefined);
    },
  },
  {
    name: 'a checkAfter of 10^9 s is clamped to the time left before the max retry duration (and a timer’s range)',
    request: [approved()],
    issuer: readyIssuer,
    after: 60_000,
    outcome: { ok: false, error: new PendingError('waiting (checkAfter 1000000000s)', 1e12, '{"tid":"abc"}') },
    expect: (r) => {
      const u = expectUpdate(r);
      assert.equal(ready(u)?.reason, 'Pending');
      assert.equal(u.requeueAfterMs, MAX_RETRY - 60_000);
    },
  },
  {
    name: 'a checkAfter of 0 waits the 1 s minimum',
    request: [approved()],
    issuer: readyIssuer,
    after: 60_000,
    outcome: { ok: false, error: new PendingError('waiting', 0) },
    expect: (r) => assert.equal(expectUpdate(r).requeueAfterMs, 1000),
  },
  {
    name: 'waiting past the max retry duration → Failed',
    request: [approved()],
    issuer: readyIssuer,
    after: MAX_RETRY,
    outcome: { ok: false, error: new PendingError('waiting', 7000) },
    expect: (r) => {
      const u = expectUpdate(r);
      assert.equal(ready(u)?.reason, 'Failed');
      assert.equal(ready(u)?.message, 'Gave up after the maximum retry duration (10m): waiting');
    },
  },
  {
    name: 'transport error → Pending with backoff',
    request: [approved()],
    issuer: readyIssuer,
    after: MAX_RETRY - 1,
    outcome: { ok: false, error: new Error('connect ECONNREFUSED 10.0.0.1:8080') },
    expect: (r) => {
      const u = expectUpdate(r);
      assert.equal(ready(u)?.reason, 'Pending');
      assert.equal(ready(u)?.message, 'Signing failed, will retry: connect ECONNREFUSED 10.0.0.1:8080');
      assert.equal(u.backoff, true);
      assert.deepEqual(
        u.events.map((e) => e.type),
        ['Warning'],
      );
    },
  },
  {
    name: 'transport error past the max retry duration (from creation) → Failed',
    request: [approved()],
    issuer: readyIssuer,
    after: MAX_RETRY + 1,
    outcome: { ok: false, error: new Error('timeout') },
    expect: (r) => {
      const u = expectUpdate(r);
      assert.equal(ready(u)?.reason, 'Failed');
      assert.equal(u.backoff, undefined);
    },
  },
  {
    name: 'the request never reached the CA (connection refused) → the record is taken back: no answer can be lost',
    request: [approved(), withAnnotation(TRANSACTION_ANNOTATION, '{"sending":"ours"}')],
    issuer: readyIssuer,
    outcome: {
      ok: false,
      error: new Error('cannot reach the CMP server', { cause: new CmpTransportError('cannot reach http://ca/: ECONNREFUSED') }),
      intent: { kind: 'request', transaction: '{"tid":"t"}' },
    },
    expect: (r) => {
      const u = expectUpdate(r);
      assert.equal(ready(u)?.reason, 'Pending');
      assert.deepEqual(u.annotations, { [TRANSACTION_ANNOTATION]: null });
    },
  },
  {
    name: 'a poll that never reached the CA → the record goes back to waiting with the same transaction',
    request: [approved()],
    issuer: readyIssuer,
    outcome: {
      ok: false,
      error: new Error('cannot reach the CMP server', { cause: new CmpTransportError('HTTP 503 from http://ca/', 503) }),
      intent: { kind: 'poll', transaction: '{"tid":"t"}' },
    },
    expect: (r, now) => {
      const u = expectUpdate(r);
      assert.deepEqual(JSON.parse(u.annotations?.[TRANSACTION_ANNOTATION] ?? '{}'), {
        version: 2,
        phase: 'waiting',
        holder: 'pod-a/1234',
        at: formatTime(now),
        transaction: '{"tid":"t"}',
      });
    },
  },
  {
    name: 'sent and no answer (timeout after sending) → the unanswered record stays, for the next attempt to name',
    request: [approved()],
    issuer: readyIssuer,
    outcome: {
      ok: false,
      error: new Error('cannot reach the CMP server', {
        cause: new CmpTransportError('no answer from http://ca/ within 5000 ms', undefined, { answerLost: true }),
      }),
      intent: { kind: 'request', transaction: '{"tid":"t"}' },
    },
    expect: (r) => {
      const u = expectUpdate(r);
      assert.equal(ready(u)?.reason, 'Pending');
      assert.equal(u.backoff, true);
      assert.equal(u.annotations, undefined);
    },
  },
  {
    name: 'a failure before anything was sent (no intent) leaves a waiting record alone',
    request: [approved(), withAnnotation(TRANSACTION_ANNOTATION, '{"waiting":"kept"}')],
    issuer: readyIssuer,
    outcome: { ok: false, error: new CmpTransportError('invalid CMP server URL "x"') },
    expect: (r) => {
      const u = expectUpdate(r);
      assert.equal(u.annotations, undefined);
    },
  },
  {
    name: 'issuer error → Pending, re-check the issuer, backoff',
    request: [approved()],
    issuer: readyIssuer,
    outcome: { ok: false, error: new IssuerError('Secret cmp-iak has no key password') },
    expect: (r) => {
      const u = expectUpdate(r);
      assert.equal(ready(u)?.reason, 'Pending');
      assert.equal(u.recheckIssuer, true);
      assert.equal(u.backoff, true);
    },
  },
];

describe('controllers/certificaterequest reconcile (pure, table-driven)', () => {
  for (const row of rows) {
    it(row.name, () => {
      // creationTimestamp has whole seconds: start on one so `after` is exact.
      const clock = new FakeClock(Math.floor(FakeClock.randomStart() / 1000) * 1000);
      const created = clock.now();
      clock.advance(row.after ?? 1000);
      const request = certificateRequest(created, ...row.request);
      const snapshot = structuredClone(request);
      const theIssuer: CMPv2Issuer | undefined = row.issuer ? issuer(...row.issuer) : undefined;
      const result = reconcileCertificateRequest({
        request,
        issuer: theIssuer,
        now: clock.now(),
        maxRetryDurationMs: MAX_RETRY,
        signOutcome: row.outcome,
        holder: 'pod-a/1234',
      });
      row.expect(result, clock.now());
      assert.deepEqual(request, snapshot, 'the input object is not mutated');
    });
  }

  it('is idempotent: the same Pending state again writes nothing and says nothing', () => {
    const clock = new FakeClock();
    const created = clock.now();
    clock.advance(5000);
    const error: SignOutcome = { ok: false, error: new Error('connection reset') };
    const first = expectUpdate(
      reconcileCertificateRequest({
        request: certificateRequest(created, approved()),
        issuer: issuer(issuerReady()),
        now: clock.now(),
        maxRetryDurationMs: MAX_RETRY,
        signOutcome: error,
      }),
    );
    const after: CertificateRequest = certificateRequest(created, approved());
    after.status = { ...after.status, conditions: first.status!.conditions };
    clock.advance(5000);
    const second = expectUpdate(
      reconcileCertificateRequest({ request: after, issuer: issuer(issuerReady()), now: clock.now(), maxRetryDurationMs: MAX_RETRY, signOutcome: error }),
    );
    assert.equal(second.status, undefined);
    assert.deepEqual(second.events, []);
    assert.equal(second.backoff, true, 'still retried');
  });

  it('keeps lastTransitionTime across Pending reasons and moves it on Issued', () => {
    const clock = new FakeClock();
    const created = clock.now();
    const t1 = new Date(created.getTime() + 1000);
    const pending = certificateRequest(created, approved(), withCondition('Ready', 'False', 'Pending', t1));
    clock.advance(30_000);
    const again = expectUpdate(
      reconcileCertificateRequest({
        request: pending,
        issuer: issuer(issuerReady()),
        now: clock.now(),
        maxRetryDurationMs: MAX_RETRY,
        signOutcome: { ok: false, error: new Error('503') },
      }),
    );
    assert.equal(ready(again)?.lastTransitionTime, formatTime(t1));
    const issued = expectUpdate(
      reconcileCertificateRequest({
        request: pending,
        issuer: issuer(issuerReady()),
        now: clock.now(),
        maxRetryDurationMs: MAX_RETRY,
        signOutcome: { ok: true, value: { chainPem: CHAIN, caPem: ROOTS } },
      }),
    );
    assert.equal(ready(issued)?.lastTransitionTime, formatTime(clock.now()));
  });

  it("a CA rejection: its failInfo and the unverified mark reach the Failed message from the error's cause", () => {
    const clock = new FakeClock();
    const created = clock.now();
    clock.advance(1000);
    const rejection = new CmpRejectedError('the CA rejected the request', {
      status: 'rejection',
      statusString: ['bad POP'],
      failInfo: ['badPOP'],
      verified: false,
    });
    const outcome: SignOutcome = { ok: false, error: new PermanentError('the CA said no', { cause: rejection }) };
    const u = expectUpdate(
      reconcileCertificateRequest({
        request: certificateRequest(created, approved()),
        issuer: issuer(issuerReady()),
        now: clock.now(),
        maxRetryDurationMs: MAX_RETRY,
        signOutcome: outcome,
      }),
    );
    assert.equal(ready(u)?.reason, 'Failed');
    assert.equal(ready(u)?.message, 'the CA said no (failInfo: badPOP) [unverified answer]');
  });

  it('a ClusterCMPv2Issuer reference is ours too', () => {
    const clock = new FakeClock();
    const result = reconcileCertificateRequest({
      request: certificateRequest(clock.now(), approved(), withIssuerRef('ClusterCMPv2Issuer')),
      issuer: issuer(issuerReady()),
      now: clock.now(),
      maxRetryDurationMs: MAX_RETRY,
    });
    assert.equal(result.action, 'sign');
    if (result.action === 'sign') assert.equal(result.issuerKind, 'ClusterCMPv2Issuer');
  });
});
