// The development CA's own certificates: N self-signed roots and one intermediate under the
// first root that signs end-entity certificates and CMP responses. Created once and, with a
// state directory, kept as PEM files so the CA keeps its identity across restarts.
import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile, rename, access } from 'node:fs/promises';
import { join } from 'node:path';
import { toPem } from '../../pki/pem.js';
import { keyIdentifierOf, OID, randomSerialNumber, signCertificate, type CertificateExtension } from './certificateSigner.js';
import { encodeName, subjectNameOf } from './distinguishedName.js';

/** A CA certificate with its private key. */
export interface CaCredential {
  certificate: Uint8Array;
  x509: X509Certificate;
  key: KeyObject;
}

export interface CaHierarchy {
  roots: CaCredential[];
  /** Issued by roots[0]; signs end-entity certificates and CMP responses. */
  intermediate: CaCredential;
}

export const DEFAULT_ROOT_COUNT = 2;
export const MAX_ROOT_COUNT = 16;
const YEAR_MS = 365 * 24 * 3600 * 1000;

function der(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Extensions of a CA certificate: basic constraints, key usage, key identifiers. */
function caExtensions(publicKeyInfo: Uint8Array, issuerKeyId: Uint8Array, pathLen: number | null): CertificateExtension[] {
  const pathLenDer = pathLen === null ? '' : `0201${pathLen.toString(16).padStart(2, '0')}`;
  const basicConstraints = `30${(3 + pathLenDer.length / 2).toString(16).padStart(2, '0')}0101ff${pathLenDer}`;
  const subjectKeyId = keyIdentifierOf(publicKeyInfo);
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
  return [
    { oid: OID.basicConstraints, critical: true, value: der(basicConstraints) },
    // digitalSignature (the intermediate also signs CMP responses), keyCertSign, cRLSign
    { oid: OID.keyUsage, critical: true, value: der('03020186') },
    { oid: OID.subjectKeyIdentifier, critical: false, value: der(`0414${hex(subjectKeyId)}`) },
    { oid: OID.authorityKeyIdentifier, critical: false, value: der(`30168014${hex(issuerKeyId)}`) },
  ];
}

function newKey(): { key: KeyObject; publicKeyInfo: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { key: privateKey, publicKeyInfo: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })) };
}

function credential(certificate: Uint8Array, key: KeyObject): CaCredential {
  return { certificate, x509: new X509Certificate(certificate), key };
}

function createRoot(index: number, now: Date): CaCredential {
  const { key, publicKeyInfo } = newKey();
  const name = encodeName([
    ['O', 'cmpv2-operator test-ca'],
    ['CN', `cmpv2-operator development root ${index}`],
  ]);
  const certificate = signCertificate(
    {
      subject: name,
      issuer: name,
      publicKeyInfo,
      serialNumber: randomSerialNumber(),
      notBefore: new Date(now.getTime() - 3600_000),
      notAfter: new Date(now.getTime() + 20 * YEAR_MS),
      extensions: caExtensions(publicKeyInfo, keyIdentifierOf(publicKeyInfo), null),
    },
    key,
  );
  return credential(certificate, key);
}

function createIntermediate(root: CaCredential, now: Date): CaCredential {
  const { key, publicKeyInfo } = newKey();
  const rootSpki = new Uint8Array(root.x509.publicKey.export({ type: 'spki', format: 'der' }));
  const certificate = signCertificate(
    {
      subject: encodeName([
        ['O', 'cmpv2-operator test-ca'],
        ['CN', 'cmpv2-operator development intermediate'],
      ]),
      issuer: subjectNameOf(root.certificate),
      publicKeyInfo,
      serialNumber: randomSerialNumber(),
      notBefore: new Date(now.getTime() - 3600_000),
      notAfter: new Date(now.getTime() + 10 * YEAR_MS),
      extensions: caExtensions(publicKeyInfo, keyIdentifierOf(rootSpki), 0),
    },
    root.key,
  );
  return credential(certificate, key);
}

/** Creates a fresh hierarchy in memory. */
export function createCaHierarchy(rootCount: number, now = new Date()): CaHierarchy {
  const roots = Array.from({ length: rootCount }, (_, i) => createRoot(i + 1, now));
  return { roots, intermediate: createIntermediate(roots[0], now) };
}

const rootFiles = (dir: string, index: number) => ({
  cert: join(dir, `root-${index}.cert.pem`),
  key: join(dir, `root-${index}.key.pem`),
});
const intermediateFiles = (dir: string) => ({
  cert: join(dir, 'intermediate.cert.pem'),
  key: join(dir, 'intermediate.key.pem'),
});

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes via a temporary file and rename, so a crash never leaves half a key behind. */
async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode });
  await rename(temporary, path);
}

async function saveCredential(files: { cert: string; key: string }, ca: CaCredential): Promise<void> {
  await writeAtomically(files.key, ca.key.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
  await writeAtomically(files.cert, toPem('CERTIFICATE', ca.certificate), 0o644);
}

async function loadCredential(files: { cert: string; key: string }): Promise<CaCredential> {
  const x509 = new X509Certificate(await readFile(files.cert));
  const key = createPrivateKey(await readFile(files.key));
  if (!x509.checkPrivateKey(key)) {
    throw new Error(`${files.key} does not belong to ${files.cert}`);
  }
  return credential(new Uint8Array(x509.raw), key);
}

/**
 * Loads the hierarchy kept in `stateDir`, or creates and saves one. `rootCount` undefined means
 * "whatever the directory holds" (2 for a new one); a different explicit count is an error,
 * since silently re-rooting would invalidate every certificate issued so far.
 */
export async function openCaHierarchy(stateDir: string, rootCount?: number): Promise<CaHierarchy> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  if (!(await exists(intermediateFiles(stateDir).cert))) {
    const hierarchy = createCaHierarchy(rootCount ?? DEFAULT_ROOT_COUNT);
    for (const [i, root] of hierarchy.roots.entries()) await saveCredential(rootFiles(stateDir, i + 1), root);
    // The intermediate is written last: its presence marks a complete state directory.
    await saveCredential(intermediateFiles(stateDir), hierarchy.intermediate);
    return hierarchy;
  }
  const roots: CaCredential[] = [];
  while (await exists(rootFiles(stateDir, roots.length + 1).cert)) {
    roots.push(await loadCredential(rootFiles(stateDir, roots.length + 1)));
  }
  const intermediate = await loadCredential(intermediateFiles(stateDir));
  if (roots.length === 0 || !intermediate.x509.verify(roots[0].x509.publicKey)) {
    throw new Error(`state directory ${stateDir} is inconsistent: the intermediate is not signed by root-1`);
  }
  if (rootCount !== undefined && rootCount !== roots.length) {
    throw new Error(`state directory ${stateDir} holds ${roots.length} roots but ${rootCount} were asked for`);
  }
  return { roots, intermediate };
}
