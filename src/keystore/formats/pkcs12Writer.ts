// PKCS#12 (RFC 7292) writer. Layout as OpenSSL and Java write it: an AuthenticatedSafe with
// one encrypted safe of certificate bags and one plain safe holding the shrouded key bag,
// protected by an HMAC over the AuthenticatedSafe.
//   keystore: key bag + leaf carry friendlyName = alias and one localKeyId; chain certs follow.
//   truststore: each cert bag carries friendlyName = alias and Java's trusted-key-usage
//   attribute (anyExtendedKeyUsage), so keytool lists it as trustedCertEntry.
import { createHash, createHmac } from 'node:crypto';
import {
  algorithmIdentifier,
  bmpString,
  encodeDer,
  explicitTag,
  implicitOctets,
  integer,
  objectIdentifier,
  octetString,
  sequence,
  setOf,
  type DerValue,
} from '../../pki/derWriter.js';
import { encrypt } from './pbe.js';
import { KeyDerivations } from '../crypto/keyDerivations.js';
import { OID } from './oids.js';
import type { Pkcs12Profile } from './pkcs12Profiles.js';
import type { StoreContent, StoreEncoder } from '../storeContent.js';

const MAC_OIDS = { sha1: OID.sha1, sha224: OID.sha224, sha256: OID.sha256, sha384: OID.sha384, sha512: OID.sha512 } as const;
const MAC_LENGTH = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 } as const;

const attribute = (type: string, value: DerValue): DerValue => sequence(objectIdentifier(type), setOf(value));
const friendlyName = (alias: string): DerValue => attribute(OID.friendlyName, bmpString(alias));
const localKeyId = (id: Buffer): DerValue => attribute(OID.localKeyId, octetString(id));
// Java writes the trusted-key-usage attribute as SET { anyExtendedKeyUsage }.
const JAVA_TRUSTED = attribute(OID.javaTrustedKeyUsage, objectIdentifier(OID.anyExtendedKeyUsage));

/** SafeBag ::= SEQUENCE { bagId, bagValue [0] EXPLICIT, bagAttributes SET OF Attribute OPTIONAL } */
function safeBag(bagId: string, value: DerValue, attributes: DerValue[]): DerValue {
  return attributes.length > 0
    ? sequence(objectIdentifier(bagId), explicitTag(0, value), setOf(...attributes))
    : sequence(objectIdentifier(bagId), explicitTag(0, value));
}

/** CertBag ::= SEQUENCE { certId x509Certificate, certValue [0] EXPLICIT OCTET STRING } */
function certBag(certificateDer: Buffer, attributes: DerValue[]): DerValue {
  return safeBag(OID.certBag, sequence(objectIdentifier(OID.x509Certificate), explicitTag(0, octetString(certificateDer))), attributes);
}

/** ContentInfo of type data: content [0] EXPLICIT OCTET STRING. */
function dataContentInfo(content: Buffer): DerValue {
  return sequence(objectIdentifier(OID.data), explicitTag(0, octetString(content)));
}

/** Writes PKCS#12 files with one profile; `derivations` lets a store set share salts and keys (derived asynchronously). */
export class Pkcs12Encoder implements StoreEncoder {
  constructor(
    private readonly profile: Pkcs12Profile,
    private readonly derivations: KeyDerivations = new KeyDerivations(),
  ) {}

  async encode(content: StoreContent, password: string): Promise<Buffer> {
    const { profile, derivations } = this;
    const certificateBags: DerValue[] = [];
    const safes: DerValue[] = [];
    let keySafe: DerValue | undefined;
    if (content.privateKey) {
      const { alias, pkcs8, chain } = content.privateKey;
      // Like OpenSSL: the localKeyId is the SHA-1 of the leaf, stable for equal input.
      const keyId = createHash('sha1').update(chain[0].der).digest();
      const shrouded = await encrypt(profile.keyEncryption, pkcs8, password, profile.iterations, derivations);
      const keyBag = safeBag(OID.pkcs8ShroudedKeyBag, sequence(shrouded.algorithmId, octetString(shrouded.ciphertext)), [
        friendlyName(alias),
        localKeyId(keyId),
      ]);
      keySafe = dataContentInfo(encodeDer(sequence(keyBag)));
      certificateBags.push(certBag(chain[0].der, [friendlyName(alias), localKeyId(keyId)]));
      for (const certificate of chain.slice(1)) certificateBags.push(certBag(certificate.der, []));
    }
    for (const { alias, certificate } of content.trusted) {
      certificateBags.push(certBag(certificate.der, [friendlyName(alias), JAVA_TRUSTED]));
    }
    if (certificateBags.length > 0) {
      const encrypted = await encrypt(profile.certificateEncryption, encodeDer(sequence(...certificateBags)), password, profile.iterations, derivations);
      // EncryptedData ::= SEQUENCE { version 0, EncryptedContentInfo { data, algorithm, [0] IMPLICIT content } }
      const encryptedData = sequence(integer(0), sequence(objectIdentifier(OID.data), encrypted.algorithmId, implicitOctets(0, encrypted.ciphertext)));
      safes.push(sequence(objectIdentifier(OID.encryptedData), explicitTag(0, encryptedData)));
    }
    if (keySafe) safes.push(keySafe);
    const authenticatedSafe = encodeDer(sequence(...safes));
    const macSalt = derivations.sharedSalt('mac', password);
    const macKey = await derivations.pkcs12Async(profile.macHash, password, macSalt, 3, profile.iterations, MAC_LENGTH[profile.macHash]);
    const mac = createHmac(profile.macHash, macKey).update(authenticatedSafe).digest();
    // MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER }
    const macData = sequence(sequence(algorithmIdentifier(MAC_OIDS[profile.macHash]), octetString(mac)), octetString(macSalt), integer(profile.iterations));
    return encodeDer(sequence(integer(3), dataContentInfo(authenticatedSafe), macData));
  }
}
