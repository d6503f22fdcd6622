// Store settings at the library boundary (issue 11, findings 4 and 8): passwords Java can use —
// printable ASCII for PKCS#12 (Java's PBEKey refuses anything else), no control characters, BOM
// or U+FFFD in any format — and messages in the user's words, never an internal field name.
import assert from 'node:assert/strict';
import { InvalidStoreSettingsError, validateStoreInput, validateStoreSettings } from '../../src/keystore/index.js';

const refuses = (value: unknown, message: string): void => {
  assert.throws(
    () => validateStoreSettings(value),
    (e: Error) => e instanceof InvalidStoreSettingsError && e.message === message,
  );
};

describe('keystore/storeSettings: passwords and messages', () => {
  const NON_ASCII =
    'the keystore password has a non-ASCII character, which Java cannot use for a PKCS#12 store; use printable ASCII only, or leave pkcs12 out of the formats';
  const CONTROL =
    'the keystore password contains a control character (tab, newline, NUL…) or a byte-order mark; remove it (a password file may end with one newline only)';

  it('PKCS#12: printable ASCII only (space to ~), the generated alphabet included', () => {
    assert.equal(validateStoreSettings({ formats: ['pkcs12'], keystorePassword: ' !"#$%&~ A-Za-z0-9_$#' }).keystorePassword, ' !"#$%&~ A-Za-z0-9_$#');
    for (const password of ['pässwort', 'пароль', 'pw€', 'emoji😀']) refuses({ formats: ['pkcs12'], keystorePassword: password }, NON_ASCII);
    refuses({ formats: ['jks', 'pkcs12'], keystorePassword: 'ok', truststorePassword: 'ñ' }, NON_ASCII.replace('keystore', 'truststore'));
  });

  it('JKS alone keeps non-ASCII passwords (Java reads them as UTF-16)', () => {
    assert.equal(validateStoreSettings({ formats: ['jks', 'pem'], keystorePassword: 'pässwort' }).keystorePassword, 'pässwort');
  });

  it('any format: tab, inner newline, NUL, DEL, BOM refused; U+FFFD (invalid UTF-8) named as such', () => {
    for (const password of ['a\tb', 'a\nb', 'pw\n', 'a\u0000b', 'a\u007fb', '\ufeffpw']) refuses({ formats: ['jks'], keystorePassword: password }, CONTROL);
    refuses({ formats: ['jks'], keystorePassword: '\ufffd\ufffdpw' }, 'the keystore password is not valid UTF-8; save the password file as UTF-8 text');
  });

  it('messages name fields in words, never as camelCase', () => {
    refuses({ formats: ['jks'], keystorePassword: 5 }, 'the keystore password must be a string');
    refuses({ formats: ['jks'], truststorePassword: '' }, 'the truststore password must not be empty');
    refuses({ formats: ['jks'], alias: 5 }, 'the alias: Invalid input: expected string, received number');
    assert.throws(() => validateStoreInput({ tlsCrt: 5, tlsKey: '' }), { message: 'tls.crt must be PEM text' });
  });
});
