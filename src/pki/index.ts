// The PKI helpers every part of the project shares: PEM text ⇄ DER, private keys from PEM, and a
// fast structural read of X.509 certificates. Imports no other project folder (see eslint.config.js).
export * from './errors.js';
export * from './pem.js';
export * from './privateKey.js';
export {
  CertificateFormatError,
  checkCertificate,
  readCertificateFields,
  readCertificateNotBefore,
  subjectLine,
  type CertificateFields,
} from './certificate.js';
