// The CMP round trip behind each REST call, on our CMP library: one CmpClient per request (its
// HttpTransport carries one transaction), PBM with the server's iak/rv, header.recipient from
// issuerDN, implicitConfirm asked as CertService does. ir (default) / cr with the key from PK as
// proof of possession, or p10cr; on the update endpoint kur signed with the old key or cr.
// What comes back: the chain (leaf first) and the roots the CMP client trusts (SPEC §3),
// de-duplicated; when an answer carries none (p10cr/cr/kur at RFC 9483 CAs), the roots of the
// CA's verified genm answer. Every library error becomes CertService's 500 text.
import { X509Certificate } from 'node:crypto';
import { isSelfSigned, sameBytes } from '../cmp/certificates.js';
import { CmpClient, type EnrollmentRequest, type EnrollmentResult } from '../cmp/client.js';
import { CmpDecodeError, CmpProtocolError, CmpRejectedError, CmpTransportError, type CmpRejection } from '../cmp/errors.js';
import { parseDistinguishedName } from '../cmp/names.js';
import { HttpTransport, type CmpTransport, type HttpTransportOptions } from '../cmp/transport.js';
import { toPem } from '../pki/pem.js';
import type { Cmpv2Server } from './config.js';
import { cmpClientError, cmpServerError, CertServiceAnswerError } from './errors.js';
import type { CertificationRequest, UpdateRequest } from './request.js';
import { updateKind } from './updateDecision.js';

/** CertService's success body. */
export interface CertificationAnswer {
  certificateChain: string[];
  trustedCertificates: string[];
}

export interface CaGatewayOptions {
  /** Whole CMP transaction budget per REST request (each message and the polling), ms. */
  timeoutMs: number;
  /** Injected for tests; default an HttpTransport. */
  transport?: (options: HttpTransportOptions) => CmpTransport;
  /** Called after each CMP transaction with its type, outcome and duration. */
  observe?: (caName: string, type: string, result: 'ok' | 'rejected' | 'error', seconds: number) => void;
}

/** What the CA's own statusString and failInfo say, on one line, marked when its protection did not verify. */
export function rejectionText(rejection: CmpRejection): string {
  const texts = rejection.statusString.map((t) => t.replace(/\s+/g, ' ').trim()).filter((t) => t !== '');
  const fail = rejection.failInfo.length ? ` (failInfo: ${rejection.failInfo.join(', ')})` : '';
  return `${texts.length ? texts.join('; ') : rejection.status}${fail}${rejection.verified ? '' : ' [answer not verified]'}`;
}

/** Library error → CertService's answer. */
export function answerForCmpError(err: unknown): CertServiceAnswerError {
  if (err instanceof CertServiceAnswerError) return err;
  if (err instanceof CmpRejectedError) return cmpServerError(rejectionText(err.rejection), err);
  if (err instanceof CmpTransportError || err instanceof CmpProtocolError || err instanceof CmpDecodeError) return cmpClientError(err.message, err);
  return cmpClientError(err instanceof Error ? err.message : String(err), err);
}

function uniqueDer(list: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const der of list) if (!out.some((d) => sameBytes(d, der))) out.push(der);
  return out;
}

const pem = (der: Uint8Array) => toPem('CERTIFICATE', der);

export class CaGateway {
  /** Self-signed certificates of each CA's verified genm answer, by caName (SPEC §3 rule c). */
  private readonly genmRoots = new Map<string, Uint8Array[]>();
  /** Roots each CA's verified answers named, by caName: the trust for its signed kur answers. */
  private readonly learnedRoots = new Map<string, Uint8Array[]>();

  constructor(private readonly options: CaGatewayOptions) {}

  /** `GET /v1/certificate/{caName}`: ir (default), cr or p10cr as the server is configured. */
  async certify(server: Cmpv2Server, request: CertificationRequest): Promise<CertificationAnswer> {
    const enrolment: EnrollmentRequest =
      server.messageType === 'p10cr'
        ? { type: 'p10cr', csr: request.csrDer }
        : { type: server.messageType, csr: request.csrDer, privateKey: request.privateKey };
    return this.enrol(server, enrolment);
  }

  /** `GET /v1/certificate-update/{caName}`: kur signed with the old key when nothing but the key changes, else cr. */
  async update(server: Cmpv2Server, request: UpdateRequest): Promise<CertificationAnswer> {
    if (updateKind(request.csr, request.oldCertificateDer) === 'cr') {
      return this.enrol(server, { type: 'cr', csr: request.csrDer, privateKey: request.privateKey });
    }
    return this.enrol(server, {
      type: 'kur',
      csr: request.csrDer,
      privateKey: request.privateKey,
      oldCertificate: request.oldCertificateDer,
      oldPrivateKey: request.oldPrivateKey,
    });
  }

  private client(server: Cmpv2Server, trust: { trusted?: Uint8Array[]; knownRoots?: Uint8Array[] }): CmpClient {
    const transportOptions: HttpTransportOptions = {
      url: server.url,
      timeoutMs: this.options.timeoutMs,
      ...(server.tls?.ca !== undefined ? { tlsCa: server.tls.ca } : {}),
      ...(server.tls?.cert !== undefined && server.tls.key !== undefined ? { tlsCert: server.tls.cert, tlsKey: server.tls.key } : {}),
    };
    return new CmpClient({
      transport: (this.options.transport ?? ((o) => new HttpTransport(o)))(transportOptions),
      protection: { type: 'pbm', secret: new Uint8Array(Buffer.from(server.iak, 'utf8')), reference: new Uint8Array(Buffer.from(server.rv, 'utf8')) },
      recipient: parseDistinguishedName(server.issuerDN),
      implicitConfirm: true,
      pollTimeoutMs: this.options.timeoutMs,
      ...(trust.trusted?.length ? { trusted: trust.trusted } : {}),
      ...(trust.knownRoots?.length ? { knownRoots: trust.knownRoots } : {}),
    });
  }

  /** The self-signed certificates of the CA's verified genm answer (cached per caName). */
  private async caRoots(server: Cmpv2Server, signal: AbortSignal): Promise<Uint8Array[]> {
    const known = this.genmRoots.get(server.caName);
    if (known?.length) return known;
    const started = performance.now();
    try {
      const certificates = await this.client(server, {}).getCaCertificates(signal);
      const selfSigned = uniqueDer(certificates.filter((der) => isSelfSigned(der)));
      this.options.observe?.(server.caName, 'genm', 'ok', (performance.now() - started) / 1000);
      if (selfSigned.length) this.genmRoots.set(server.caName, selfSigned);
      return selfSigned;
    } catch (err) {
      this.options.observe?.(server.caName, 'genm', err instanceof CmpRejectedError ? 'rejected' : 'error', (performance.now() - started) / 1000);
      throw err;
    }
  }

  private async enrol(server: Cmpv2Server, request: EnrollmentRequest): Promise<CertificationAnswer> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let result: EnrollmentResult;
    const started = performance.now();
    try {
      // A kur is signed, so its answer is too: it verifies against the CA's roots.
      const trusted = request.type === 'kur' ? (this.learnedRoots.get(server.caName) ?? (await this.caRoots(server, signal))) : undefined;
      result = await this.client(server, { trusted, knownRoots: this.genmRoots.get(server.caName) }).enroll(request, signal);
      this.options.observe?.(server.caName, request.type, 'ok', (performance.now() - started) / 1000);
    } catch (err) {
      this.options.observe?.(server.caName, request.type, err instanceof CmpRejectedError ? 'rejected' : 'error', (performance.now() - started) / 1000);
      if (signal.aborted && err instanceof CmpTransportError) {
        // Our own deadline ended it: say so rather than "aborted".
        throw cmpClientError(`no answer from ${server.url} within ${this.options.timeoutMs} ms`, err);
      }
      throw answerForCmpError(err);
    }
    // SPEC §3: the client's trusted roots; other self-signed extraCerts only when the server opts in.
    let roots = uniqueDer([...result.trustedRoots, ...(server.trustExtraCertsRoots ? result.extraRoots : [])]);
    if (result.trustedRoots.length) this.learnedRoots.set(server.caName, uniqueDer([...(this.learnedRoots.get(server.caName) ?? []), ...result.trustedRoots]));
    // An answer without caPubs (p10cr/cr/kur at RFC 9483 CAs) whose chain stops short of a root: the CA's genm roots.
    if (!roots.length) roots = await this.caRoots(server, signal).catch(() => []);
    return { certificateChain: result.chain.map(pem), trustedCertificates: roots.map(pem) };
  }
}

/** For logs: the subject and serial of the issued leaf. */
export function describeLeaf(answer: CertificationAnswer): { subject: string; serial: string } {
  const leaf = new X509Certificate(answer.certificateChain[0]);
  return { subject: leaf.subject.replace(/\n/g, ', '), serial: leaf.serialNumber };
}
