// Digest algorithm identifiers (RFC 5754, RFC 8702 for SHA-3) as node's crypto names them, and
// the OIDs that parameterise RSA-PSS and RSA-OAEP. One table for certConf's hashAlg, signature
// protection and encrypted certificates.

/** SHA-1 and SHA-2 by OID. */
export const SHA2_DIGESTS: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** SHA-1, SHA-2 and SHA-3 by OID. */
export const SHA2_AND_SHA3_DIGESTS: Readonly<Record<string, string>> = {
  ...SHA2_DIGESTS,
  '2.16.840.1.101.3.4.2.7': 'sha3-224',
  '2.16.840.1.101.3.4.2.8': 'sha3-256',
  '2.16.840.1.101.3.4.2.9': 'sha3-384',
  '2.16.840.1.101.3.4.2.10': 'sha3-512',
};

export const ID_RSASSA_PSS = '1.2.840.113549.1.1.10';
export const ID_MGF1 = '1.2.840.113549.1.1.8';
export const ID_ED448 = '1.3.101.113';
