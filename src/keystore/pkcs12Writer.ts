// PKCS#12 (RFC 7292) writer. Layout as OpenSSL and Java write it: an AuthenticatedSafe with
// one encrypted safe of certificate bags and one plain safe holding the shrouded key bag,
// protected by an HMAC over the AuthenticatedSafe.
//   keystore: key bag + leaf carry friendlyName = alias and one localKeyId; chain certs follow.
//   truststore: each cert bag carries friendlyName = alias and Java's trusted-key-usage
//   attribute (anyExtendedKeyUsage), so keytool lists it as trustedCertEntry.
import { createHash, createHmac } from 'node:crypto';
import type * as asn1js from 'asn1js';
import { algorithm, bmp, der, explicit, implicitOctets, int, octets, oid, seq, set } from './asn1.js';
import { encrypt } from './pbe.js';
import { KeyDerivations } from './keyDerivations.js';
import { OID } from './oids.js';
import type { Pkcs12Profile } from './pkcs12Profiles.js';
import type { StoreContent, StoreEncoder } from './storeContent.js';

const MAC_OIDS = { sha1: OID.sha1, sha224: OID.sha224, sha256: OID.sha256, sha384: OID.sha384, sha512: OID.sha512 } as const;
const MAC_LENGTH = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 } as const;

const attribute = (type: string, value: asn1js.AsnType): asn1js.Sequence => seq(oid(type), set(value));
const friendlyName = (alias: string): asn1js.Sequence => attribute(OID.friendlyName, bmp(alias));
const localKeyId = (id: Buffer): asn1js.Sequence => attribute(OID.localKeyId, octets(id));
const javaTrusted = (): asn1js.Sequence => attribute(OID.javaTrustedKeyUsage, oid(OID.anyExtendedKeyUsage));

function safeBag(bagId: string, value: asn1js.AsnType, attributes: asn1js.AsnType[]): asn1js.Sequence {
  const bag = seq(oid(bagId), explicit(0, value));
  if (attributes.length > 0) bag.valueBlock.value.push(set(...attributes));
  return bag;
}

function certBag(certificateDer: Buffer, attributes: asn1js.AsnType[]): asn1js.Sequence {
  return safeBag(OID.certBag, seq(oid(OID.x509Certificate), explicit(0, octets(certificateDer))), attributes);
}

function dataContentInfo(content: Buffer): asn1js.Sequence {
  return seq(oid(OID.data), explicit(0, octets(content)));
}

/** Writes PKCS#12 files with one profile; `derivations` lets a store set share salts and keys. */
export class Pkcs12Encoder implements StoreEncoder {
  constructor(
    private readonly profile: Pkcs12Profile,
    private readonly derivations: KeyDerivations = new KeyDerivations(),
  ) {}

  encode(content: StoreContent, password: string): Buffer {
    const { profile, derivations } = this;
    const certificateBags: asn1js.Sequence[] = [];
    const safes: asn1js.Sequence[] = [];
    let keySafe: asn1js.Sequence | undefined;
    if (content.privateKey) {
      const { alias, pkcs8, chain } = content.privateKey;
      // Like OpenSSL: the localKeyId is the SHA-1 of the leaf, stable for equal input.
      const keyId = createHash('sha1').update(chain[0].der).digest();
      const shrouded = encrypt(profile.keyEncryption, pkcs8, password, profile.iterations, derivations);
      const keyBag = safeBag(OID.pkcs8ShroudedKeyBag, seq(shrouded.algorithmId, octets(shrouded.ciphertext)), [friendlyName(alias), localKeyId(keyId)]);
      keySafe = dataContentInfo(der(seq(keyBag)));
      certificateBags.push(certBag(chain[0].der, [friendlyName(alias), localKeyId(keyId)]));
      for (const certificate of chain.slice(1)) certificateBags.push(certBag(certificate.der, []));
    }
    for (const { alias, certificate } of content.trusted) {
      certificateBags.push(certBag(certificate.der, [friendlyName(alias), javaTrusted()]));
    }
    if (certificateBags.length > 0) {
      const encrypted = encrypt(profile.certificateEncryption, der(seq(...certificateBags)), password, profile.iterations, derivations);
      const encryptedData = seq(int(0), seq(oid(OID.data), encrypted.algorithmId, implicitOctets(0, encrypted.ciphertext)));
      safes.push(seq(oid(OID.encryptedData), explicit(0, encryptedData)));
    }
    if (keySafe) safes.push(keySafe);
    const authenticatedSafe = der(seq(...safes));
    const macSalt = derivations.sharedSalt('mac', password);
    const macKey = derivations.pkcs12(profile.macHash, password, macSalt, 3, profile.iterations, MAC_LENGTH[profile.macHash]);
    const mac = createHmac(profile.macHash, macKey).update(authenticatedSafe).digest();
    const macData = seq(seq(algorithm(MAC_OIDS[profile.macHash]), octets(mac)), octets(macSalt), int(profile.iterations));
    return der(seq(int(3), dataContentInfo(authenticatedSafe), macData));
  }
}
