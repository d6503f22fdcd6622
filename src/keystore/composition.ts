// What goes into the stores (SPEC §4): the truststore holds every distinct certificate of ca.crt
// and then of the extra trust sources, in order, de-duplicated by SHA-256 of the DER, aliased
// trusted-certificate-1…N; the keystore holds one private key entry with the whole tls.crt chain.
import { createHash } from 'node:crypto';
import type { ParsedCertificate } from '../pki/pem.js';
import type { PrivateKeyEntry, StoreCertificate, TrustedCertificateEntry } from './storeContent.js';

export const TRUSTED_ALIAS_PREFIX = 'trusted-certificate-';
export const DEFAULT_KEY_ALIAS = 'certificate';

export function toStoreCertificate(certificate: ParsedCertificate): StoreCertificate {
  return { der: certificate.der, notBefore: certificate.notBefore };
}

/** Trusted entries from bundles in order; a certificate seen before (same DER) is left out. */
export function composeTruststore(bundles: ParsedCertificate[][]): TrustedCertificateEntry[] {
  const seen = new Set<string>();
  const entries: TrustedCertificateEntry[] = [];
  for (const bundle of bundles) {
    for (const certificate of bundle) {
      const digest = createHash('sha256').update(certificate.der).digest('hex');
      if (seen.has(digest)) continue;
      seen.add(digest);
      entries.push({ alias: `${TRUSTED_ALIAS_PREFIX}${entries.length + 1}`, certificate: toStoreCertificate(certificate) });
    }
  }
  return entries;
}

/** The private key entry: alias as given (case kept), the chain as tls.crt lists it, leaf first. */
export function composeKeystore(alias: string, pkcs8: Buffer, chain: ParsedCertificate[]): PrivateKeyEntry {
  return { alias, pkcs8, chain: chain.map(toStoreCertificate) };
}
