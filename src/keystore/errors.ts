// Typed errors of the keystore library. Each says what is wrong and how to fix it, in one line,
// and never contains a password or key material (they end up in Events and on stderr). A key
// that cannot be read fails in src/pki, with a PkiInputError (re-exported by index.ts).

/** Base class: input that cannot produce a correct store. The old stores must stay. */
export class KeystoreInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** tls.crt holds no readable certificate. */
export class NoCertificateError extends KeystoreInputError {}

/** The private key does not belong to the leaf certificate. */
export class KeyMismatchError extends KeystoreInputError {}

/** A truststore was asked for but ca.crt and the trust sources hold no certificate. */
export class NoTrustedCertificatesError extends KeystoreInputError {}

/** Formats, profile, alias or password out of range. */
export class InvalidStoreSettingsError extends KeystoreInputError {}

/** A store file (JKS or PKCS#12) that we cannot read: damaged, wrong password or unsupported. */
export class StoreReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreReadError';
  }
}
