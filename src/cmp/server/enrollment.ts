// The development CA's behaviour on top of the generic CMP server: p10cr, ir, cr and kur issue
// a certificate for what was asked (after checking the proof-of-possession), optionally after
// `poll` waiting answers; certConf (for the certReqId we answered, its certHash with the hashAlg
// it names) is answered with pkiconf; genm returns the CA certificates. p10cr is answered with
// certReqId -1 (RFC 9483 §4.1.4); caPubs in cp/kup can be left out, as OpenSSL's server does.
import * as z from 'zod';
import type { CertReqMsg } from '../asn1/CertReqMessages.js';
import { ID_REG_CTRL_OLD_CERT_ID } from '../asn1/AttributeTypeAndValue.js';
import { decodeCertIdDer } from '../asn1/CertId.js';
import { ID_IT_CA_CERTS } from '../asn1/InfoTypeAndValue.js';
import type { PKIBody } from '../asn1/PKIBody.js';
import { parseCertificate, sameBytes } from '../certificates.js';
import { certTemplateFromCsr } from '../csr.js';
import { CmpDecodeError, CmpProtocolError } from '../errors.js';
import { hasImplicitConfirm } from '../header.js';
import { certResponseBody, expectedCertHash, genpCaCertsBody, issuedCertResponse, pkiconfBody, pollRepBody } from '../messages.js';
import type { CertificateAuthority } from './ca.js';
import { CaRefusal } from './caRefusal.js';
import { orderFromTemplate, renewalOrder, templatePublicKey } from './certificateOrder.js';
import type { CmpAnswer, CmpBehaviour, CmpRequest } from './cmpServer.js';
import { checkProofOfPossession } from './proofOfPossession.js';
import type { EnrolmentLog } from './enrolmentLog.js';
import type { StateCodec } from './transactions.js';

/** Where an enrollment transaction stands between messages. */
export interface EnrollmentState {
  phase: 'polling' | 'confirming';
  responseType: 'ip' | 'cp' | 'kup';
  certReqId: number;
  certificate: Uint8Array;
  /** pollRep answers still to give before the certificate is released. */
  pollsLeft: number;
  /** The client asked for implicit confirmation, and we grant it. */
  implicitConfirm: boolean;
}

export interface EnrollmentOptions {
  /** Answer `waiting` this many times before releasing the certificate (default 0). */
  poll?: number;
  /** checkAfter of the waiting answers, in seconds (default 1). */
  checkAfterSeconds?: number;
  /** Leave caPubs out of cp and kup (ip keeps them), like OpenSSL's and RFC 9483 servers. Default false. */
  noCaPubs?: boolean;
  /** Every issued certificate is recorded here (in memory, and in the state dir when it has one). */
  log?: EnrolmentLog;
}

const enrollmentStateSchema = z.object({
  phase: z.enum(['polling', 'confirming']),
  responseType: z.enum(['ip', 'cp', 'kup']),
  certReqId: z.number().int(),
  /** base64 DER */
  certificate: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/),
  pollsLeft: z.number().int().min(0),
  implicitConfirm: z.boolean(),
});

/** How an open enrollment is written to the CA's state dir, so it survives a restart. */
export const enrollmentStateCodec: StateCodec<EnrollmentState> = {
  encode: (state) => ({ ...state, certificate: Buffer.from(state.certificate).toString('base64') }),
  decode: (value) => {
    const parsed = enrollmentStateSchema.parse(value);
    return { ...parsed, certificate: new Uint8Array(Buffer.from(parsed.certificate, 'base64')) };
  },
};

/** Counts the tests read, e.g. to assert that a resumed transaction enrolled only once. */
export interface EnrollmentStats {
  /** Certificates issued, in total and per transactionID (hex). */
  enrollments: number;
  enrollmentsByTransaction: Map<string, number>;
  /** Requests that passed the checks, by body type. */
  requests: Map<string, number>;
  /** certConf messages that rejected the certificate. */
  rejectedByClient: number;
}

const RESPONSE_TYPE = { ir: 'ip', cr: 'cp', p10cr: 'cp', kur: 'kup' } as const;

export class EnrollmentBehaviour implements CmpBehaviour<EnrollmentState> {
  readonly stats: EnrollmentStats = {
    enrollments: 0,
    enrollmentsByTransaction: new Map(),
    requests: new Map(),
    rejectedByClient: 0,
  };
  private readonly poll: number;
  private readonly checkAfterSeconds: number;
  private readonly noCaPubs: boolean;
  private readonly log: EnrolmentLog | undefined;

  constructor(
    private readonly ca: CertificateAuthority,
    options: EnrollmentOptions = {},
  ) {
    this.poll = options.poll ?? 0;
    this.checkAfterSeconds = options.checkAfterSeconds ?? 1;
    this.noCaPubs = options.noCaPubs ?? false;
    this.log = options.log;
  }

  start(request: CmpRequest): CmpAnswer<EnrollmentState> {
    const { body } = request.message;
    this.count(body.type);
    switch (body.type) {
      case 'p10cr':
        return this.enroll(request, 'p10cr', -1, this.issueForCsr(body.csr));
      case 'ir':
      case 'cr':
      case 'kur': {
        const message = onlyRequest(body.content);
        // RFC 9483 §4.1.1: one request per message, certReqId 0.
        if (message.certReq.certReqId !== 0) throw new CaRefusal('badRequest', `certReqId must be 0, got ${message.certReq.certReqId}`);
        return this.enroll(request, body.type, message.certReq.certReqId, this.issueForCrmf(request, body.type, message));
      }
      case 'genm':
        return { body: this.generalResponse(body.content.map((item) => item.infoType)), state: undefined };
      default:
        throw new CaRefusal('badRequest', `the body type ${body.type} does not start a transaction`);
    }
  }

  continue(request: CmpRequest, state: EnrollmentState): CmpAnswer<EnrollmentState> {
    const { body } = request.message;
    this.count(body.type);
    if (body.type === 'pollReq') {
      if (state.phase !== 'polling') throw new CaRefusal('badRequest', 'nothing to poll for: the certificate was already sent');
      if (!body.content.some((entry) => entry.certReqId === state.certReqId)) {
        throw new CaRefusal('badRequest', `pollReq names no certReqId ${state.certReqId}`);
      }
      if (state.pollsLeft > 0) {
        return {
          body: pollRepBody([{ certReqId: state.certReqId, checkAfter: this.checkAfterSeconds, reason: ['the certificate is not ready yet'] }]),
          state: { ...state, pollsLeft: state.pollsLeft - 1 },
        };
      }
      return this.release(state);
    }
    if (body.type === 'certConf') {
      if (state.phase !== 'confirming') throw new CaRefusal('badRequest', 'certConf before the certificate was sent');
      if (body.content.length !== 1) throw new CaRefusal('badCertId', 'certConf must confirm exactly the one certificate issued');
      const status = body.content[0];
      if (status.certReqId !== state.certReqId) {
        throw new CaRefusal('badCertId', `certConf names certReqId ${status.certReqId}, the certificate was answered as ${state.certReqId}`);
      }
      const expected = expectedCertHash(state.certificate, status.hashAlg);
      if (!expected) throw new CaRefusal('badAlg', `certConf hashAlg ${status.hashAlg?.algorithmId ?? ''} is not supported`);
      if (!sameBytes(status.certHash, expected)) {
        throw new CaRefusal('badCertId', 'certConf certHash does not match the certificate we issued');
      }
      if (status.statusInfo && status.statusInfo.status === 'rejection') this.stats.rejectedByClient += 1;
      return { body: pkiconfBody(), state: undefined };
    }
    throw new CaRefusal('badRequest', `${body.type} is not expected in this transaction`);
  }

  private count(type: string): void {
    this.stats.requests.set(type, (this.stats.requests.get(type) ?? 0) + 1);
  }

  private issueForCsr(csr: Uint8Array): Uint8Array {
    let template;
    try {
      template = certTemplateFromCsr(csr);
    } catch (err) {
      if (err instanceof CmpProtocolError) throw new CaRefusal('badPOP', 'the CSR self-signature does not verify');
      if (err instanceof CmpDecodeError) throw new CaRefusal('badDataFormat', `the CSR cannot be read: ${err.message}`);
      throw err;
    }
    return this.ca.issue(orderFromTemplate(template));
  }

  private issueForCrmf(request: CmpRequest, type: 'ir' | 'cr' | 'kur', message: CertReqMsg): Uint8Array {
    const template = message.certReq.certTemplate;
    checkProofOfPossession(message, templatePublicKey(template));
    if (type !== 'kur') return this.ca.issue(orderFromTemplate(template));
    const old = this.certificateBeingUpdated(request, message);
    return this.ca.issue(renewalOrder(template, old));
  }

  /** kur: signed with the key of a certificate we issued, which oldCertID (if sent) must name. */
  private certificateBeingUpdated(request: CmpRequest, message: CertReqMsg): Uint8Array {
    const signer = request.protection.signer;
    if (request.protection.type !== 'signature' || !signer) {
      throw new CaRefusal('notAuthorized', 'a kur must be signed with the key of the certificate being updated');
    }
    if (!this.ca.issued(signer)) throw new CaRefusal('signerNotTrusted', 'the kur signer is not a certificate this CA issued');
    const control = message.certReq.controls?.find((c) => c.type === ID_REG_CTRL_OLD_CERT_ID);
    if (control) {
      let id;
      try {
        id = decodeCertIdDer(control.value);
      } catch {
        throw new CaRefusal('badDataFormat', 'the oldCertID control cannot be read');
      }
      const old = parseCertificate(signer);
      const sameSerial = sameBytes(id.serialNumber, new Uint8Array(old.serialNumber.valueBlock.valueHexView));
      const sameIssuer = id.issuer.type === 4 && old.issuer.isEqual(id.issuer.value);
      if (!sameSerial || !sameIssuer) {
        throw new CaRefusal('badCertId', 'oldCertID does not name the certificate that signed the kur');
      }
    }
    return signer;
  }

  private enroll(request: CmpRequest, type: 'ir' | 'cr' | 'kur' | 'p10cr', certReqId: number, certificate: Uint8Array): CmpAnswer<EnrollmentState> {
    this.stats.enrollments += 1;
    this.stats.enrollmentsByTransaction.set(request.transactionId, (this.stats.enrollmentsByTransaction.get(request.transactionId) ?? 0) + 1);
    // Before the answer is built and sent: a CA killed after answering has it on disk.
    this.log?.add(certificate, request.transactionId, type, certReqId);
    const state: EnrollmentState = {
      phase: 'polling',
      responseType: RESPONSE_TYPE[type],
      certReqId,
      certificate,
      pollsLeft: Math.max(0, this.poll - 1),
      implicitConfirm: hasImplicitConfirm(request.message.header),
    };
    if (this.poll > 0) {
      return {
        body: certResponseBody(state.responseType, { response: [{ certReqId, status: { status: 'waiting' } }] }),
        state,
      };
    }
    return this.release(state);
  }

  /** The certificate answer: leaf in the response, every root in caPubs (not in cp/kup with noCaPubs). */
  private release(state: EnrollmentState): CmpAnswer<EnrollmentState> {
    const withCaPubs = !this.noCaPubs || state.responseType === 'ip';
    const body: PKIBody = certResponseBody(state.responseType, {
      ...(withCaPubs ? { caPubs: this.ca.roots } : {}),
      response: [issuedCertResponse(state.certReqId, state.certificate)],
    });
    if (state.implicitConfirm) return { body, implicitConfirm: true, state: undefined };
    return { body, state: { ...state, phase: 'confirming' } };
  }

  /** genp: the CA certificates (intermediate, then roots) for caCerts or an empty genm. */
  private generalResponse(infoTypes: string[]): PKIBody {
    const certificates = [this.ca.intermediate.certificate, ...this.ca.roots];
    if (infoTypes.length === 0 || infoTypes.includes(ID_IT_CA_CERTS)) return genpCaCertsBody(certificates);
    return { type: 'genp', content: [] };
  }
}

function onlyRequest(messages: CertReqMsg[]): CertReqMsg {
  if (messages.length !== 1) {
    throw new CaRefusal('badRequest', `this CA handles one certificate request per message, got ${messages.length}`);
  }
  return messages[0];
}
