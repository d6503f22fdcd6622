// Certificates a CA returns encrypted (CertOrEncCert.encryptedCert, RFC 9810 §5.2.2; RFC 4211 §5
// indirect proof of possession: only the holder of the requested key can read its certificate, and
// the certConf that follows proves it). EncryptedKey ::= CHOICE { encryptedValue EncryptedValue,
// envelopedData [0] EnvelopedData } — [0] IMPLICIT in the CRMF module (an EXPLICIT wrapping is
// read too). The EnvelopedData is decrypted with PKI.js (key transport RSAES-OAEP for RSA keys, key
// agreement ECDH for EC keys) using the request's private key; its id-data content is the
// certificate's DER. Everything else (no key, EncryptedValue, another algorithm, a failed
// decryption) is a CmpEncryptedCertificateError saying why.
import { createPublicKey, type KeyObject, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CmpEncryptedCertificateError, type EncryptedCertificateFailure } from './errors.js';

const ID_DATA = '1.2.840.113549.1.7.1';
const ID_RSAES_OAEP = '1.2.840.113549.1.1.7';
/** RecipientInfo CHOICE variants as PKI.js numbers them. */
const VARIANT_NAMES: Record<number, string> = { 1: 'key transport', 2: 'key agreement', 3: 'KEK', 4: 'password', 5: 'other' };

// Injected rather than PKI.js's global engine (STYLE: no global crypto engine).
type WebCrypto = ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'];
const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as WebCrypto });

const fail = (message: string, failure: EncryptedCertificateFailure) => new CmpEncryptedCertificateError(message, failure);
const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The EnvelopedData inside CertOrEncCert's `[1] EncryptedKey` (the DER of the whole [1] element). */
function envelopedData(encryptedCert: Uint8Array): pkijs.EnvelopedData {
  const outer = asn1js.fromBER(encryptedCert).result;
  const inner = outer instanceof asn1js.Constructed ? outer.valueBlock.value[0] : undefined;
  if (outer.idBlock.tagClass !== 3 || outer.idBlock.tagNumber !== 1 || !inner) {
    throw fail('the encrypted certificate is not a [1] EncryptedKey', 'undecryptable');
  }
  if (inner.idBlock.tagClass === 1 && inner.idBlock.tagNumber === 16) {
    throw fail(
      'the certificate comes as an EncryptedValue, which RFC 9810 §5.2.2 deprecates and this client does not read (EnvelopedData only)',
      'unsupported',
    );
  }
  if (inner.idBlock.tagClass !== 3 || inner.idBlock.tagNumber !== 0 || !(inner instanceof asn1js.Constructed)) {
    throw fail('the encrypted certificate is neither an EnvelopedData [0] nor an EncryptedValue', 'undecryptable');
  }
  const children = inner.valueBlock.value;
  // [0] IMPLICIT: the tag replaces SEQUENCE's; an EXPLICIT wrapping holds one SEQUENCE instead.
  const explicit = children.length === 1 && children[0].idBlock.tagClass === 1 && children[0].idBlock.tagNumber === 16;
  const schema = explicit ? children[0] : new asn1js.Sequence({ value: children });
  try {
    return new pkijs.EnvelopedData({ schema });
  } catch (err) {
    throw fail(`the encrypted certificate is not a valid EnvelopedData: ${reason(err)}`, 'undecryptable');
  }
}

/**
 * Decrypts a returned certificate with the private key of the request. `privateKey` is undefined
 * for p10cr. Returns the certificate's DER (read and checked by the caller like a plain one).
 */
export async function decryptCertificate(encryptedCert: Uint8Array, privateKey: KeyObject | undefined): Promise<Uint8Array> {
  if (!privateKey) {
    throw fail('the CA returned the certificate encrypted (indirect POP), but a p10cr holds no private key to decrypt it', 'noPrivateKey');
  }
  const enveloped = envelopedData(encryptedCert);
  const keyType = privateKey.asymmetricKeyType ?? 'unknown';
  const variant = keyType === 'rsa' ? 1 : keyType === 'ec' ? 2 : undefined;
  if (variant === undefined) {
    throw fail(`the certificate is encrypted, but a ${keyType} key can neither transport nor agree on a key to decrypt it`, 'unsupported');
  }
  const offered = enveloped.recipientInfos.map((r) => VARIANT_NAMES[r.variant] ?? `variant ${r.variant}`);
  const candidates = enveloped.recipientInfos.map((r, index) => ({ r, index })).filter(({ r }) => r.variant === variant);
  if (candidates.length === 0) {
    throw fail(`the certificate is encrypted for ${offered.join(', ') || 'no'} recipients; a ${keyType} key needs ${VARIANT_NAMES[variant]}`, 'unsupported');
  }
  if (variant === 1) {
    const algorithms = candidates.map(({ r }) => (r.value as pkijs.KeyTransRecipientInfo).keyEncryptionAlgorithm.algorithmId);
    if (!algorithms.includes(ID_RSAES_OAEP)) {
      throw fail(`the certificate's key is transported with ${algorithms.join(', ')}; only RSAES-OAEP (${ID_RSAES_OAEP}) is supported`, 'unsupported');
    }
  }
  const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
  // ECDH needs the curve when the originator's key names none: taken from our own public key.
  const ownKey = new pkijs.Certificate();
  ownKey.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' })));
  const errors: string[] = [];
  for (const { index } of candidates) {
    try {
      const content = await enveloped.decrypt(index, { recipientPrivateKey: pkcs8, recipientCertificate: ownKey }, engine);
      const type = enveloped.encryptedContentInfo.contentType;
      if (type !== ID_DATA) throw fail(`the decrypted content is of type ${type}, not id-data (a certificate)`, 'undecryptable');
      return new Uint8Array(content);
    } catch (err) {
      if (err instanceof CmpEncryptedCertificateError) throw err;
      errors.push(reason(err));
    }
  }
  throw fail(`the encrypted certificate could not be decrypted with the requested key: ${errors.join('; ')}`, 'undecryptable');
}
