// Builds the whole file set of SPEC §4 in memory from tls.crt, tls.key, ca.crt and trust
// sources: keystore.jks, truststore.jks, keystore.p12, truststore.p12, keystore.pass,
// truststore.pass, keystore.pem, key.pem, truststore.pem. Either every file is built or a typed
// error says why none is; unreadable PEM blocks become warnings.
import { X509Certificate } from 'node:crypto';
import { subjectLine } from '../pki/certificate.js';
import { describePemProblems, looksLikeDer, parseCertificates, parsePemBundle, toPem, type ParsedCertificate } from '../pki/pem.js';
import { keyMatchesCertificateDer, loadPrivateKey } from '../pki/privateKey.js';
import { composeKeystore, composeTruststore } from './composition.js';
import { KeyDerivations } from './crypto/keyDerivations.js';
import { KeyMismatchError, NoCertificateError, NoTrustedCertificatesError, InvalidStoreSettingsError } from './errors.js';
import { jksEncoder } from './formats/jks.js';
import { pkcs12Profiles } from './formats/pkcs12Profiles.js';
import { Pkcs12Encoder } from './formats/pkcs12Writer.js';
import type { StoreContent, StoreEncoder } from './storeContent.js';
import { validateStoreInput, validateStoreSettings, type StoreFormat, type StoreInput, type StoreSettings } from './storeSettings.js';

export const STORE_FILES_BY_FORMAT = {
  jks: ['keystore.jks', 'truststore.jks', 'keystore.pass', 'truststore.pass'],
  pkcs12: ['keystore.p12', 'truststore.p12', 'keystore.pass', 'truststore.pass'],
  pem: ['keystore.pem', 'key.pem', 'truststore.pem'],
} as const satisfies Record<StoreFormat, readonly string[]>;

export type StoreFileName = (typeof STORE_FILES_BY_FORMAT)[StoreFormat][number];

/** Files a set of formats writes, each once, in a fixed order. */
export function storeFileNames(formats: readonly StoreFormat[]): StoreFileName[] {
  const names = new Set<StoreFileName>();
  for (const format of ['jks', 'pkcs12', 'pem'] as const) {
    if (formats.includes(format)) for (const name of STORE_FILES_BY_FORMAT[format]) names.add(name);
  }
  return [...names];
}

export interface StoreFiles {
  files: Partial<Record<StoreFileName, Buffer>>;
  /** One line per unreadable PEM block, naming its source and position. */
  warnings: string[];
  /** Number of trusted certificates after de-duplication. */
  trustedCount: number;
  /** Length of the private key entry's chain. */
  chainLength: number;
}

function describeSubject(der: Buffer): string {
  try {
    return subjectLine(new X509Certificate(der));
  } catch {
    return 'a certificate OpenSSL cannot parse';
  }
}

function derAdvice(name: string): string {
  return `${name} is binary DER, not PEM; convert it with \`openssl x509 -inform der -in FILE -out FILE.pem\``;
}

function readBundle(name: string, pem: string, warnings: string[]): ParsedCertificate[] {
  if (looksLikeDer(pem)) {
    warnings.push(`${name}: skipped: ${derAdvice(name)}`);
    return [];
  }
  const { certificates, problems } = parseCertificates(pem, name);
  if (problems.length > 0) warnings.push(`${name}: skipped unreadable ${describePemProblems(problems)}`);
  return certificates;
}

/** Why tls.crt gave no certificate, and what to do. */
function noCertificateMessage(tlsCrt: string): string {
  if (looksLikeDer(tlsCrt)) return derAdvice('tls.crt');
  const { problems } = parsePemBundle(tlsCrt, 'tls.crt');
  if (problems.length === 0)
    return 'tls.crt holds no readable certificate: no PEM block found; give the certificate chain as PEM (-----BEGIN CERTIFICATE-----), leaf first';
  return `tls.crt holds no readable certificate: ${describePemProblems(problems)}; give the certificate chain as PEM, leaf first`;
}

/**
 * Builds every file of `settings.formats`; rejects with a KeystoreInputError (or, for tls.key, a
 * PkiInputError) subclass on bad input. Asynchronous because the PKCS#12 key derivations run on
 * libuv's thread pool; the input checks run before the first await.
 */
export async function buildStoreFiles(input: StoreInput, settings: StoreSettings): Promise<StoreFiles> {
  const { tlsCrt, tlsKey, caCrt, trustSources } = validateStoreInput(input);
  const { formats, keystorePassword, truststorePassword, alias, pkcs12Profile } = validateStoreSettings(settings);
  const needsPassword = formats.includes('jks') || formats.includes('pkcs12');
  if (needsPassword && keystorePassword === undefined) {
    throw new InvalidStoreSettingsError('a keystore password is needed for the jks and pkcs12 formats');
  }
  const warnings: string[] = [];

  const chainWarnings: string[] = [];
  const chain = readBundle('tls.crt', tlsCrt, chainWarnings);
  if (chain.length === 0) throw new NoCertificateError(noCertificateMessage(tlsCrt));
  warnings.push(...chainWarnings);
  const key = loadPrivateKey(tlsKey);
  if (!keyMatchesCertificateDer(key, chain[0].der, chain[0].subjectPublicKeyInfo)) {
    throw new KeyMismatchError(
      `the private key (tls.key, ${key.algorithm}) does not match the certificate in tls.crt (${describeSubject(chain[0].der)}); give the key the certificate was issued for`,
    );
  }

  const bundles = [readBundle('ca.crt', caCrt ?? '', warnings), ...trustSources.map((s) => readBundle(s.name, s.pem, warnings))];
  const trusted = composeTruststore(bundles);
  if (trusted.length === 0) {
    throw new NoTrustedCertificatesError(
      'no CA certificate for the truststore: ca.crt and the trust sources hold none; add the issuing CA to ca.crt or a trust source',
    );
  }

  const keystore: StoreContent = { privateKey: composeKeystore(alias, key.pkcs8, chain), trusted: [] };
  const truststore: StoreContent = { trusted };
  const files: Partial<Record<StoreFileName, Buffer>> = {};
  if (needsPassword && keystorePassword !== undefined) {
    const trustPassword = truststorePassword ?? keystorePassword;
    // One derivation cache for the set: keystore and truststore share PBKDF2 and MAC keys.
    const derivations = new KeyDerivations();
    const encoders: [string, 'jks' | 'p12', StoreEncoder][] = [];
    if (formats.includes('jks')) encoders.push(['jks', 'jks', jksEncoder]);
    if (formats.includes('pkcs12')) encoders.push(['pkcs12', 'p12', new Pkcs12Encoder(pkcs12Profiles[pkcs12Profile], derivations)]);
    for (const [, extension, encoder] of encoders) {
      // Both at once: under two passwords their derivations run side by side on the pool.
      [files[`keystore.${extension}`], files[`truststore.${extension}`]] = await Promise.all([
        encoder.encode(keystore, keystorePassword),
        encoder.encode(truststore, trustPassword),
      ]);
    }
    files['keystore.pass'] = Buffer.from(keystorePassword, 'utf8');
    files['truststore.pass'] = Buffer.from(trustPassword, 'utf8');
  }
  if (formats.includes('pem')) {
    files['keystore.pem'] = Buffer.from(chain.map((c) => toPem('CERTIFICATE', c.der)).join(''), 'utf8');
    files['key.pem'] = Buffer.from(toPem('PRIVATE KEY', key.pkcs8), 'utf8');
    files['truststore.pem'] = Buffer.from(trusted.map((t) => toPem('CERTIFICATE', t.certificate.der)).join(''), 'utf8');
  }
  return { files, warnings, trustedCount: trusted.length, chainLength: chain.length };
}
