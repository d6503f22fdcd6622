// The keystore library's public surface (no Kubernetes code below this folder).
export * from './errors.js';
export * from './pem.js';
export * from './privateKey.js';
export * from './storeContent.js';
export { encodeJks, readJks, jksEncoder } from './jks.js';
export { Pkcs12Encoder } from './pkcs12Writer.js';
export { readPkcs12, type Pkcs12Contents, type Pkcs12Protection } from './pkcs12Reader.js';
export { PKCS12_PROFILES, pkcs12Profiles, type Pkcs12Profile, type Pkcs12ProfileName } from './pkcs12Profiles.js';
export { KeyDerivations } from './keyDerivations.js';
export { composeKeystore, composeTruststore, DEFAULT_KEY_ALIAS, TRUSTED_ALIAS_PREFIX } from './composition.js';
export * from './storeSettings.js';
export * from './storeFiles.js';
export { storeInputHash } from './inputHash.js';
export { generatePassword, PASSWORD_ALPHABET } from './password.js';
export { parseTlsSecret, InvalidSecretFileError, type TlsSecretContent } from './secretFile.js';
export { writeStoreDirectory } from './storeDirectory.js';
