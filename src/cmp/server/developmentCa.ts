// The development CA as one object: CA core + CMP server + optional HTTP(S) listener. This is the
// programmatic API the tests, the demo and `cmpv2-operator test-ca` use.
import { toPem } from '../../pki/pem.js';
import { CertificateAuthority } from './ca.js';
import { CmpServer } from './cmpServer.js';
import path from 'node:path';
import { EnrolmentLog, type EnrolmentRecord } from './enrolmentLog.js';
import { EnrollmentBehaviour, enrollmentStateCodec, type EnrollmentStats } from './enrollment.js';
import { listenForCmp, type HttpListener } from './httpListener.js';

export interface DevelopmentCaOptions {
  /** Listen on this port (0 = pick one); no HTTP listener at all when undefined. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Shared secret for password-based MAC (UTF-8); PBM requests are refused without one. */
  secret?: string;
  /** Reference value PBM requests must send as senderKID; any when absent. */
  reference?: string;
  /** Number of self-signed roots (default 2). */
  roots?: number;
  /**
   * Keep the CA keys and certificates here (created once, reused), append every issued
   * certificate to enrolments.jsonl and keep open transactions in transactions.json, so a
   * restarted CA resumes them; in memory when absent.
   */
  stateDir?: string;
  /** PEM certificate (chain) and key for HTTPS; `clientCa` (PEM) makes a client certificate it issued mandatory (mTLS). */
  tls?: { cert: string | Buffer; key: string | Buffer; clientCa?: string | Buffer };
  /** Leave caPubs out of cp and kup answers (ip keeps them). */
  noCaPubs?: boolean;
  /** Answer `waiting` this many times before the certificate. */
  poll?: number;
  /** checkAfter seconds in waiting answers (default 1). */
  checkAfterSeconds?: number;
  /** Largest HTTP body accepted (default 256 KiB). */
  maxBodyBytes?: number;
  /** Issue CA certificates (basicConstraints cA=TRUE) when asked; refused (badCertTemplate) by default. */
  allowCa?: boolean;
  /** Longest validity issued, in days (default 825); longer requests are shortened to it. */
  maxValidityDays?: number;
}

export interface DevelopmentCa {
  /** `http(s)://host:port/.well-known/cmp` when listening, else undefined. */
  url: string | undefined;
  /** DER of every root; also in caPubs of every certificate answer. */
  roots: Uint8Array[];
  /** DER of the issuing intermediate; also in extraCerts of every answer. */
  intermediate: Uint8Array;
  /** PEM of the roots, for `openssl verify -CAfile` and trust bundles. */
  rootsPem: string;
  intermediatePem: string;
  /** Answers one DER PKIMessage in-process (a CmpTransport's `send`). */
  handle(request: Uint8Array): Promise<Uint8Array>;
  stats: EnrollmentStats;
  /** Every certificate issued since this CA started (the state dir's enrolments.jsonl holds earlier runs too). */
  enrolments(): readonly EnrolmentRecord[];
  /** Stops the listener (if any). */
  stop(): Promise<void>;
}

/** Open transactions of a CA with a state dir (see transactions.ts). */
export const TRANSACTIONS_FILE = 'transactions.json';

const pem = (der: Uint8Array) => toPem('CERTIFICATE', der);

export async function startDevelopmentCa(options: DevelopmentCaOptions = {}): Promise<DevelopmentCa> {
  const ca = await CertificateAuthority.open({
    roots: options.roots,
    stateDir: options.stateDir,
    policy: {
      ...(options.allowCa !== undefined ? { allowCa: options.allowCa } : {}),
      ...(options.maxValidityDays !== undefined ? { maxValidityMs: options.maxValidityDays * 24 * 3600 * 1000 } : {}),
    },
  });
  const log = new EnrolmentLog(options.stateDir);
  const behaviour = new EnrollmentBehaviour(ca, { poll: options.poll, checkAfterSeconds: options.checkAfterSeconds, noCaPubs: options.noCaPubs, log });
  const server = new CmpServer({
    behaviour,
    ...(options.secret !== undefined ? { secret: new Uint8Array(Buffer.from(options.secret, 'utf8')) } : {}),
    ...(options.reference !== undefined ? { reference: new Uint8Array(Buffer.from(options.reference, 'utf8')) } : {}),
    // The intermediate is trusted directly: everything it issued can sign requests (ir, cr, kur).
    trusted: [...ca.roots, ca.intermediate.certificate],
    signer: { key: ca.intermediate.key, certificate: ca.intermediate.certificate },
    extraCerts: [ca.intermediate.certificate],
    ...(options.stateDir !== undefined ? { persistedTransactions: { file: path.join(options.stateDir, TRANSACTIONS_FILE), codec: enrollmentStateCodec } } : {}),
  });
  const handle = (request: Uint8Array) => server.handle(request);
  let listener: HttpListener | undefined;
  if (options.port !== undefined) {
    listener = await listenForCmp(handle, {
      host: options.host ?? '127.0.0.1',
      port: options.port,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    });
  }
  return {
    url: listener ? `${listener.origin}/.well-known/cmp` : undefined,
    roots: ca.roots,
    intermediate: ca.intermediate.certificate,
    rootsPem: ca.roots.map(pem).join(''),
    intermediatePem: pem(ca.intermediate.certificate),
    handle,
    stats: behaviour.stats,
    enrolments: () => log.list(),
    stop: async () => {
      await listener?.close();
    },
  };
}
