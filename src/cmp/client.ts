// CmpClient: the enrolment flows (cf. OpenSSL cmp_client) on top of the message layer.
// - p10cr (the CSR as it is), ir / cr (CertTemplate from the CSR, signature POP), kur (signed with
//   the old key, old certificate in extraCerts, oldCertID control);
// - every returned certificate read as X.509, its key compared and its roots found (result.ts)
//   before anything is confirmed; certConf with certHash (hashAlg and pvno 3 for EdDSA), or none
//   when implicitConfirm was asked and granted; a rejecting certConf for a certificate we refuse;
// - an encrypted certificate (indirect POP) decrypted with the request's key (encryptedCertificate.ts),
//   or, when that is impossible, an error message to the CA and a CmpEncryptedCertificateError;
// - waiting → pollReq/pollRep; enroll() waits by the one checkAfter rule (checkAfter.ts) and caps
//   every round trip at its overall deadline;
// - genm for CA certificates.
// A non-blocking step API (cf. OpenSSL's try_certreq) serves a reconcile loop: startEnrollment /
// continueEnrollment return issued | waiting (with a serializable transaction state) | rejected.
// Every flow takes an optional AbortSignal that it hands to the transport with each message.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type * as pkijs from 'pkijs';
import * as z from 'zod';
import type { CertResponse } from './asn1/CertRepMessage.js';
import { decodeCaCertsValue, ID_IT_CA_CERTS } from './asn1/InfoTypeAndValue.js';
import type { PKIBody, PKIBodyName } from './asn1/PKIBody.js';
import { directoryName, PVNO_CMP2021 } from './asn1/PKIHeader.js';
import { decodePKIMessage, encodePKIMessage } from './asn1/PKIMessage.js';
import { pollDelayMs } from './checkAfter.js';
import { parseCertificate, publicKeyDer, readX509 } from './certificates.js';
import { certTemplateFromCsr, csrPublicKeyDer } from './csr.js';
import type { OptionalValidity } from './asn1/CertTemplate.js';
import { CmpEncryptedCertificateError, CmpProtocolError, CmpRejectedError, CmpTransportError } from './errors.js';
import { decryptCertificate } from './encryptedCertificate.js';
import { buildHeader, hasImplicitConfirm, newNonce, newTransactionID } from './header.js';
import { buildCertReqMsg, certConfBody, errorBody, genmCaCertsBody, needsCmp2021, oldCertIdControl, p10crBody, pollReqBody } from './messages.js';
import { protectMessage, type ProtectionCredentials, type ProtectionTrust } from './protection.js';
import { type EnrollmentResult, splitCertificates } from './result.js';
import { classifyStatus, rejectedError } from './status.js';
import type { CmpTransport } from './transport.js';
import { type CheckedResponse, checkResponse } from './verify.js';

export type { EnrollmentResult } from './result.js';

/** What to enrol. The CSR carries subject, public key and extensions in every case. */
export type EnrollmentRequest =
  | { type: 'p10cr'; csr: Uint8Array }
  | { type: 'ir' | 'cr'; csr: Uint8Array; privateKey: KeyObject; validity?: OptionalValidity; extraExtensions?: pkijs.Extension[] }
  | {
      type: 'kur';
      csr: Uint8Array;
      privateKey: KeyObject;
      /** The CertTemplate's validity (e.g. cert-manager's spec.duration); p10cr cannot carry one. */
      validity?: OptionalValidity;
      /** Added to the CertTemplate unless the CSR asks for the same extension (e.g. basicConstraints for spec.isCA). */
      extraExtensions?: pkijs.Extension[];
      /** The certificate being renewed and its key: they protect the kur. */
      oldCertificate: Uint8Array;
      oldPrivateKey: KeyObject;
      /** Intermediates of the old certificate, sent after it in extraCerts. */
      oldChain?: Uint8Array[];
    };

export interface CmpClientOptions {
  transport: CmpTransport;
  /** Protection of requests (kur is always signed with the old key instead). */
  protection: ProtectionCredentials;
  /** Trust anchors for signature-protected answers. A PBM secret is taken from `protection`. */
  trusted?: Uint8Array[];
  /** Self-signed roots from a verified genm answer: trusted roots of every issued certificate (SPEC §3 rule c). */
  knownRoots?: Uint8Array[];
  /** header.recipient; default NULL-DN (for kur: the old certificate's issuer). */
  recipient?: pkijs.RelativeDistinguishedNames;
  /** Ask for implicit confirmation. */
  implicitConfirm?: boolean;
  /** Overall deadline of `enroll()` including polling and every round trip, in ms. Default 10 minutes. */
  pollTimeoutMs?: number;
  /**
   * Step API only: keep the connection open when a step ends in `waiting` (OpenSSL's mock server
   * forgets a transaction whose connection closes). Default false: each step closes its
   * connection, which suits a reconcile loop and CAs that keep transactions by transactionID.
   * `enroll()` always keeps the connection while it polls, like OpenSSL's client.
   */
  keepConnectionWhileWaiting?: boolean;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** The transaction state a controller stores (e.g. in an annotation) to resume polling after a restart. */
export const cmpTransactionStateSchema = z.object({
  version: z.literal(1),
  type: z.enum(['p10cr', 'ir', 'cr', 'kur']),
  /** base64 */
  transactionID: z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .max(256),
  /** base64 of our last senderNonce */
  senderNonce: z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .max(256),
  /** base64 of the CA's last senderNonce (our next recipNonce); empty before the CA has answered */
  recipNonce: z
    .string()
    .regex(/^(?:[A-Za-z0-9+/]+={0,2})?$/)
    .max(256),
  certReqId: z
    .number()
    .int()
    .min(-1)
    .max(2 ** 31 - 1),
  implicitConfirm: z.boolean(),
  /** ISO time the transaction began */
  startedAt: z.string().datetime(),
});
export type CmpTransactionState = z.infer<typeof cmpTransactionStateSchema>;

/** Validates a stored state (untrusted input); throws CmpProtocolError when unusable. */
export function parseTransactionState(value: unknown): CmpTransactionState {
  const parsed = cmpTransactionStateSchema.safeParse(value);
  if (!parsed.success) throw new CmpProtocolError(`stored CMP transaction state is unusable: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export type EnrollmentStep =
  | { status: 'issued'; result: EnrollmentResult }
  | { status: 'waiting'; checkAfterSeconds: number; reason: string[]; state: CmpTransactionState }
  | { status: 'rejected'; error: CmpRejectedError };

interface Transaction {
  type: EnrollmentRequest['type'];
  transactionID: Uint8Array;
  senderNonce: Uint8Array;
  /** `senderNonce` is the planned one, not sent yet: the first message carries it. */
  firstNonce?: boolean;
  recipNonce?: Uint8Array;
  certReqId: number;
  implicitConfirm: boolean;
  startedAt: Date;
}

const CERT_REP_OF = { p10cr: 'cp', ir: 'ip', cr: 'cp', kur: 'kup' } as const;
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const unb64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

function normalizedSpki(spki: Uint8Array): Buffer {
  return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'der', type: 'spki' });
}

/**
 * The same public key: equal DER (what a CA copies from the request), or equal once OpenSSL has
 * re-encoded both (a compressed EC point, explicit parameters). Decoding a key costs ~0.5 ms, so
 * only differing bytes are decoded.
 */
function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b)) || normalizedSpki(a).equals(normalizedSpki(b));
}

export class CmpClient {
  private readonly options: CmpClientOptions;
  /** True while enroll() polls: the connection then stays open between steps. */
  private polling = false;

  constructor(options: CmpClientOptions) {
    this.options = options;
  }

  /**
   * Enrols and waits (polling as told) until issued; throws CmpRejectedError, CmpProtocolError or
   * CmpTransportError. Waits follow checkAfter.ts (≥ 1 s, ≤ the time left, ≤ a timer's range)
   * and each round trip is aborted at the deadline, so nothing outlives `pollTimeoutMs`.
   */
  async enroll(request: EnrollmentRequest, signal?: AbortSignal): Promise<EnrollmentResult> {
    const now = this.options.now ?? Date.now;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const totalMs = this.options.pollTimeoutMs ?? 600_000;
    const deadline = now() + totalMs;
    const timedOut = `the CA did not issue within the total timeout of ${Math.round(totalMs / 1000)}s`;
    // The deadline as a signal, so a round trip in flight ends with it too.
    const deadlineSignal = AbortSignal.timeout(Math.min(totalMs, 2 ** 31 - 1));
    const bounded = signal ? AbortSignal.any([signal, deadlineSignal]) : deadlineSignal;
    const roundTrip = async <T>(what: () => Promise<T>): Promise<T> => {
      try {
        return await what();
      } catch (err) {
        if (deadlineSignal.aborted && !signal?.aborted) throw new CmpTransportError(timedOut);
        throw err;
      }
    };
    this.polling = true;
    try {
      let step = await roundTrip(() => this.startEnrollment(request, bounded));
      while (step.status === 'waiting') {
        const wait = pollDelayMs(step.checkAfterSeconds, deadline - now());
        if (wait <= 0 || now() + wait >= deadline) {
          throw new CmpTransportError(`${timedOut} (the CA is still processing the request; it asked to wait ${step.checkAfterSeconds}s)`);
        }
        await sleep(wait);
        const state = step.state;
        step = await roundTrip(() => this.continueEnrollment(request, state, bounded));
      }
      if (step.status === 'rejected') throw step.error;
      return step.result;
    } finally {
      this.polling = false;
      this.options.transport.close?.();
    }
  }

  /**
   * A new transaction's identity (transactionID, the first senderNonce, certReqId, type) before
   * anything is sent, so a caller can record it first (write-ahead) and then pass it to
   * startEnrollment, which sends exactly that.
   */
  planTransaction(type: EnrollmentRequest['type']): CmpTransactionState {
    return this.state({
      type,
      transactionID: newTransactionID(),
      senderNonce: newNonce(),
      certReqId: 0,
      implicitConfirm: this.options.implicitConfirm ?? false,
      startedAt: new Date((this.options.now ?? Date.now)()),
    });
  }

  /** Sends the certificate request (as `planned`, when given); returns issued, waiting (store `state`) or rejected. */
  async startEnrollment(request: EnrollmentRequest, signal?: AbortSignal, planned?: CmpTransactionState): Promise<EnrollmentStep> {
    const plan = planned ? parseTransactionState(planned) : this.planTransaction(request.type);
    if (plan.type !== request.type) throw new CmpProtocolError(`planned transaction is a ${plan.type}, not a ${request.type}`);
    const tx: Transaction = {
      type: plan.type,
      transactionID: unb64(plan.transactionID),
      senderNonce: unb64(plan.senderNonce),
      firstNonce: true,
      certReqId: plan.certReqId,
      implicitConfirm: plan.implicitConfirm,
      startedAt: new Date(plan.startedAt),
    };
    return this.keepOpenWhileWaiting(async () => {
      const body = this.requestBody(request);
      const answer = await this.exchange(tx, request, body, [CERT_REP_OF[request.type]], signal, tx.implicitConfirm);
      return this.onCertResponse(tx, request, answer, signal, false);
    });
  }

  /** Polls a waiting transaction once (pollReq); returns issued, waiting again or rejected. */
  async continueEnrollment(request: EnrollmentRequest, state: CmpTransactionState, signal?: AbortSignal): Promise<EnrollmentStep> {
    const checked = parseTransactionState(state);
    if (checked.type !== request.type) throw new CmpProtocolError(`stored transaction is a ${checked.type}, not a ${request.type}`);
    const tx: Transaction = {
      type: checked.type,
      transactionID: unb64(checked.transactionID),
      senderNonce: unb64(checked.senderNonce),
      recipNonce: checked.recipNonce === '' ? undefined : unb64(checked.recipNonce),
      certReqId: checked.certReqId,
      implicitConfirm: checked.implicitConfirm,
      startedAt: new Date(checked.startedAt),
    };
    return this.keepOpenWhileWaiting(() => this.poll(tx, request, signal));
  }

  /** Closes the transport's connection (the step API keeps it open while a transaction waits). */
  close(): void {
    this.options.transport.close?.();
  }

  /** Asks the CA for its CA certificates (genm id-it-caCerts); `verified` false when the answer's protection could not be checked. */
  async getCaCertificates(signal?: AbortSignal): Promise<Uint8Array[]> {
    return (await this.getCaCertificatesChecked(signal)).certificates;
  }

  /** genm id-it-caCerts with the answer's verification state: only a verified answer's certificates may become roots. */
  async getCaCertificatesChecked(signal?: AbortSignal): Promise<{ certificates: Uint8Array[]; verified: boolean }> {
    const tx: Transaction = {
      type: 'p10cr',
      transactionID: newTransactionID(),
      senderNonce: newNonce(),
      certReqId: 0,
      implicitConfirm: false,
      startedAt: new Date(),
    };
    try {
      const answer = await this.exchange(tx, undefined, genmCaCertsBody(), ['genp'], signal);
      const body = answer.message.body;
      if (body.type === 'error') throw this.errorRejection('the CA refused the genm', answer);
      if (body.type !== 'genp') throw new CmpProtocolError(`unexpected answer ${body.type} to genm`);
      const item = body.content.find((i) => i.infoType === ID_IT_CA_CERTS);
      return { certificates: item?.infoValue ? decodeCaCertsValue(item.infoValue) : [], verified: answer.verified };
    } finally {
      this.options.transport.close?.();
    }
  }

  // ---- internals ---------------------------------------------------------------------------

  /**
   * Closes the connection after a step, except while a transaction waits and the connection is
   * to be kept (enroll() polling, or keepConnectionWhileWaiting). A final outcome or an error
   * always closes it.
   */
  private async keepOpenWhileWaiting(step: () => Promise<EnrollmentStep>): Promise<EnrollmentStep> {
    let result: EnrollmentStep | undefined;
    try {
      result = await step();
      return result;
    } finally {
      const keep = result?.status === 'waiting' && (this.polling || this.options.keepConnectionWhileWaiting === true);
      if (!keep) this.options.transport.close?.();
    }
  }

  private requestBody(request: EnrollmentRequest): PKIBody {
    if (request.type === 'p10cr') return p10crBody(request.csr);
    const template = certTemplateFromCsr(request.csr);
    if (request.validity) template.validity = request.validity;
    const extra = (request.extraExtensions ?? []).filter((e) => !template.extensions?.some((asked) => asked.extnID === e.extnID));
    if (extra.length) template.extensions = [...(template.extensions ?? []), ...extra];
    const controls = request.type === 'kur' ? [oldCertIdControl(request.oldCertificate)] : undefined;
    return { type: request.type, content: [buildCertReqMsg({ certReqId: 0, template, controls, popKey: request.privateKey })] };
  }

  private credentials(request: EnrollmentRequest | undefined): ProtectionCredentials {
    if (request?.type === 'kur') {
      return { type: 'signature', key: request.oldPrivateKey, certificate: request.oldCertificate, chain: request.oldChain };
    }
    return this.options.protection;
  }

  private trust(): ProtectionTrust {
    const p = this.options.protection;
    return { ...(p.type === 'pbm' ? { secret: p.secret } : {}), ...(this.options.trusted ? { trusted: this.options.trusted } : {}) };
  }

  private recipient(request: EnrollmentRequest | undefined): pkijs.GeneralName | undefined {
    if (this.options.recipient) return directoryName(this.options.recipient);
    if (request?.type === 'kur') return directoryName(parseCertificate(request.oldCertificate).issuer);
    return undefined;
  }

  /** One protected request/response round trip with the ordered checks; learns the CA's nonce. */
  private async exchange(
    tx: Transaction,
    request: EnrollmentRequest | undefined,
    body: PKIBody,
    bodyTypes: readonly PKIBodyName[],
    signal: AbortSignal | undefined,
    implicitConfirm = false,
  ): Promise<CheckedResponse> {
    if (!tx.firstNonce) tx.senderNonce = newNonce();
    tx.firstNonce = false;
    const header = buildHeader({
      recipient: this.recipient(request),
      transactionID: tx.transactionID,
      senderNonce: tx.senderNonce,
      recipNonce: tx.recipNonce,
      implicitConfirm,
    });
    // certConf with hashAlg (EdDSA certificates) is a cmp2021 message (RFC 9810 §7).
    if (needsCmp2021(body)) header.pvno = PVNO_CMP2021;
    const message = protectMessage({ header, body }, this.credentials(request));
    const answer = decodePKIMessage(await this.options.transport.send(encodePKIMessage(message), signal));
    const checked = checkResponse(answer, { bodyTypes, transactionID: tx.transactionID, senderNonce: tx.senderNonce, trust: this.trust() });
    tx.recipNonce = answer.header.senderNonce;
    return checked;
  }

  private errorRejection(what: string, answer: CheckedResponse): CmpRejectedError {
    const body = answer.message.body;
    if (body.type !== 'error') throw new CmpProtocolError('internal: not an error message');
    return rejectedError(what, body.content.pKIStatusInfo, answer.verified, {
      errorCode: body.content.errorCode,
      errorDetails: body.content.errorDetails,
      unverifiedReason: answer.unverifiedReason,
    });
  }

  private state(tx: Transaction): CmpTransactionState {
    return {
      version: 1,
      type: tx.type,
      transactionID: b64(tx.transactionID),
      senderNonce: b64(tx.senderNonce),
      recipNonce: b64(tx.recipNonce ?? new Uint8Array(0)),
      certReqId: tx.certReqId,
      implicitConfirm: tx.implicitConfirm,
      startedAt: tx.startedAt.toISOString(),
    };
  }

  private async poll(tx: Transaction, request: EnrollmentRequest, signal: AbortSignal | undefined): Promise<EnrollmentStep> {
    const answer = await this.exchange(tx, request, pollReqBody([tx.certReqId]), ['pollRep', CERT_REP_OF[tx.type]], signal);
    const body = answer.message.body;
    if (body.type === 'pollRep') {
      const entry = body.content.find((p) => p.certReqId === tx.certReqId);
      if (!entry) {
        throw new CmpProtocolError(`pollRep without an entry for certReqId ${tx.certReqId} (got ${body.content.map((p) => p.certReqId).join(', ') || 'none'})`);
      }
      return { status: 'waiting', checkAfterSeconds: entry.checkAfter, reason: entry.reason ?? [], state: this.state(tx) };
    }
    return this.onCertResponse(tx, request, answer, signal, true);
  }

  private findResponse(tx: Transaction, responses: CertResponse[]): CertResponse {
    const exact = responses.find((r) => r.certReqId === tx.certReqId);
    // p10cr answers carry certReqId -1 (RFC 9483) or 0 (older CAs).
    const found = exact ?? (tx.type === 'p10cr' && responses.length === 1 && responses[0].certReqId === -1 ? responses[0] : undefined);
    if (!found) {
      throw new CmpProtocolError(`no response for certReqId ${tx.certReqId} (got ${responses.map((r) => r.certReqId).join(', ') || 'none'})`);
    }
    return found;
  }

  private async onCertResponse(
    tx: Transaction,
    request: EnrollmentRequest,
    answer: CheckedResponse,
    signal: AbortSignal | undefined,
    afterPoll: boolean,
  ): Promise<EnrollmentStep> {
    const body = answer.message.body;
    if (body.type === 'error') return { status: 'rejected', error: this.errorRejection('the CA rejected the request', answer) };
    if (body.type !== 'ip' && body.type !== 'cp' && body.type !== 'kup') {
      throw new CmpProtocolError(`unexpected answer ${body.type} to ${request.type}`);
    }
    const response = this.findResponse(tx, body.content.response);
    tx.certReqId = response.certReqId;
    switch (classifyStatus(response.status, body.type)) {
      case 'rejected':
        return {
          status: 'rejected',
          error: rejectedError('the CA rejected the request', response.status, answer.verified, { unverifiedReason: answer.unverifiedReason }),
        };
      case 'waiting':
        // Like OpenSSL: after the request, ask at once (the pollRep tells how long to wait). A
        // waiting answer to a pollReq names no delay: the caller waits its minimum (checkAfter.ts).
        if (afterPoll) return { status: 'waiting', checkAfterSeconds: 0, reason: response.status.statusString ?? [], state: this.state(tx) };
        return this.poll(tx, request, signal);
      default:
        break;
    }
    const choice = response.certifiedKeyPair?.certOrEncCert;
    if (!choice) throw new CmpProtocolError('the CA granted the request but sent no certificate');
    const certificate = choice.type === 'certificate' ? choice.certificate : await this.decryptCertificate(tx, request, answer, choice.der, signal);
    // Everything about the certificate is decided before it is confirmed: readable, for our key, chained to its roots.
    let split: ReturnType<typeof splitCertificates>;
    try {
      if (!readX509(certificate)) throw new CmpProtocolError('the issued certificate is not a readable X.509 certificate');
      parseCertificate(certificate);
      if (!sameKey(csrPublicKeyDer(request.csr), publicKeyDer(certificate))) {
        throw new CmpProtocolError('the CA returned a certificate for a different public key');
      }
      split = splitCertificates(certificate, {
        extraCerts: answer.message.extraCerts ?? [],
        caPubs: body.content.caPubs ?? [],
        verified: answer.verified,
        knownRoots: this.options.knownRoots,
      });
    } catch (err) {
      if (!(err instanceof CmpProtocolError)) throw err;
      const implicit = tx.implicitConfirm && hasImplicitConfirm(answer.message.header);
      if (!implicit) await this.rejectCertificate(tx, request, certificate, err.message, signal);
      throw new CmpProtocolError(`${err.message}; refused it${implicit ? '' : ' with a rejecting certConf'}`);
    }
    const implicitConfirmGranted = tx.implicitConfirm && hasImplicitConfirm(answer.message.header);
    if (!implicitConfirmGranted) {
      // EdDSA certificates: hashAlg and pvno 3 (RFC 9810 §5.3.18, SPEC §3). OpenSSL before 3.2 cannot
      // parse that form and refuses it; the refusal is reported as the CA's (see the peer test).
      const conf = await this.exchange(tx, request, certConfBody([{ certificate, certReqId: tx.certReqId }]), ['pkiconf'], signal);
      if (conf.message.body.type === 'error') return { status: 'rejected', error: this.errorRejection('the CA refused our certConf', conf) };
    }
    return { status: 'issued', result: { certificate, ...split, implicitConfirmGranted } };
  }

  /**
   * An encrypted certificate (indirect POP): decrypted with the request's key, then checked like a
   * plain one. When that is impossible there is no certificate to hash for a rejecting certConf, so
   * the CA gets an error message instead (RFC 9810 §5.3.21: either side may report an error).
   */
  private async decryptCertificate(
    tx: Transaction,
    request: EnrollmentRequest,
    answer: CheckedResponse,
    encryptedCert: Uint8Array,
    signal: AbortSignal | undefined,
  ): Promise<Uint8Array> {
    try {
      return await decryptCertificate(encryptedCert, request.type === 'p10cr' ? undefined : request.privateKey);
    } catch (err) {
      if (!(err instanceof CmpEncryptedCertificateError)) throw err;
      const implicit = tx.implicitConfirm && hasImplicitConfirm(answer.message.header);
      if (!implicit) {
        const failInfo = ({ noPrivateKey: 'badRequest', unsupported: 'badAlg', undecryptable: 'badDataFormat' } as const)[err.failure];
        try {
          await this.exchange(tx, request, errorBody({ statusString: [err.message], failInfo: [failInfo] }), ['pkiconf'], signal);
        } catch {
          // The refusal is already decided; a failing answer to it is not worth reporting over it.
        }
      }
      throw new CmpEncryptedCertificateError(`${err.message}; refused it${implicit ? '' : ' with an error message'}`, err.failure);
    }
  }

  /** Sends a certConf refusing the certificate; the CA's answer to it changes nothing. */
  private async rejectCertificate(
    tx: Transaction,
    request: EnrollmentRequest,
    certificate: Uint8Array,
    reason: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const body = certConfBody([{ certificate, certReqId: tx.certReqId, reject: { statusString: [reason], failInfo: ['badCertTemplate'] } }]);
    try {
      await this.exchange(tx, request, body, ['pkiconf'], signal);
    } catch {
      // The refusal is already decided; a failing answer to it is not worth reporting over it.
    }
  }
}
