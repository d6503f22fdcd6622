// PKCS#12 encryption profiles, named as cert-manager names them.
import type { EncryptionScheme } from './pbe.js';
import type { Pkcs12Hash } from '../crypto/pkcs12Kdf.js';

export const PKCS12_PROFILES = ['Modern2023', 'LegacyDES', 'LegacyRC2'] as const;
export type Pkcs12ProfileName = (typeof PKCS12_PROFILES)[number];

export interface Pkcs12Profile {
  name: Pkcs12ProfileName;
  keyEncryption: EncryptionScheme;
  certificateEncryption: EncryptionScheme;
  macHash: Pkcs12Hash;
  iterations: number;
}

export const pkcs12Profiles: Record<Pkcs12ProfileName, Pkcs12Profile> = {
  // What OpenSSL 3 and Java 17+ write by default; readable without OpenSSL's legacy provider.
  Modern2023: { name: 'Modern2023', keyEncryption: 'pbes2-aes256-cbc', certificateEncryption: 'pbes2-aes256-cbc', macHash: 'sha256', iterations: 2048 },
  // For old readers (Java 8 before 8u301, OpenSSL 1.0): 3DES everywhere, SHA-1 MAC.
  LegacyDES: { name: 'LegacyDES', keyEncryption: 'pbe-sha1-3des', certificateEncryption: 'pbe-sha1-3des', macHash: 'sha1', iterations: 2048 },
  // OpenSSL 1.x's historical default: 40-bit RC2 for certificates. OpenSSL 3 needs -legacy, Java 20 refuses it.
  LegacyRC2: { name: 'LegacyRC2', keyEncryption: 'pbe-sha1-3des', certificateEncryption: 'pbe-sha1-rc2-40', macHash: 'sha1', iterations: 2048 },
};
