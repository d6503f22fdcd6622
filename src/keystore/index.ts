// The keystore library's public surface (no Kubernetes code below this folder). The files here
// assemble a store set; formats/ writes and reads JKS and PKCS#12, crypto/ holds their key
// derivations. PEM and private keys come from src/pki.
export * from './errors.js';
// A tls.key that cannot be used fails in src/pki: buildStoreFiles throws these too.
export { PkiInputError, UnreadablePrivateKeyError, UnsupportedKeyTypeError } from '../pki/errors.js';
export * from './storeContent.js';
export { encodeJks, readJks, jksEncoder } from './formats/jks.js';
export { Pkcs12Encoder } from './formats/pkcs12Writer.js';
export { readPkcs12, type Pkcs12Contents, type Pkcs12Protection } from './formats/pkcs12Reader.js';
export { PKCS12_PROFILES, pkcs12Profiles, type Pkcs12Profile, type Pkcs12ProfileName } from './formats/pkcs12Profiles.js';
export { KeyDerivations } from './crypto/keyDerivations.js';
export { composeKeystore, composeTruststore, DEFAULT_KEY_ALIAS, TRUSTED_ALIAS_PREFIX } from './composition.js';
export * from './storeSettings.js';
export * from './storeFiles.js';
export { storeInputHash } from './inputHash.js';
export { generatePassword, PASSWORD_ALPHABET } from './password.js';
export { parseTlsSecret, InvalidSecretFileError, type TlsSecretContent } from './secretFile.js';
export { writeStoreDirectory, StoreDirectoryError, type StoreDirectoryFs } from './storeDirectory.js';
