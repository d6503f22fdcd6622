// The hash of everything a store set is built from; the keystore controller keeps it in the
// annotation keystore.certmanager.onap.org/hash and rebuilds only when it changes. PKCS#12
// files use random salts, so comparing outputs could not tell "unchanged" apart.
import { createHash } from 'node:crypto';
import { validateStoreInput, validateStoreSettings, type StoreInput, type StoreSettings } from './storeSettings.js';

const HASH_VERSION = 'cmpv2-operator/stores/v1';

/** SHA-256 (hex) over every input and setting, each length-prefixed, in a fixed order. */
export function storeInputHash(input: StoreInput, settings: StoreSettings): string {
  const i = validateStoreInput(input);
  const s = validateStoreSettings(settings);
  const fields: string[] = [
    HASH_VERSION,
    i.tlsCrt,
    i.tlsKey,
    i.caCrt ?? '',
    String(i.trustSources.length),
    ...i.trustSources.flatMap((source) => [source.name, source.pem]),
    [...new Set(s.formats)].sort().join(','),
    s.keystorePassword ?? '',
    s.truststorePassword ?? s.keystorePassword ?? '',
    s.alias,
    s.pkcs12Profile,
  ];
  const h = createHash('sha256');
  for (const field of fields) {
    const bytes = Buffer.from(field, 'utf8');
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(bytes.length, 0);
    h.update(length).update(bytes);
  }
  return h.digest('hex');
}
