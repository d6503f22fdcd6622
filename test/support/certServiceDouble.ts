// A test double of ONAP CertService's REST API (oom-platform-cert-service
// `CertificationController` + `CertificationExceptionAdvice`), test code only:
//   HTTPS on 127.0.0.1:0 that requires a client certificate (mTLS);
//   GET /actuator/health                         → 200 {"status":"UP"}
//   GET /v1/certificate/{caName}          CSR, PK → 200 {"certificateChain":[leaf, intermediate],"trustedCertificates":[root1, root2]}
//   GET /v1/certificate-update/{caName}   CSR, PK, OLD_CERT, OLD_PK → the same
//   errors as CertService words them: 400 "Wrong certificate signing request (CSR) format",
//   400 "Wrong key (PK) format" (PK must be PKCS#8 PEM, as CertService's converter wants),
//   404 "Certification authority not found for given CAName", 500 for trouble behind it;
//   a missing header gets Spring's default 400 body (no errorMessage).
// It signs the CSR with its own small CA (two roots) — never a canned certificate — records
// every request, and can be scripted to answer the signing endpoints differently or not at all.
import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { certTemplateFromCsr, buildCsr, csrPublicKeyDer, parseSubjectAltName } from '../../src/cmp/csr.js';
import { parseDistinguishedName } from '../../src/cmp/names.js';
import { CertificateAuthority } from '../../src/cmp/server/index.js';
import { orderFromTemplate, renewalOrder } from '../../src/cmp/server/certificateOrder.js';
import { toPem } from '../../src/pki/pem.js';

export interface RecordedRequest {
  method: string;
  path: string;
  /** Header values exactly as received (base64 text), undefined when absent. */
  headers: { CSR?: string; PK?: string; OLD_CERT?: string; OLD_PK?: string };
  /** Subject of the client certificate the TLS handshake presented. */
  clientSubject?: string;
}

/** What the signing endpoints answer instead of signing: a status and body, or no answer at all. */
export type ScriptedAnswer = { status: number; body: string | Record<string, unknown> } | { hang: true };

export interface CertServiceDouble {
  /** https://127.0.0.1:port */
  readonly url: string;
  readonly caName: string;
  /** For the issuer's certSecretRef Secret: client certificate (+chain), its key, and the server's CA. */
  readonly clientTls: { cert: string; key: string; ca: string };
  /** A second client credential from a CA the double does not trust. */
  readonly strangerTls: { cert: string; key: string };
  /** The signing CA's two roots, PEM, in the order trustedCertificates lists them. */
  readonly rootsPem: string[];
  readonly requests: RecordedRequest[];
  /** Answer the signing endpoints with `answer` from now on; undefined goes back to signing. */
  script(answer: ScriptedAnswer | undefined): void;
  /** Status the health endpoint answers (default 200). */
  healthStatus: number;
  stop(): Promise<void>;
}

const SPRING_BAD_REQUEST = (path: string) => ({ timestamp: new Date().toISOString(), status: 400, error: 'Bad Request', path });
const SPRING_NOT_FOUND = (path: string) => ({ timestamp: new Date().toISOString(), status: 404, error: 'Not Found', path });

/** Strict base64 of a PEM text: undefined when the header is not base64 of printable text. */
function decodeHeader(value: string): string | undefined {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length === 0 || bytes.toString('base64') !== value) return undefined;
  return bytes.toString('utf8');
}

function pemBody(text: string, label: string): Buffer | undefined {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(text);
  return match ? Buffer.from(match[1].replace(/\s+/g, ''), 'base64') : undefined;
}

/** CertService's key converter reads PKCS#8 only ("-----BEGIN PRIVATE KEY-----"). */
function pkcs8Key(text: string | undefined): KeyObject | undefined {
  if (text === undefined) return undefined;
  const der = pemBody(text, 'PRIVATE KEY');
  if (!der) return undefined;
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    return undefined;
  }
}

const spki = (key: KeyObject) => createPublicKey(key).export({ format: 'der', type: 'spki' });

/** A TLS credential issued by `ca` (leaf + intermediate chain). */
function tlsCredential(ca: CertificateAuthority, subject: string, sans: string[]): { cert: string; key: string } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const csr = buildCsr({ key: privateKey, subject: parseDistinguishedName(subject), subjectAltNames: sans.map(parseSubjectAltName) });
  const leaf = ca.issue(orderFromTemplate(certTemplateFromCsr(csr)));
  return {
    cert: toPem('CERTIFICATE', leaf) + toPem('CERTIFICATE', ca.intermediate.certificate),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export async function startCertServiceDouble(options: { caName?: string } = {}): Promise<CertServiceDouble> {
  const caName = options.caName ?? 'RA';
  const signing = await CertificateAuthority.open({ roots: 2 });
  const tlsCa = await CertificateAuthority.open({ roots: 1 });
  const strangerCa = await CertificateAuthority.open({ roots: 1 });
  const server = tlsCredential(tlsCa, 'CN=oom-cert-service', ['127.0.0.1', 'localhost']);
  const client = tlsCredential(tlsCa, 'CN=cmpv2-operator', ['cmpv2-operator.example']);
  const stranger = tlsCredential(strangerCa, 'CN=stranger', ['stranger.example']);
  const tlsCaPem = toPem('CERTIFICATE', tlsCa.roots[0]);
  const rootsPem = signing.roots.map((der) => toPem('CERTIFICATE', der));
  const chainTail = toPem('CERTIFICATE', signing.intermediate.certificate);
  const requests: RecordedRequest[] = [];
  let scripted: ScriptedAnswer | undefined;

  /** Signs the request or says why not, in CertService's words and status codes. */
  function certification(path: string, kind: 'certificate' | 'update', headers: RecordedRequest['headers']): { status: number; body: Record<string, unknown> } {
    const required = kind === 'certificate' ? (['CSR', 'PK'] as const) : (['CSR', 'PK', 'OLD_CERT', 'OLD_PK'] as const);
    if (required.some((h) => headers[h] === undefined)) return { status: 400, body: SPRING_BAD_REQUEST(path) };
    const csrText = decodeHeader(headers.CSR!);
    const csrDer = csrText === undefined ? undefined : pemBody(csrText, 'CERTIFICATE REQUEST');
    let template;
    try {
      if (!csrDer) throw new Error('no CSR');
      template = certTemplateFromCsr(new Uint8Array(csrDer));
    } catch {
      return { status: 400, body: { errorMessage: 'Wrong certificate signing request (CSR) format' } };
    }
    const key = pkcs8Key(decodeHeader(headers.PK!));
    if (!key) return { status: 400, body: { errorMessage: 'Wrong key (PK) format' } };
    let oldCertificate: Uint8Array | undefined;
    if (kind === 'update') {
      const oldText = decodeHeader(headers.OLD_CERT!);
      const oldDer = oldText === undefined ? undefined : pemBody(oldText, 'CERTIFICATE');
      try {
        if (!oldDer) throw new Error('no certificate');
        new X509Certificate(oldDer);
        oldCertificate = new Uint8Array(oldDer);
      } catch {
        return { status: 400, body: { errorMessage: 'Wrong certificate format' } };
      }
      const oldKey = pkcs8Key(decodeHeader(headers.OLD_PK!));
      if (!oldKey) return { status: 400, body: { errorMessage: 'Wrong key (PK) format' } };
      if (!spki(oldKey).equals(new X509Certificate(oldDer).publicKey.export({ format: 'der', type: 'spki' }))) {
        return { status: 500, body: { errorMessage: 'CMPv2 server returned following error: the old key does not belong to the old certificate' } };
      }
    }
    const caPath = decodeURIComponent(path.split('/').pop() ?? '');
    if (caPath !== caName) return { status: 404, body: { errorMessage: 'Certification authority not found for given CAName' } };
    // CertService proves possession with PK; a key for another CSR makes the CA refuse (500).
    if (!spki(key).equals(Buffer.from(csrPublicKeyDer(new Uint8Array(csrDer!))))) {
      return { status: 500, body: { errorMessage: 'CMPv2 server returned following error: badPOP' } };
    }
    const order = oldCertificate ? renewalOrder(template, oldCertificate) : orderFromTemplate(template);
    const leaf = signing.issue(order);
    return { status: 200, body: { certificateChain: [toPem('CERTIFICATE', leaf), chainTail], trustedCertificates: rootsPem } };
  }

  const httpsServer = https.createServer({ key: server.key, cert: server.cert, ca: tlsCaPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://double.invalid');
    const header = (name: string) => {
      const value = req.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(',') : value;
    };
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      headers: { CSR: header('CSR'), PK: header('PK'), OLD_CERT: header('OLD_CERT'), OLD_PK: header('OLD_PK') },
      clientSubject: peer?.subject ? `CN=${peer.subject.CN}` : undefined,
    };
    requests.push(recorded);
    const send = (status: number, body: string | Record<string, unknown>) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    };
    const route = /^\/v1\/(certificate|certificate-update)\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && url.pathname === '/actuator/health') {
      send(double.healthStatus, double.healthStatus === 200 ? { status: 'UP' } : { status: 'DOWN' });
      return;
    }
    if (req.method !== 'GET' || !route) {
      send(404, SPRING_NOT_FOUND(url.pathname));
      return;
    }
    if (scripted) {
      if ('hang' in scripted) return; // never answer: the client's timeout must fire
      send(scripted.status, scripted.body);
      return;
    }
    const answer = certification(url.pathname, route[1] === 'certificate' ? 'certificate' : 'update', recorded.headers);
    send(answer.status, answer.body);
  });
  await new Promise<void>((resolve) => httpsServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpsServer.address() as AddressInfo;

  const double: CertServiceDouble = {
    url: `https://127.0.0.1:${port}`,
    caName,
    clientTls: { cert: client.cert, key: client.key, ca: tlsCaPem },
    strangerTls: stranger,
    rootsPem,
    requests,
    healthStatus: 200,
    script(answer) {
      scripted = answer;
    },
    async stop() {
      httpsServer.closeAllConnections();
      await new Promise<void>((resolve) => httpsServer.close(() => resolve()));
    },
  };
  return double;
}
