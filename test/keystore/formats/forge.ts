// Test helpers that build store files the way an attacker would: any content under a correct
// integrity check (PKCS#12 MAC, JKS digest), so that damage reaches the structure parsers behind
// the check instead of being caught by it (issue 10, finding 9). Built with our DER writer and KDF.
import { createHash, createHmac } from 'node:crypto';
import {
  bmpString,
  encodeDer,
  explicitTag,
  integer,
  objectIdentifier,
  octetString,
  rawDer,
  sequence,
  setOf,
  algorithmIdentifier,
  type DerValue,
} from '../../../src/pki/derWriter.js';
import { pkcs12Kdf } from '../../../src/keystore/crypto/pkcs12Kdf.js';
import { utf16be } from '../../../src/keystore/formats/javaData.js';
import { OID } from '../../../src/keystore/formats/oids.js';

const attribute = (oid: string, value: DerValue): DerValue => sequence(objectIdentifier(oid), setOf(value));
const dataContentInfo = (bytes: Buffer): DerValue => sequence(objectIdentifier(OID.data), explicitTag(0, octetString(bytes)));

export interface PlainPkcs12Content {
  /** Unencrypted PKCS#8 key in a keyBag, with its leaf (chain[0]) sharing localKeyId 01. */
  pkcs8?: Buffer;
  chain?: Buffer[];
  /** Certificates marked as Java trusted entries. */
  trusted?: Buffer[];
}

/** The AuthenticatedSafe DER of one plain (unencrypted) SafeContents holding `content`. */
export function plainAuthenticatedSafe(content: PlainPkcs12Content): Buffer {
  const bags: DerValue[] = [];
  const keyId = octetString(Buffer.from([1]));
  if (content.pkcs8) {
    bags.push(
      sequence(
        objectIdentifier(OID.keyBag),
        explicitTag(0, rawDer(content.pkcs8)),
        setOf(attribute(OID.friendlyName, bmpString('key')), attribute(OID.localKeyId, keyId)),
      ),
    );
  }
  (content.chain ?? []).forEach((der, i) => {
    const attributes = i === 0 ? [setOf(attribute(OID.friendlyName, bmpString('key')), attribute(OID.localKeyId, keyId))] : [];
    bags.push(
      sequence(objectIdentifier(OID.certBag), explicitTag(0, sequence(objectIdentifier(OID.x509Certificate), explicitTag(0, octetString(der)))), ...attributes),
    );
  });
  (content.trusted ?? []).forEach((der, i) => {
    const attributes = setOf(
      attribute(OID.friendlyName, bmpString(`trusted-${i + 1}`)),
      attribute(OID.javaTrustedKeyUsage, objectIdentifier(OID.anyExtendedKeyUsage)),
    );
    bags.push(
      sequence(objectIdentifier(OID.certBag), explicitTag(0, sequence(objectIdentifier(OID.x509Certificate), explicitTag(0, octetString(der)))), attributes),
    );
  });
  return encodeDer(sequence(dataContentInfo(encodeDer(sequence(...bags)))));
}

/** A PFX around `authenticatedSafe`, with a correct HMAC-SHA-256 MAC over it (or none). */
export function pfx(authenticatedSafe: Buffer, password: string, options: { mac?: boolean; iterations?: number; iterationsDer?: DerValue } = {}): Buffer {
  const outer: DerValue[] = [integer(3), dataContentInfo(authenticatedSafe)];
  if (options.mac !== false) {
    const iterations = options.iterations ?? 2048;
    const salt = Buffer.alloc(16, 7);
    const key = pkcs12Kdf('sha256', password, salt, 3, iterations, 32);
    const mac = createHmac('sha256', key).update(authenticatedSafe).digest();
    outer.push(sequence(sequence(algorithmIdentifier(OID.sha256), octetString(mac)), octetString(salt), options.iterationsDer ?? integer(iterations)));
  }
  return encodeDer(sequence(...outer));
}

/** JKS bytes with a correct integrity digest over `body` (everything before the digest). */
export function jksWithDigest(body: Buffer, password: string): Buffer {
  const digest = createHash('sha1').update(utf16be(password)).update(Buffer.from('Mighty Aphrodite', 'utf8')).update(body).digest();
  return Buffer.concat([body, digest]);
}

/** The body (without digest) of a JKS file. */
export const jksBody = (jks: Buffer): Buffer => jks.subarray(0, jks.length - 20);
