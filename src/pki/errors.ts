// Typed errors of the PKI helpers (PEM, private keys). Like the keystore's, each says what is
// wrong and how to fix it in one line, and never quotes key material: they reach Events and stderr.

/** Base class: a key or certificate input that cannot be used. */
export class PkiInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input holds no private key we can read. */
export class UnreadablePrivateKeyError extends PkiInputError {}

/** The key is readable but its type is not one we support (RSA, EC P-256/384/521, Ed25519). */
export class UnsupportedKeyTypeError extends PkiInputError {}

/** PEM input beyond the size or block-count limit: refused before any work (see pem.ts). */
export class PemLimitError extends PkiInputError {}
