import { TRANSACTION_ANNOTATION } from '../../../src/api/cmpv2Issuer.js';
import assert from 'node:assert/strict';
import { CertificateRequestController, type CertificateRequestControllerOptions } from '../../../src/controllers/certificaterequest/controller.js';
import { APPROVAL_GRACE_MS } from '../../../src/controllers/certificaterequest/reconcile.js';
import { PermanentError, PendingError } from '../../../src/signer/errors.js';
import type { SignHooks } from '../../../src/signer/signer.js';
import type { CertificateRequest } from '../../../src/api/certManager.js';
import { eventually } from '../../k8s/fakeApiServer.js';
import { approved, certificateRequest, denied, issuer, issuerReady, withAnnotation } from '../fixtures.js';
import { harness, type Harness } from '../harness.js';

const CHAIN = '-----BEGIN CERTIFICATE-----\nleaf\n-----END CERTIFICATE-----\n';
const ROOTS = '-----BEGIN CERTIFICATE-----\nroot1\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nroot2\n-----END CERTIFICATE-----\n';

describe('controllers/certificaterequest shell (informers + queue + patches against an in-memory API)', () => {
  let h: Harness;
  let controller: CertificateRequestController;

  /** A controller over the harness; `extra` adds or replaces options. */
  function newController(extra: Partial<CertificateRequestControllerOptions> = {}): CertificateRequestController {
    return new CertificateRequestController({
      api: h.memory.fake.api,
      requests: h.requests,
      issuers: h.issuers,
      clusterIssuers: h.clusterIssuers,
      signers: h.signer,
      events: h.events,
      maxRetryDurationMs: 600_000,
      clusterResourceNamespace: 'cert-manager',
      ...extra,
    });
  }

  beforeEach(async () => {
    h = await harness();
    controller = newController({ baseDelayMs: 20, maxDelayMs: 200 });
  });
  afterEach(async () => {
    await controller.shutdown();
    await h.stop();
  });

  function stored(name = 'web-1'): CertificateRequest {
    return h.memory.get('certificaterequests', 'apps', name) as unknown as CertificateRequest;
  }
  function readyReason(name = 'web-1'): string | undefined {
    return stored(name)?.status?.conditions?.find((c) => c.type === 'Ready')?.reason;
  }
  function eventReasons(): string[] {
    return [...(h.memory.objects.get('events')?.values() ?? [])].map((e) => String(e.reason));
  }

  it('signs an approved request and writes chain, roots, Ready=Issued and an Event', async () => {
    h.memory.put('cmpv2issuers', issuer(issuerReady()) as never);
    h.memory.put('certificaterequests', certificateRequest(new Date(), approved()) as never);
    h.signer.signAnswers.push(() => ({ chainPem: CHAIN, caPem: ROOTS }));
    await h.startInformers();
    controller.start();
    await eventually(() => readyReason() === 'Issued', 5000, 'Issued');
    const status = stored().status!;
    assert.equal(Buffer.from(status.certificate!, 'base64').toString(), CHAIN);
    assert.equal(Buffer.from(status.ca!, 'base64').toString(), ROOTS);
    assert.ok(
      status.conditions!.some((c) => c.type === 'Approved'),
      'the approval survived the status write',
    );
    await eventually(() => eventReasons().includes('Issued'), 5000, 'the Issued event');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(h.signer.signCalls.length, 1, 'signed exactly once');
  });

  it('a CA answering waiting: the transaction is recorded, polled with it, and the record stays on the issued request', async () => {
    h.memory.put('cmpv2issuers', issuer(issuerReady()) as never);
    h.memory.put('certificaterequests', certificateRequest(new Date(), approved()) as never);
    h.signer.signAnswers.push(() => {
      throw new PendingError('waiting (checkAfter 0.2s)', 200, '{"tid":"t-1"}');
    });
    h.signer.signAnswers.push(() => ({ chainPem: CHAIN, caPem: ROOTS }));
    await h.startInformers();
    controller.start();
    const record = () => {
      const text = stored().metadata.annotations?.[TRANSACTION_ANNOTATION];
      return text ? (JSON.parse(text) as { phase: string; transaction?: string }) : undefined;
    };
    await eventually(() => record()?.phase === 'waiting' && record()?.transaction === '{"tid":"t-1"}', 5000, 'the recorded waiting transaction');
    await eventually(() => readyReason() === 'Issued', 5000, 'Issued');
    assert.equal(h.signer.signCalls.length, 2);
    assert.equal(h.signer.signCalls[0].resumeState, undefined);
    assert.equal(h.signer.signCalls[1].resumeState, '{"tid":"t-1"}', 'the poll resumed the same transaction');
    assert.deepEqual({ phase: record()?.phase, transaction: record()?.transaction }, { phase: 'polling', transaction: '{"tid":"t-1"}' });
  });

  it('a waiting answer is polled after its checkAfter, not at once when our own writes come back', async () => {
    h.memory.put('cmpv2issuers', issuer(issuerReady()) as never);
    h.memory.put('certificaterequests', certificateRequest(new Date(), approved()) as never);
    const calls: number[] = [];
    h.signer.signAnswers.push(() => {
      calls.push(Date.now());
      throw new PendingError('waiting (checkAfter 1s)', 1000, '{"tid":"t-2"}');
    });
    h.signer.signAnswers.push(() => {
      calls.push(Date.now());
      return { chainPem: CHAIN, caPem: ROOTS };
    });
    await h.startInformers();
    controller.start();
    await eventually(() => readyReason() === 'Issued', 5000, 'Issued');
    assert.equal(calls.length, 2);
    assert.ok(calls[1] - calls[0] >= 950, `polled ${calls[1] - calls[0]} ms after the waiting answer`);
  });

  it('never signs a Denied request; an unapproved one waits until approved', async () => {
    h.memory.put('cmpv2issuers', issuer(issuerReady()) as never);
    h.memory.put('certificaterequests', certificateRequest(new Date(), denied()) as never);
    // Created before the approval grace: marked Pending at once.
    const waiting = certificateRequest(new Date(Date.now() - APPROVAL_GRACE_MS));
    waiting.metadata.name = 'web-2';
    h.memory.put('certificaterequests', waiting as never);
    await h.startInformers();
    controller.start();
    await eventually(() => readyReason() === 'Denied' && readyReason('web-2') === 'Pending', 5000, 'Denied and Pending');
    assert.ok(stored().status?.failureTime);
    assert.equal(h.signer.signCalls.length, 0);
    // The approver approves: the update event brings it back and it is signed.
    h.signer.signAnswers.push(() => ({ chainPem: CHAIN, caPem: ROOTS }));
    const current = stored('web-2');
    approved()(current);
    h.memory.put('certificaterequests', current as never);
    await eventually(() => readyReason('web-2') === 'Issued', 5000, 'Issued after approval');
  });

  it('a new request approved within the approval grace is signed with no Pending status or Event before it', async () => {
    h.memory.put('cmpv2issuers', issuer(issuerReady()) as never);
    h.memory.put('certificaterequests', certificateRequest(new Date()) as never);
    h.signer.signAnswers.push(() => ({ chainPem: CHAIN, caPem: ROOTS }));
    await h.startInformers();
    controller.start();
    // The first reconcile has decided to look again when the grace ends: the key waits in the queue.
    await eventually(() => controller.queue.delayedCount === 1, 5000, 'a recheck at the end of the grace');
    assert.equal(readyReason(), undefined);
    const current = stored();
    approved()(current);
    h.memory.put('certificaterequests', current as never);
    // The Event follows the status write.
    await eventually(() => readyReason() === 'Issued' && eventReasons().length > 0, 5000, 'Issued after approval, and its Event');
    assert.deepEqual(eventReasons(), ['Issued']);
    assert.equal(h.signer.signCalls.length, 1);
  });

  it('waits for a missing issuer and signs once it is created Ready', async () => {
    h.memory.put('certificaterequests', certificateRequest(new Date(), approved()) as never);
    await h.startInformers();
    controller.start();
    await eventually(() => readyReason() === 'Pending', 5000, 'Pending');
    assert.match(stored().status!.conditions!.find((c) => c.type === 'Ready')!.message!, /not found/);
    h.signer.signAnswers.push(() => ({ chainPem: CHAIN, caPem: ROOTS }));
    h.memory.put('cmpv2issuers', issuer(issuerReady()) as never);
    await eventually(() => readyReason() === 'Issued', 5000, 'Issued');
  });

  it('a CA rejection fails the request for good with the CA text', async () => {
    h.memory.put('cmpv2issuers', issuer(issuerReady()) as never);
    h.memory.put('certificaterequests', certificateRequest(new Date(), approved()) as never);
    h.signer.signAnswers.push(() => {
      throw new PermanentError('rejection: badPOP');
    });
    await h.startInformers();
    controller.start();
    await eventually(() => readyReason() === 'Failed', 5000, 'Failed');
    assert.equal(stored().status!.conditions!.find((c) => c.type === 'Ready')!.message, 'rejection: badPOP');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(h.signer.signCalls.length, 1, 'never retried');
  });

  describe('write-ahead transaction record (SPEC §3: enrolled once)', () => {
    const withHolder = (holder: { pod: string; incarnation: string }) => newController({ holder });
    const sendingBy = (holder: string, at: Date) =>
      JSON.stringify({ version: 2, phase: 'sending', holder, at: at.toISOString(), transaction: '{"transactionID":"bG9zdA=="}' });

    it('two replicas racing for one request: one records the transaction and sends, the other sends nothing', async () => {
      h.memory.put('cmpv2issuers', issuer(issuerReady()) as never);
      h.memory.put('certificaterequests', certificateRequest(new Date(), approved()) as never);
      await h.startInformers();
      // Both replicas decide on the same cached copy and reach the record write together.
      let arrived = 0;
      let release: () => void = () => undefined;
      const together = new Promise<void>((resolve) => (release = resolve));
      const sends: string[] = [];
      const racing = (replica: string) => ({
        forIssuer: () => ({
          check: async () => undefined,
          sign: async (_view: unknown, _issuer: unknown, _signal: unknown, hooks?: SignHooks) => {
            if (++arrived === 2) release();
            await together;
            await hooks?.beforeSend?.({ kind: 'request', transaction: `{"tid":"${replica}"}` });
            sends.push(replica);
            return { chainPem: CHAIN, caPem: ROOTS };
          },
        }),
      });
      const replicas = ['pod-a', 'pod-b'].map((pod) => newController({ signers: racing(pod), holder: { pod, incarnation: '1' } }));
      const results = await Promise.all(replicas.map((r) => r.reconcile('apps/web-1')));
      assert.deepEqual(sends.length, 1, `sent by ${sends.join(', ')}`);
      const loser = results.find((r) => r && 'requeueAfterMs' in r && r.requeueAfterMs !== undefined && r.requeueAfterMs > 60_000);
      assert.ok(loser, `the other replica waits for the holder: ${JSON.stringify(results)}`);
      assert.equal(readyReason(), 'Issued');
      const record = JSON.parse(stored().metadata.annotations![TRANSACTION_ANNOTATION]) as { holder: string; transaction: string };
      assert.deepEqual([record.holder, record.transaction], [`${sends[0]}/1`, `{"tid":"${sends[0]}"}`]);
    });

    it("another pod's unanswered attempt younger than the hold: nothing is sent, the request waits", async () => {
      h.memory.put('cmpv2issuers', issuer(issuerReady()) as never);
      h.memory.put(
        'certificaterequests',
        certificateRequest(new Date(), approved(), withAnnotation(TRANSACTION_ANNOTATION, sendingBy('pod-b/9', new Date()))) as never,
      );
      await h.startInformers();
      const result = await withHolder({ pod: 'pod-a', incarnation: '1' }).reconcile('apps/web-1');
      assert.equal(h.signer.signCalls.length, 0);
      assert.ok(result && result.requeueAfterMs !== undefined && result.requeueAfterMs > 70_000, JSON.stringify(result));
    });

    it("our pod's previous incarnation died without an answer: a new transaction at once, said in the condition and a Warning Event", async () => {
      h.memory.put('cmpv2issuers', issuer(issuerReady()) as never);
      h.memory.put(
        'certificaterequests',
        certificateRequest(new Date(), approved(), withAnnotation(TRANSACTION_ANNOTATION, sendingBy('pod-a/0', new Date()))) as never,
      );
      h.signer.signAnswers.push(() => ({ chainPem: CHAIN, caPem: ROOTS }));
      await h.startInformers();
      await withHolder({ pod: 'pod-a', incarnation: '1' }).reconcile('apps/web-1');
      assert.equal(readyReason(), 'Issued');
      assert.equal(h.signer.signCalls.length, 1);
      const events = [...(h.memory.objects.get('events')?.values() ?? [])].filter((e) => e.reason === 'TransactionRestarted');
      assert.equal(events.length, 1);
      assert.match(
        String(events[0].message),
        /^The answer to the request \(transactionID bG9zdA==\) sent at .* by pod-a\/0 was never recorded; starting a new transaction/,
      );
      const record = JSON.parse(stored().metadata.annotations![TRANSACTION_ANNOTATION]) as { holder: string };
      assert.equal(record.holder, 'pod-a/1');
    });
  });
});
