// An in-process CMP responder for client unit tests, scripted like OpenSSL's mock server (wait N
// times, grant implicit confirmation, reject, answer an error, return a certificate for another key)
// plus faults a real CA would not make on purpose (wrong nonce, transactionID, pvno, protection).
// Unlike OpenSSL's mock it keeps transactions by transactionID, independent of connections, and it
// issues a certificate for the key that was asked for, and can return it encrypted (a real
// EnvelopedData made with PKI.js: OpenSSL 3.0's mock server cannot encrypt certificates).
import { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { type CertRepMessage } from '../../src/cmp/asn1/CertRepMessage.js';
import { toDer } from '../../src/cmp/asn1/der.js';
import { type PKIBody } from '../../src/cmp/asn1/PKIBody.js';
import { decodePKIMessage, encodePKIMessage, type PKIMessage } from '../../src/cmp/asn1/PKIMessage.js';
import { type PKIStatusInfo } from '../../src/cmp/asn1/PKIStatusInfo.js';
import { buildHeader, hasImplicitConfirm, newNonce } from '../../src/cmp/header.js';
import { errorBody, genpCaCertsBody, issuedCertResponse, pkiconfBody, pollRepBody } from '../../src/cmp/messages.js';
import { protectMessage, verifyProtection } from '../../src/cmp/protection.js';
import type { CmpTransport } from '../../src/cmp/transport.js';
import { type KeyPair, makeCertificate, makeKey } from './fixtures.js';

export interface Script {
  waitCount?: number;
  checkAfter?: number;
  grantImplicitConfirm?: boolean;
  reject?: PKIStatusInfo;
  sendError?: boolean;
  wrongKey?: boolean;
  errorOnCertConf?: boolean;
  unprotected?: boolean;
  wrongSecret?: boolean;
  /** Changes the answer's header after it is built, before protection. */
  tamperHeader?: (header: PKIMessage['header']) => void;
  /** Replaces the answer's body. */
  replaceBody?: PKIBody;
  /** Raw bytes to answer instead of a message. */
  rawAnswer?: Uint8Array;
  /** Answers every pollReq with a certificate response whose status is waiting (no checkAfter at all). */
  waitForever?: boolean;
  /** Changes one byte inside the issued certificate's signature algorithm, so X.509 readers refuse it. */
  damageCertificate?: boolean;
  /** caPubs to send instead of [root1]. */
  caPubs?: Uint8Array[];
  /** Issue through an Ed25519 intermediate (a certificate whose signature has no hash of its own). */
  ed25519Issuer?: boolean;
  /**
   * Return the certificate encrypted (CertOrEncCert.encryptedCert): a real EnvelopedData made with
   * PKI.js for the requested key (RSA: key transport RSAES-OAEP SHA-256; EC: ECDH key agreement),
   * AES-256-CBC, as [0] IMPLICIT (`explicit`: wrapped EXPLICIT instead); or an EncryptedValue-shaped
   * SEQUENCE. `recipient` encrypts for another key than the requested one. `external`: the DER of the
   * whole CertOrEncCert comes from `encode` (a peer such as BouncyCastle).
   */
  encryptCertificate?:
    | { form: 'envelopedData' | 'explicit' | 'encryptedValue'; recipient?: KeyPair }
    | { form: 'external'; encode: (certificate: Uint8Array, recipientSpki: Uint8Array) => Promise<Uint8Array> };
}

const ENGINE = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'] });

interface Transaction {
  request: PKIMessage;
  polls: number;
}

export class ScriptedCa {
  readonly secret = new TextEncoder().encode('scripted-secret');
  readonly root1Key = makeKey('ec');
  readonly root1 = makeCertificate({ subject: 'CN=Scripted Root 1', key: this.root1Key, ca: true });
  readonly root2 = makeCertificate({ subject: 'CN=Scripted Root 2', key: makeKey('ec'), ca: true });
  readonly intermediateKey = makeKey('ec');
  readonly intermediate = makeCertificate({
    subject: 'CN=Scripted Intermediate',
    key: this.intermediateKey,
    issuer: { certificate: this.root1, key: this.root1Key },
    ca: true,
  });
  readonly edIntermediateKey = makeKey('ed25519');
  readonly edIntermediate = makeCertificate({
    subject: 'CN=Scripted Ed25519 Intermediate',
    key: this.edIntermediateKey,
    issuer: { certificate: this.root1, key: this.root1Key },
    ca: true,
  });
  readonly received: PKIMessage[] = [];
  script: Script = {};
  private readonly transactions = new Map<string, Transaction>();

  /** A transport into this CA (each call gives a new, independent one). */
  transport(): CmpTransport {
    return { send: async (bytes) => this.handle(bytes) };
  }

  private issue(spki: Uint8Array): Uint8Array {
    const issuerKey = this.script.ed25519Issuer ? this.edIntermediateKey : this.intermediateKey;
    const issuerCert = this.script.ed25519Issuer ? this.edIntermediate : this.intermediate;
    const key: KeyPair = { spki, privateKey: issuerKey.privateKey, publicKey: issuerKey.publicKey };
    const der = makeCertificate({ subject: 'CN=scripted-leaf', key, issuer: { certificate: issuerCert, key: issuerKey } });
    if (this.script.damageCertificate) {
      // TBSCertificate's version [0] tag (A0 03 02 01 02) becomes A1: a well-formed outer SEQUENCE no reader accepts.
      const at = Buffer.from(der).indexOf(Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02]));
      der[at] = 0xa1;
    }
    return der;
  }

  private requestedKey(request: PKIMessage): Uint8Array {
    const body = request.body;
    if (body.type === 'p10cr') return toDer(pkijs.CertificationRequest.fromBER(body.csr).subjectPublicKeyInfo.toSchema());
    if (body.type === 'ir' || body.type === 'cr' || body.type === 'kur') return toDer(body.content[0].certReq.certTemplate.publicKey!.toSchema());
    throw new Error('not a certificate request');
  }

  private certRep(request: PKIMessage): PKIBody {
    const type = ({ ir: 'ip', cr: 'cp', p10cr: 'cp', kur: 'kup' } as const)[request.body.type as 'ir'];
    const certReqId = request.body.type === 'p10cr' ? -1 : 0;
    const spki = this.script.wrongKey ? makeKey('ec').spki : this.requestedKey(request);
    const content: CertRepMessage = this.script.reject
      ? { response: [{ certReqId, status: this.script.reject }] }
      : { caPubs: this.script.caPubs ?? [this.root1], response: [issuedCertResponse(certReqId, this.issue(spki))] };
    return { type, content };
  }

  private answerBody(request: PKIMessage): PKIBody {
    const key = Buffer.from(request.header.transactionID!).toString('hex');
    if (this.script.sendError) return errorBody({ statusString: ['scripted error'], failInfo: ['badRequest'], errorDetails: ['details'] });
    switch (request.body.type) {
      case 'ir':
      case 'cr':
      case 'p10cr':
      case 'kur': {
        this.transactions.set(key, { request, polls: 0 });
        if (this.script.waitCount) {
          return {
            type: ({ ir: 'ip', cr: 'cp', p10cr: 'cp', kur: 'kup' } as const)[request.body.type],
            content: { response: [{ certReqId: 0, status: { status: 'waiting' } }] },
          };
        }
        return this.certRep(request);
      }
      case 'pollReq': {
        const tx = this.transactions.get(key);
        if (!tx) return errorBody({ statusString: ['unknown transaction'], failInfo: ['badRequest'] });
        tx.polls += 1;
        if (this.script.waitForever) {
          return { type: 'ip', content: { response: [{ certReqId: 0, status: { status: 'waiting' } }] } };
        }
        if (tx.polls < (this.script.waitCount ?? 0)) return pollRepBody([{ certReqId: 0, checkAfter: this.script.checkAfter ?? 1, reason: ['busy'] }]);
        return this.certRep(tx.request);
      }
      case 'certConf':
        return this.script.errorOnCertConf ? errorBody({ statusString: ['certConf refused'], failInfo: ['badCertId'] }) : pkiconfBody();
      case 'genm':
        return genpCaCertsBody([this.root1, this.root2]);
      default:
        return errorBody({ statusString: ['unsupported'], failInfo: ['badRequest'] });
    }
  }

  /** Replaces a granted certificate by its encrypted form (Script.encryptCertificate). */
  private async encrypt(request: PKIMessage, body: PKIBody): Promise<PKIBody> {
    const how = this.script.encryptCertificate;
    if (!how || (body.type !== 'ip' && body.type !== 'cp' && body.type !== 'kup')) return body;
    const response = body.content.response[0];
    const choice = response?.certifiedKeyPair?.certOrEncCert;
    if (choice?.type !== 'certificate') return body;
    let inner: asn1js.BaseBlock;
    if (how.form === 'external') {
      const der = await how.encode(choice.certificate, this.requestedKey(request));
      const encrypted = { ...response, certifiedKeyPair: { certOrEncCert: { type: 'encryptedCert' as const, der } } };
      return { type: body.type, content: { ...body.content, response: [encrypted, ...body.content.response.slice(1)] } };
    } else if (how.form === 'encryptedValue') {
      inner = new asn1js.Sequence({ value: [new asn1js.BitString({ valueHex: new Uint8Array(16) })] });
    } else {
      // The recipient is the issued certificate's issuer and serial with the requested (or scripted) key.
      const recipient = pkijs.Certificate.fromBER(choice.certificate);
      recipient.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(how.recipient?.spki ?? this.requestedKey(request));
      const rsa = recipient.subjectPublicKeyInfo.algorithm.algorithmId === '1.2.840.113549.1.1.1';
      const enveloped = new pkijs.EnvelopedData();
      enveloped.addRecipientByCertificate(recipient, { oaepHashAlgorithm: 'SHA-256' }, rsa ? 1 : 2, ENGINE);
      await enveloped.encrypt({ name: 'AES-CBC', length: 256 } as Parameters<pkijs.EnvelopedData['encrypt']>[0], choice.certificate.slice().buffer, ENGINE);
      const sequence = enveloped.toSchema();
      inner =
        how.form === 'explicit'
          ? new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [sequence] })
          : new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: sequence.valueBlock.value });
    }
    const der = toDer(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: [inner] }));
    const encrypted = { ...response, certifiedKeyPair: { certOrEncCert: { type: 'encryptedCert' as const, der } } };
    return { type: body.type, content: { ...body.content, response: [encrypted, ...body.content.response.slice(1)] } };
  }

  private async handle(bytes: Uint8Array): Promise<Uint8Array> {
    if (this.script.rawAnswer) return this.script.rawAnswer;
    const request = decodePKIMessage(bytes);
    this.received.push(request);
    verifyProtection(request, { secret: this.secret, trusted: [this.root1] });
    const header = buildHeader({
      transactionID: request.header.transactionID!,
      senderNonce: newNonce(),
      recipNonce: request.header.senderNonce,
      implicitConfirm: this.script.grantImplicitConfirm && hasImplicitConfirm(request.header),
    });
    this.script.tamperHeader?.(header);
    const body = this.script.replaceBody ?? (await this.encrypt(request, this.answerBody(request)));
    const extraCerts = [this.script.ed25519Issuer ? this.edIntermediate : this.intermediate, this.root2];
    if (this.script.unprotected) return encodePKIMessage({ header, body, extraCerts });
    const secret = this.script.wrongSecret ? new TextEncoder().encode('other') : this.secret;
    return encodePKIMessage(protectMessage({ header, body, extraCerts }, { type: 'pbm', secret }));
  }
}
