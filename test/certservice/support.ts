// Test material for the CertService server: TLS credentials from a small CA of their own (server
// for 127.0.0.1, a client, a stranger the server does not trust), ONAP-client-style CSRs
// (SHA1withRSA, reversed subject, every SAN type), header encoding, and a running stack:
// development CA (CMP over HTTPS) ← certservice (mTLS) with a cmpServers.json in a temp dir.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { buildCsr, certTemplateFromCsr, parseSubjectAltName } from '../../src/cmp/csr.js';
import { parseDistinguishedName } from '../../src/cmp/names.js';
import { CertificateAuthority, startDevelopmentCa, type DevelopmentCa } from '../../src/cmp/server/index.js';
import { orderFromTemplate } from '../../src/cmp/server/certificateOrder.js';
import { CaGateway, CertServiceMetrics, ConfigStore, startCertService, type RunningCertService } from '../../src/certservice/index.js';
import type { CertServiceServerOptions } from '../../src/certservice/server.js';
import { toPem } from '../../src/pki/pem.js';

export interface TlsCredential {
  cert: string;
  key: string;
}

export interface TlsMaterial {
  /** PEM of the TLS CA's root: the server's and the clients' certificates chain to it. */
  ca: string;
  server: TlsCredential;
  client: TlsCredential;
  /** Issued by another CA: the server must refuse it. */
  stranger: TlsCredential;
}

function credential(ca: CertificateAuthority, subject: string, sans: string[]): TlsCredential {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const csr = buildCsr({ key: privateKey, subject: parseDistinguishedName(subject), subjectAltNames: sans.map(parseSubjectAltName) });
  const leaf = ca.issue(orderFromTemplate(certTemplateFromCsr(csr)));
  return {
    cert: toPem('CERTIFICATE', leaf) + toPem('CERTIFICATE', ca.intermediate.certificate),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export async function makeTlsMaterial(): Promise<TlsMaterial> {
  const tlsCa = await CertificateAuthority.open({ roots: 1 });
  const other = await CertificateAuthority.open({ roots: 1 });
  return {
    ca: toPem('CERTIFICATE', tlsCa.roots[0]),
    server: credential(tlsCa, 'CN=oom-cert-service', ['127.0.0.1', 'localhost', 'oom-cert-service']),
    client: credential(tlsCa, 'CN=certservice-client', ['certservice-client.example']),
    stranger: credential(other, 'CN=stranger', ['stranger.example']),
  };
}

const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const SHA1_WITH_RSA = '1.2.840.113549.1.1.5';

/**
 * A CSR as ONAP's CertService client makes it: SHA1withRSA, the subject in the order it writes
 * (`L, OU, O, ST, C, CN`), SANs of every type in one extension.
 */
export function onapClientCsr(key: KeyObject, subject: string, sans: string[]): Uint8Array {
  const csr = new pkijs.CertificationRequest();
  csr.version = 0;
  csr.subject = parseDistinguishedName(subject);
  csr.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(exportSpki(key));
  if (sans.length) {
    const extension = new pkijs.Extension({
      extnID: '2.5.29.17',
      critical: false,
      extnValue: new pkijs.GeneralNames({ names: sans.map(parseSubjectAltName) }).toSchema().toBER(false),
    });
    csr.attributes = [new pkijs.Attribute({ type: EXTENSION_REQUEST, values: [new pkijs.Extensions({ extensions: [extension] }).toSchema()] })];
  }
  csr.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: SHA1_WITH_RSA, algorithmParams: new asn1js.Null() });
  const tbs = new Uint8Array((csr as unknown as { encodeTBS(): asn1js.Sequence }).encodeTBS().toBER(false));
  csr.tbsView = tbs;
  csr.signatureValue = new asn1js.BitString({ valueHex: sign('sha1', tbs, key) });
  return new Uint8Array(csr.toSchema().toBER(false));
}

function exportSpki(key: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }));
}

/** base64 of PEM text, as the headers carry it. */
export const header = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');
export const csrHeader = (der: Uint8Array) => header(toPem('CERTIFICATE REQUEST', der));
/** PKCS#8 PEM under the label given: ONAP's client says `RSA PRIVATE KEY` over a PKCS#8 body. */
export function keyHeader(key: KeyObject, label = 'PRIVATE KEY'): string {
  const der = key.export({ format: 'der', type: 'pkcs8' });
  return header(toPem(label, new Uint8Array(der)));
}
export function pkcs1Header(key: KeyObject): string {
  return header(key.export({ format: 'pem', type: 'pkcs1' }).toString());
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

/** GET over mTLS with the given headers. */
export function call(url: string, pathName: string, headers: Record<string, string>, tls: { ca: string } & Partial<TlsCredential>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = https.request(new URL(pathName, url), { method: 'GET', headers, ca: tls.ca, cert: tls.cert, key: tls.key, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown> = {};
        try {
          body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          body = {};
        }
        resolve({ status: response.statusCode ?? 0, body, text });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

export interface Stack {
  url: string;
  ca: DevelopmentCa;
  tls: TlsMaterial;
  dir: string;
  configFile: string;
  server: RunningCertService;
  metrics: CertServiceMetrics;
  logs: string[];
  /** GET with the client credential. */
  get(pathName: string, headers?: Record<string, string>): Promise<Answer>;
  writeConfig(value: unknown): void;
  stop(): Promise<void>;
}

export const IAK = 'onap-iak';
/** The config's tls extension for the stack's CA (files in the stack's directory). */
export const CMP_TLS = { caBundleFile: 'ca-tls.pem', clientCertFile: 'cmp-client.pem', clientKeyFile: 'cmp-client.key' };
export const RV = 'onap-rv';

/** The development CA over HTTPS (PBM iak/rv) behind certservice over mTLS, caName RA. */
export async function startStack(
  options: Partial<CertServiceServerOptions> & {
    serverEntry?: Record<string, unknown>;
    /** CMP to the CA in-process (its handler as the transport): the REST side alone is what is measured. */
    inProcessCa?: boolean;
  } = {},
): Promise<Stack> {
  const tls = await makeTlsMaterial();
  const dir = mkdtempSync(path.join(tmpdir(), 'certservice-'));
  // CMP over HTTPS with mutual TLS: the CA asks certservice for a client certificate of the TLS CA.
  const ca = await startDevelopmentCa({ port: 0, secret: IAK, reference: RV, tls: { cert: tls.server.cert, key: tls.server.key, clientCa: tls.ca } });
  writeFileSync(path.join(dir, 'ca-tls.pem'), tls.ca);
  writeFileSync(path.join(dir, 'cmp-client.pem'), tls.client.cert);
  writeFileSync(path.join(dir, 'cmp-client.key'), tls.client.key, { mode: 0o600 });
  const configFile = path.join(dir, 'cmpServers.json');
  const writeConfig = (value: unknown) => writeFileSync(configFile, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  writeConfig({
    cmpv2Servers: [
      {
        caName: 'RA',
        url: ca.url,
        issuerDN: 'CN=ManagementCA',
        caMode: 'RA',
        authentication: { iak: IAK, rv: RV },
        tls: CMP_TLS,
        ...options.serverEntry,
      },
    ],
  });
  const config = new ConfigStore(configFile);
  await config.reload().catch(() => undefined);
  const logs: string[] = [];
  const record = (level: string) => (fields: Record<string, unknown>, message: string) => logs.push(`${level} ${message} ${JSON.stringify(fields)}`);
  const metrics = new CertServiceMetrics({ processMetrics: false });
  const server = await startCertService({
    host: '127.0.0.1',
    port: 0,
    config,
    tls: { cert: tls.server.cert, key: tls.server.key, clientCa: tls.ca },
    logger: { info: record('info'), warn: record('warn'), error: record('error') },
    metrics,
    cmpTimeoutMs: 10_000,
    ...(options.inProcessCa
      ? {
          gateway: new CaGateway({
            timeoutMs: 10_000,
            transport: () => ({ send: (request: Uint8Array) => ca.handle(request) }),
            observe: (caName, type, result, seconds) => metrics.cmp(caName, type, result, seconds),
          }),
        }
      : {}),
    ...options,
  });
  return {
    url: server.url,
    ca,
    tls,
    dir,
    configFile,
    server,
    metrics,
    logs,
    get: (pathName, headers = {}) => call(server.url, pathName, headers, { ca: tls.ca, ...tls.client }),
    writeConfig,
    stop: async () => {
      await server.close();
      await ca.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An RSA 2048 key pair. */
export const rsaKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
export const ecKey = (curve = 'P-256') => generateKeyPairSync('ec', { namedCurve: curve }).privateKey;
export { createPrivateKey };
