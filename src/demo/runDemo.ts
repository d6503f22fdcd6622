// The main job on an embedded default: start the development CA, enroll a certificate for a
// fresh key over CMP (ir + password-based MAC, as ONAP does), build the keystores of SPEC §4 with
// the keystore library, and check them with the library's readers and with keytool.
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { CmpClient } from '../cmp/client.js';
import { buildCsr, parseSubjectAltName } from '../cmp/csr.js';
import { parseDistinguishedName } from '../cmp/names.js';
import { startDevelopmentCa } from '../cmp/server/index.js';
import { HttpTransport } from '../cmp/transport.js';
import { buildStoreFiles, generatePassword, readJks, readPkcs12, writeStoreDirectory, type ReadEntry } from '../keystore/index.js';
import { subjectLine } from '../pki/certificate.js';
import { toPem } from '../pki/pem.js';
import { keytoolList } from './keytoolCheck.js';

export interface DemoOptions {
  outDir: string;
}

export interface DemoStore {
  file: string;
  /** Entries as our own reader sees them, e.g. "PrivateKeyEntry certificate (chain of 2)". */
  entries: string[];
  /** Entry kinds keytool lists; undefined when keytool is not installed. */
  keytool?: string[];
}

export interface DemoReport {
  caUrl: string;
  rootCount: number;
  intermediate: string;
  subject: string;
  subjectAltName: string;
  serialNumber: string;
  validTo: string;
  implicitConfirmGranted: boolean;
  outDir: string;
  files: string[];
  stores: DemoStore[];
  keytoolFound: boolean;
}

const SUBJECT = 'CN=demo.example.org, O=cmpv2-operator demo';

const pem = (der: Uint8Array) => toPem('CERTIFICATE', der);

function describe(entries: ReadEntry[]): string[] {
  return entries.map((entry) =>
    entry.kind === 'privateKey' ? `PrivateKeyEntry ${entry.alias} (chain of ${entry.chain.length})` : `trustedCertEntry ${entry.alias}`,
  );
}

export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const secret = randomBytes(18).toString('base64url');
  const reference = 'demo';
  const ca = await startDevelopmentCa({ port: 0, secret, reference });
  try {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const csr = buildCsr({
      key: key.privateKey,
      subject: parseDistinguishedName(SUBJECT),
      subjectAltNames: ['demo.example.org', 'localhost', '127.0.0.1'].map(parseSubjectAltName),
    });
    const transport = new HttpTransport({ url: ca.url as string });
    const client = new CmpClient({
      transport,
      protection: { type: 'pbm', secret: new TextEncoder().encode(secret), reference: new TextEncoder().encode(reference) },
      trusted: ca.roots,
    });
    const result = await client.enroll({ type: 'ir', csr, privateKey: key.privateKey }).finally(() => transport.close());

    const keystorePassword = generatePassword();
    const built = await buildStoreFiles(
      {
        tlsCrt: result.chain.map(pem).join(''),
        tlsKey: key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        caCrt: result.trustedRoots.map(pem).join(''),
      },
      { formats: ['jks', 'pkcs12', 'pem'], keystorePassword },
    );
    // What the operator writes into the Secret, plus the Secret's own tls.crt/ca.crt for reference.
    const files: Record<string, Buffer> = {
      'tls.crt': Buffer.from(result.chain.map(pem).join('')),
      'ca.crt': Buffer.from(result.trustedRoots.map(pem).join('')),
    };
    for (const [name, data] of Object.entries(built.files)) if (data) files[name] = data;
    writeStoreDirectory(options.outDir, files);

    const stores: DemoStore[] = [];
    let keytoolFound = true;
    for (const [file, type] of [
      ['keystore.jks', 'JKS'],
      ['truststore.jks', 'JKS'],
      ['keystore.p12', 'PKCS12'],
      ['truststore.p12', 'PKCS12'],
    ] as const) {
      const password = (file.startsWith('keystore') ? files['keystore.pass'] : files['truststore.pass']).toString('utf8');
      const entries = type === 'JKS' ? readJks(files[file], password) : readPkcs12(files[file], password).entries;
      const passFile = join(options.outDir, file.startsWith('keystore') ? 'keystore.pass' : 'truststore.pass');
      const listing = await keytoolList(join(options.outDir, file), passFile, type);
      if (!listing) keytoolFound = false;
      stores.push({ file, entries: describe(entries), ...(listing ? { keytool: listing.entries } : {}) });
    }

    const leaf = new X509Certificate(result.certificate);
    return {
      caUrl: ca.url as string,
      rootCount: ca.roots.length,
      intermediate: subjectLine(new X509Certificate(ca.intermediate)),
      subject: subjectLine(leaf),
      subjectAltName: leaf.subjectAltName ?? '',
      serialNumber: leaf.serialNumber,
      validTo: leaf.validTo,
      implicitConfirmGranted: result.implicitConfirmGranted,
      outDir: options.outDir,
      files: Object.keys(files).sort(),
      stores,
      keytoolFound,
    };
  } finally {
    await ca.stop();
  }
}
