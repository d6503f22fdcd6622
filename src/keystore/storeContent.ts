// What a keystore or truststore holds, independent of the file format, and the one-method
// encoder interface every format implements (as trust-manager does for its truststores).

/** A certificate as the encoders need it: DER bytes and the date JKS stamps on its entry. */
export interface StoreCertificate {
  der: Buffer;
  notBefore: Date;
}

export interface PrivateKeyEntry {
  alias: string;
  /** Unencrypted PKCS#8 DER. */
  pkcs8: Buffer;
  /** Leaf first, then the rest of the chain in order. */
  chain: StoreCertificate[];
}

export interface TrustedCertificateEntry {
  alias: string;
  certificate: StoreCertificate;
}

/** One store: a keystore has `privateKey`, a truststore only `trusted` entries. */
export interface StoreContent {
  privateKey?: PrivateKeyEntry;
  trusted: TrustedCertificateEntry[];
}

/** Turns store content into the bytes of one file format; asynchronous where the format derives keys (PKCS#12). */
export interface StoreEncoder {
  encode(content: StoreContent, password: string): Promise<Buffer>;
}

/** An entry as a reader found it in a store file (ours or another tool's). */
export type ReadEntry =
  | { kind: 'privateKey'; alias: string; pkcs8: Buffer; chain: Buffer[]; date?: Date }
  | { kind: 'trustedCertificate'; alias: string; certificate: Buffer; date?: Date };
