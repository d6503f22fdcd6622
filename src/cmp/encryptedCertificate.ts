// Certificates a CA returns encrypted (CertOrEncCert.encryptedCert, RFC 9810 §5.2.2; RFC 4211 §5
// indirect proof of possession: only the holder of the requested key can read its certificate, and
// the certConf that follows proves it). EncryptedKey ::= CHOICE { encryptedValue EncryptedValue,
// envelopedData [0] EnvelopedData } — [0] IMPLICIT in the CRMF module (an EXPLICIT wrapping is
// read too). PKI.js parses the EnvelopedData; node's crypto decrypts it with the request's private
// key: RSA keys by key transport RSAES-OAEP (RFC 8017, one hash for OAEP and MGF1), EC keys by
// ephemeral-static ECDH (RFC 5753: dhSinglePass-stdDH/cofactorDH with the X9.63 KDF over
// ECC-CMS-SharedInfo, then AES key unwrap), content AES-CBC. (PKI.js's own ECDH decryption does not
// read what BouncyCastle or OpenSSL write — the peer test found it — so it is not used.) The id-data
// content is the certificate's DER. Everything else (no key, EncryptedValue, another algorithm, a
// failed decryption) is a CmpEncryptedCertificateError saying why.
import { constants, createDecipheriv, createHash, createPublicKey, diffieHellman, type KeyObject, privateDecrypt } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CmpEncryptedCertificateError, type EncryptedCertificateFailure } from './errors.js';
import { ID_MGF1, SHA2_DIGESTS } from './digests.js';

const ID_DATA = '1.2.840.113549.1.7.1';
const ID_RSAES_OAEP = '1.2.840.113549.1.1.7';
const ID_P_SPECIFIED = '1.2.840.113549.1.1.9';
const HASHES = SHA2_DIGESTS;
/** RFC 5753 / SEC 1 key agreement schemes with the X9.63 KDF hash (cofactor variants equal for prime curves). */
const ECDH_KDF: Record<string, string> = {
  '1.3.133.16.840.63.0.2': 'sha1',
  '1.3.132.1.11.0': 'sha224',
  '1.3.132.1.11.1': 'sha256',
  '1.3.132.1.11.2': 'sha384',
  '1.3.132.1.11.3': 'sha512',
  '1.3.133.16.840.63.0.3': 'sha1',
  '1.3.132.1.14.0': 'sha224',
  '1.3.132.1.14.1': 'sha256',
  '1.3.132.1.14.2': 'sha384',
  '1.3.132.1.14.3': 'sha512',
};
/** AES key wrap (RFC 3394) OIDs → node cipher and KEK length. */
const KEY_WRAP: Record<string, { cipher: string; bytes: number }> = {
  '2.16.840.1.101.3.4.1.5': { cipher: 'id-aes128-wrap', bytes: 16 },
  '2.16.840.1.101.3.4.1.25': { cipher: 'id-aes192-wrap', bytes: 24 },
  '2.16.840.1.101.3.4.1.45': { cipher: 'id-aes256-wrap', bytes: 32 },
};
const AES_CBC: Record<string, { cipher: string; bytes: number }> = {
  '2.16.840.1.101.3.4.1.2': { cipher: 'aes-128-cbc', bytes: 16 },
  '2.16.840.1.101.3.4.1.22': { cipher: 'aes-192-cbc', bytes: 24 },
  '2.16.840.1.101.3.4.1.42': { cipher: 'aes-256-cbc', bytes: 32 },
};
/** RecipientInfo CHOICE variants as PKI.js numbers them. */
const VARIANT_NAMES: Record<number, string> = { 1: 'key transport', 2: 'key agreement', 3: 'KEK', 4: 'password', 5: 'other' };
const KEY_WRAP_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

const fail = (message: string, failure: EncryptedCertificateFailure) => new CmpEncryptedCertificateError(message, failure);
const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));
const bytesOf = (block: asn1js.BaseBlock) => new Uint8Array(block.toBER(false));

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

/** RSAES-OAEP: the content-encryption key, or a refusal for parameters node cannot follow. */
function keyTransport(info: pkijs.KeyTransRecipientInfo, privateKey: KeyObject): Buffer {
  const alg = info.keyEncryptionAlgorithm;
  if (alg.algorithmId !== ID_RSAES_OAEP) {
    throw fail(`the certificate's key is transported with ${alg.algorithmId}; only RSAES-OAEP (${ID_RSAES_OAEP}) is supported`, 'unsupported');
  }
  const params = alg.algorithmParams ? new pkijs.RSAESOAEPParams({ schema: alg.algorithmParams }) : new pkijs.RSAESOAEPParams();
  const hash = HASHES[params.hashAlgorithm.algorithmId];
  let mgfHash: string | undefined;
  try {
    mgfHash = new pkijs.AlgorithmIdentifier({ schema: params.maskGenAlgorithm.algorithmParams }).algorithmId;
  } catch {
    mgfHash = undefined;
  }
  if (!hash || params.maskGenAlgorithm.algorithmId !== ID_MGF1 || mgfHash !== params.hashAlgorithm.algorithmId) {
    throw fail(
      `RSAES-OAEP with hash ${params.hashAlgorithm.algorithmId} and MGF1 over ${mgfHash ?? '?'} is not supported (one SHA-1/SHA-2 hash for both)`,
      'unsupported',
    );
  }
  // pSourceFunc [2] DEFAULT pSpecifiedEmpty: read from the received parameters (PKI.js fills in another default).
  const fields = alg.algorithmParams instanceof asn1js.Sequence ? alg.algorithmParams.valueBlock.value : [];
  const pSource = fields.find((f) => f.idBlock.tagClass === 3 && f.idBlock.tagNumber === 2);
  if (pSource) {
    const source = new pkijs.AlgorithmIdentifier({ schema: (pSource as asn1js.Constructed).valueBlock.value[0] });
    const label = source.algorithmParams instanceof asn1js.OctetString ? source.algorithmParams.valueBlock.valueHexView.length : -1;
    if (source.algorithmId !== ID_P_SPECIFIED || label !== 0) throw fail('RSAES-OAEP with a label is not supported', 'unsupported');
  }
  return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, info.encryptedKey.valueBlock.valueHexView);
}

/** ANSI X9.63 KDF (SEC 1 §3.6.1) over ECC-CMS-SharedInfo (RFC 5753 §7.2). */
function x963Kdf(hash: string, z: Buffer, sharedInfo: Uint8Array, bytes: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 1; Buffer.concat(blocks).length < bytes; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(createHash(hash).update(z).update(c).update(sharedInfo).digest());
  }
  return Buffer.concat(blocks).subarray(0, bytes);
}

/** Ephemeral-static ECDH (RFC 5753): the content-encryption keys each RecipientEncryptedKey may hold. */
function keyAgreement(info: pkijs.KeyAgreeRecipientInfo, privateKey: KeyObject): Buffer[] {
  const kdfHash = ECDH_KDF[info.keyEncryptionAlgorithm.algorithmId];
  if (!kdfHash)
    throw fail(
      `the certificate's key is agreed with ${info.keyEncryptionAlgorithm.algorithmId}, which is not supported (dhSinglePass ECDH with SHA-1/SHA-2)`,
      'unsupported',
    );
  const wrapSchema = info.keyEncryptionAlgorithm.algorithmParams;
  const wrapAlg = wrapSchema ? new pkijs.AlgorithmIdentifier({ schema: wrapSchema }) : undefined;
  const wrap = wrapAlg ? KEY_WRAP[wrapAlg.algorithmId] : undefined;
  if (!wrapSchema || !wrap) throw fail(`the key wrap ${wrapAlg?.algorithmId ?? '(none)'} is not supported (AES key wrap)`, 'unsupported');
  const originator = info.originator;
  if (!(originator.value instanceof pkijs.OriginatorPublicKey)) throw fail('key agreement with a static originator key is not supported', 'unsupported');
  const algorithm = originator.value.algorithm;
  // The curve may be left out of the originator's key: it is ours.
  const ownSpki = pkijs.PublicKeyInfo.fromBER(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
  const spki = new pkijs.PublicKeyInfo({
    algorithm: algorithm.algorithmParams instanceof asn1js.ObjectIdentifier ? algorithm : ownSpki.algorithm,
    subjectPublicKey: originator.value.publicKey,
  });
  const z = diffieHellman({ privateKey, publicKey: createPublicKey({ key: Buffer.from(bytesOf(spki.toSchema())), format: 'der', type: 'spki' }) });
  const sharedInfo = new asn1js.Sequence({
    value: [
      wrapSchema,
      ...(info.ukm ? [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [info.ukm] })] : []),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 2 },
        value: [new asn1js.OctetString({ valueHex: Uint8Array.from([0, 0, (wrap.bytes * 8) >> 8, (wrap.bytes * 8) & 0xff]) })],
      }),
    ],
  });
  const kek = x963Kdf(kdfHash, z, bytesOf(sharedInfo), wrap.bytes);
  return info.recipientEncryptedKeys.encryptedKeys.map((k) => {
    const decipher = createDecipheriv(wrap.cipher, kek, KEY_WRAP_IV);
    return Buffer.concat([decipher.update(k.encryptedKey.valueBlock.valueHexView), decipher.final()]);
  });
}

/** AES-CBC content decryption with the content-encryption key. */
function decryptContent(enveloped: pkijs.EnvelopedData, cek: Buffer): Buffer {
  const alg = enveloped.encryptedContentInfo.contentEncryptionAlgorithm;
  const aes = AES_CBC[alg.algorithmId];
  if (!aes) throw fail(`the certificate is encrypted with ${alg.algorithmId}; only AES-CBC is supported`, 'unsupported');
  if (cek.length !== aes.bytes || !(alg.algorithmParams instanceof asn1js.OctetString)) throw new Error('content-encryption key or IV of the wrong size');
  const decipher = createDecipheriv(aes.cipher, cek, alg.algorithmParams.valueBlock.valueHexView);
  return Buffer.concat([decipher.update(new Uint8Array(enveloped.encryptedContentInfo.getEncryptedContent())), decipher.final()]);
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
  const candidates = enveloped.recipientInfos.filter((r) => r.variant === variant);
  if (candidates.length === 0) {
    throw fail(`the certificate is encrypted for ${offered.join(', ') || 'no'} recipients; a ${keyType} key needs ${VARIANT_NAMES[variant]}`, 'unsupported');
  }
  const type = enveloped.encryptedContentInfo.contentType;
  if (type !== ID_DATA) throw fail(`the encrypted content is of type ${type}, not id-data (a certificate)`, 'undecryptable');
  const errors: string[] = [];
  // The recipient identifiers name a certificate we do not hold yet: every fitting recipient is tried.
  for (const recipient of candidates) {
    try {
      const keys =
        recipient.value instanceof pkijs.KeyTransRecipientInfo
          ? [keyTransport(recipient.value, privateKey)]
          : keyAgreement(recipient.value as pkijs.KeyAgreeRecipientInfo, privateKey);
      for (const cek of keys) {
        try {
          return new Uint8Array(decryptContent(enveloped, cek));
        } catch (err) {
          if (err instanceof CmpEncryptedCertificateError) throw err;
          errors.push(reason(err));
        }
      }
    } catch (err) {
      if (err instanceof CmpEncryptedCertificateError) throw err;
      errors.push(reason(err));
    }
  }
  throw fail(`the encrypted certificate could not be decrypted with the requested key: ${errors.join('; ')}`, 'undecryptable');
}
