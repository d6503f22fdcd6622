// The generic CMP server (after OpenSSL's cmp_server): decoding, header checks, protection
// check, transactions and nonces, and turning every failure into a protected `error` message.
// What to answer is the behaviour's business (see enrollment.ts for the development CA).
import type { KeyObject } from 'node:crypto';
import * as pkijs from 'pkijs';
import { decodePBMParameter } from '../asn1/PBMParameter.js';
import { bodyTypeName, type PKIBody } from '../asn1/PKIBody.js';
import { directoryName } from '../asn1/PKIHeader.js';
import { decodePKIMessage, encodePKIMessage, type PKIMessage } from '../asn1/PKIMessage.js';
import { parseCertificate, sameBytes } from '../certificates.js';
import { CmpDecodeError, CmpProtocolError } from '../errors.js';
import { buildHeader, newNonce, newTransactionID } from '../header.js';
import { errorBody } from '../messages.js';
import { protectionType, protectMessage, verifyProtection, type ProtectionCredentials, type VerifiedProtection } from '../protection.js';
import { CaRefusal } from './caRefusal.js';
import { isCanonicalDer } from './strictDer.js';
import { TransactionStore, type PersistedTransactions, type TransactionStoreOptions } from './transactions.js';

/** A request whose decoding, header and protection checks passed. */
export interface CmpRequest {
  message: PKIMessage;
  protection: VerifiedProtection;
  /** transactionID as hex. */
  transactionId: string;
}

/** The behaviour's answer to one request. */
export interface CmpAnswer<S> {
  body: PKIBody;
  /** Grant implicit confirmation in this answer's header. */
  implicitConfirm?: boolean;
  /** What to remember for the next message of the transaction; undefined ends it. */
  state: S | undefined;
}

/** What the server does with checked requests. Throw CaRefusal to answer with an error message. */
export interface CmpBehaviour<S> {
  /** A body that opens a transaction: ir, cr, kur, p10cr, genm. */
  start(request: CmpRequest): CmpAnswer<S>;
  /** certConf or pollReq in an open transaction. */
  continue(request: CmpRequest, state: S): CmpAnswer<S>;
}

export interface CmpServerOptions<S> {
  behaviour: CmpBehaviour<S>;
  /** Shared secret for password-based MAC; PBM-protected requests are refused without one. */
  secret?: Uint8Array;
  /** When set, PBM-protected requests must name it as senderKID (ONAP's reference value). */
  reference?: Uint8Array;
  /** Signature-protected requests are accepted when the signer chains to one of these. */
  trusted: Uint8Array[];
  /** Signs responses that are not PBM-protected; its certificate names the server as sender. */
  signer: { key: KeyObject; certificate: Uint8Array };
  /** Certificates sent in extraCerts of every response (after the signer certificate). */
  extraCerts: Uint8Array[];
  transactions?: TransactionStoreOptions;
  /** Keep open transactions in this file so they survive a restart of the server. */
  persistedTransactions?: PersistedTransactions<S>;
}

const STARTING_BODIES = new Set(['ir', 'cr', 'kur', 'p10cr', 'genm']);
const CONTINUING_BODIES = new Set(['certConf', 'pollReq']);
const ACCEPTED_PVNO = new Set([2, 3]);
/** RFC 9810 asks for 128 random bits; anything beyond 64 bytes is refused. */
const MAX_ID_BYTES = 64;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Who protected a message: the signer certificate, or the PBM senderKID (empty when none). */
function identityOf(message: PKIMessage, protection: VerifiedProtection): string {
  if (protection.type === 'signature') return `signature:${hex(protection.signer ?? new Uint8Array(0))}`;
  return `pbm:${hex(message.header.senderKID ?? new Uint8Array(0))}`;
}

export class CmpServer<S> {
  private readonly transactions: TransactionStore<S>;
  private readonly senderName: pkijs.GeneralName;

  constructor(private readonly options: CmpServerOptions<S>) {
    this.transactions = new TransactionStore<S>(options.transactions, options.persistedTransactions);
    this.senderName = directoryName(parseCertificate(options.signer.certificate).subject);
  }

  /** Answers one DER PKIMessage with a DER PKIMessage. Never throws, whatever the input. */
  async handle(requestDer: Uint8Array): Promise<Uint8Array> {
    let message: PKIMessage;
    try {
      message = decodePKIMessage(requestDer);
    } catch (err) {
      const reason = err instanceof CmpDecodeError ? err.message : 'the request cannot be decoded';
      return this.refuse(undefined, undefined, new CaRefusal('badDataFormat', `malformed request: ${reason}`));
    }
    if (!isCanonicalDer(requestDer)) {
      // Readable, but not DER: refuse before anything (the protection included) looks at it.
      return this.refuse(message, undefined, new CaRefusal('badDataFormat', 'malformed request: not DER-encoded'));
    }
    let verified: VerifiedProtection | undefined;
    try {
      this.checkHeader(message);
      verified = this.checkProtection(message);
      return this.dispatch(message, verified);
    } catch (err) {
      const refusal = err instanceof CaRefusal ? err : new CaRefusal('systemFailure', 'internal error of the CA');
      return this.refuse(message, verified, refusal);
    }
  }

  private checkHeader(message: PKIMessage): void {
    const { header } = message;
    if (!ACCEPTED_PVNO.has(header.pvno)) {
      throw new CaRefusal('unsupportedVersion', `pvno ${header.pvno} is not supported; send 2 (cmp2000)`);
    }
    if (!header.transactionID?.byteLength) throw new CaRefusal('badRequest', 'the request has no transactionID');
    if (header.transactionID.byteLength > MAX_ID_BYTES) {
      // Transactions are kept by id: a bounded id keeps their memory bounded too.
      throw new CaRefusal('badRequest', `a transactionID of ${header.transactionID.byteLength} bytes is too long (at most ${MAX_ID_BYTES})`);
    }
    if (!header.senderNonce?.byteLength) throw new CaRefusal('badSenderNonce', 'the request has no senderNonce');
  }

  private checkProtection(message: PKIMessage): VerifiedProtection {
    const type = protectionType(message);
    if (type === 'none') throw new CaRefusal('badMessageCheck', 'the request is not protected');
    if (type === 'pbm') {
      if (!this.options.secret) {
        throw new CaRefusal('wrongIntegrity', 'this CA accepts no password-based MAC; sign the request');
      }
      const { reference } = this.options;
      if (reference && !(message.header.senderKID && sameBytes(message.header.senderKID, reference))) {
        throw new CaRefusal('badMessageCheck', 'the senderKID does not name a reference value this CA knows');
      }
    }
    try {
      return verifyProtection(message, { secret: this.options.secret, trusted: this.options.trusted });
    } catch (err) {
      if (err instanceof CmpProtocolError) {
        throw new CaRefusal(type === 'pbm' ? 'badMessageCheck' : 'signerNotTrusted', `protection check failed: ${err.message}`);
      }
      throw err;
    }
  }

  private dispatch(message: PKIMessage, protection: VerifiedProtection): Uint8Array {
    const type = bodyTypeName(message.body);
    const transactionId = hex(message.header.transactionID as Uint8Array);
    const request: CmpRequest = { message, protection, transactionId };
    const open = this.transactions.get(transactionId);
    let answer: CmpAnswer<S>;
    if (STARTING_BODIES.has(type)) {
      if (open) throw new CaRefusal('transactionIdInUse', 'this transactionID is already in use; start with a fresh one');
      answer = this.startTransaction(request);
    } else if (CONTINUING_BODIES.has(type) || type === 'error') {
      if (!open || open.state === undefined) {
        throw new CaRefusal('badRequest', `${type} for an unknown or finished transaction`);
      }
      if (open.protection !== protection.type || (open.identity !== undefined && open.identity !== identityOf(message, protection))) {
        throw new CaRefusal('badMessageCheck', 'the message is not protected by the same client as the request that opened the transaction');
      }
      if (!message.header.recipNonce || !sameBytes(message.header.recipNonce, open.lastNonce)) {
        this.end(transactionId, open.protection);
        throw new CaRefusal('badRecipientNonce', 'recipNonce does not echo the senderNonce of our last message');
      }
      if (type === 'error') {
        // RFC 9483 §3.6.4: an error from the client ends the transaction; acknowledge it.
        answer = { body: { type: 'pkiconf' }, state: undefined };
      } else {
        try {
          answer = this.options.behaviour.continue(request, open.state);
        } catch (err) {
          this.end(transactionId, open.protection);
          throw err;
        }
      }
    } else {
      throw new CaRefusal('badRequest', `the body type ${type} is not supported by this CA`);
    }
    const response = this.respond(message, protection, answer.body, answer.implicitConfirm ?? false);
    this.transactions.save(transactionId, {
      lastNonce: response.header.senderNonce as Uint8Array,
      protection: protection.type,
      identity: open?.identity ?? identityOf(message, protection),
      state: answer.state,
    });
    return encodePKIMessage(response);
  }

  private startTransaction(request: CmpRequest): CmpAnswer<S> {
    try {
      return this.options.behaviour.start(request);
    } catch (err) {
      // Keep the id as finished, so a retry with the same transactionID is told to start afresh.
      this.end(request.transactionId, request.protection.type);
      throw err;
    }
  }

  private end(transactionId: string, protection: 'pbm' | 'signature'): void {
    this.transactions.save(transactionId, { lastNonce: new Uint8Array(0), protection, state: undefined });
  }

  /** Header, protection and extraCerts of an answer to `request`. */
  private respond(request: PKIMessage | undefined, verified: VerifiedProtection | undefined, body: PKIBody, implicitConfirm: boolean): PKIMessage {
    const header = buildHeader({
      sender: this.senderName,
      ...(request ? { recipient: request.header.sender } : {}),
      transactionID: request?.header.transactionID ?? newTransactionID(),
      senderNonce: newNonce(),
      ...(request?.header.senderNonce ? { recipNonce: request.header.senderNonce } : {}),
      implicitConfirm,
    });
    // Answer a cmp2021 request in cmp2021.
    if (request?.header.pvno === 3) header.pvno = 3;
    return protectMessage({ header, body, extraCerts: this.options.extraCerts }, this.credentialsFor(request, verified));
  }

  /** PBM with the shared secret when the request's PBM verified, else our signature. */
  private credentialsFor(request: PKIMessage | undefined, verified: VerifiedProtection | undefined): ProtectionCredentials {
    if (verified?.type === 'pbm' && request && this.options.secret) {
      // Answer in the client's own PBM algorithms and iteration count (already bounds-checked).
      const parameter = decodePBMParameter(request.header.protectionAlg?.algorithmParams);
      return {
        type: 'pbm',
        secret: this.options.secret,
        ...(request.header.senderKID ? { reference: request.header.senderKID } : {}),
        pbm: { owf: parameter.owf.algorithmId, mac: parameter.mac.algorithmId, iterationCount: parameter.iterationCount },
      };
    }
    return { type: 'signature', key: this.options.signer.key, certificate: this.options.signer.certificate };
  }

  private refuse(request: PKIMessage | undefined, verified: VerifiedProtection | undefined, refusal: CaRefusal): Uint8Array {
    const body = errorBody({ statusString: [refusal.message], failInfo: [refusal.failInfo] });
    try {
      return encodePKIMessage(this.respond(request, verified, body, false));
    } catch {
      // The request's header could not be echoed (e.g. an unencodable sender): answer without it.
      return encodePKIMessage(this.respond(undefined, undefined, body, false));
    }
  }
}
