// PKCS#12 (RFC 7292) reader for our files and for those of OpenSSL and keytool: checks the MAC,
// decrypts the safes and groups bags into entries the way Java does (key + leaf by localKeyId,
// chain by issuer, other certificates as trusted entries).
import { createHmac, timingSafeEqual, X509Certificate } from 'node:crypto';

import { children, parse, readBmp, readExplicit, readInt, readOctets, readOid, type Node } from './asn1.js';
import { StoreReadError } from '../errors.js';
import { decrypt } from './pbe.js';
import { KeyDerivations } from '../crypto/keyDerivations.js';
import { OID } from './oids.js';
import type { Pkcs12Hash } from '../crypto/pkcs12Kdf.js';
import type { ReadEntry } from '../storeContent.js';

const MAC_HASHES: Record<string, Pkcs12Hash> = {
  [OID.sha1]: 'sha1',
  [OID.sha224]: 'sha224',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};
/**
 * Total PBKDF2 and PKCS#12-KDF iterations one file may ask for (MAC and every encrypted bag
 * together). keytool writes 10,000 per derivation, OpenSSL 2,048; 1,000,000 costs about a second.
 */
export const MAX_KDF_ITERATIONS_PER_FILE = 1_000_000;

const MAC_LENGTH: Record<Pkcs12Hash, number> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

interface BagAttributes {
  friendlyName?: string;
  localKeyId?: string;
  javaTrusted: boolean;
}

interface Pkcs12Bags {
  keys: { pkcs8: Buffer; attributes: BagAttributes }[];
  certificates: { der: Buffer; attributes: BagAttributes }[];
}

/** What a PKCS#12 file declares about its protection, for tests and diagnostics. */
export interface Pkcs12Protection {
  macHash?: Pkcs12Hash;
  macIterations?: number;
  /** Encryption algorithm OIDs in file order (PBES2 as "pbes2:<cipher oid>"). */
  encryptions: string[];
}

function readAttributes(node: Node | undefined): BagAttributes {
  const attributes: BagAttributes = { javaTrusted: false };
  if (!node) return attributes;
  for (const attribute of children(node, 'bag attributes')) {
    const [typeNode, valuesNode] = children(attribute, 'bag attribute', 2);
    const type = readOid(typeNode, 'bag attribute type');
    const [value] = children(valuesNode, 'bag attribute values', 1);
    if (type === OID.friendlyName) attributes.friendlyName = readBmp(value, 'friendlyName');
    else if (type === OID.localKeyId) attributes.localKeyId = readOctets(value, 'localKeyId').toString('hex');
    else if (type === OID.javaTrustedKeyUsage) attributes.javaTrusted = true;
  }
  return attributes;
}

function describeAlgorithm(algorithmId: Node): string {
  const [idNode, parameters] = children(algorithmId, 'encryption algorithm', 1);
  const id = readOid(idNode, 'encryption algorithm');
  if (id !== OID.pbes2) return id;
  const [, scheme] = children(parameters, 'PBES2 parameters', 2);
  return `pbes2:${readOid(children(scheme, 'PBES2 scheme', 1)[0], 'PBES2 cipher')}`;
}

class Pkcs12Parser {
  readonly bags: Pkcs12Bags = { keys: [], certificates: [] };
  readonly protection: Pkcs12Protection = { encryptions: [] };
  private readonly derivations = new KeyDerivations({
    maxIterations: MAX_KDF_ITERATIONS_PER_FILE,
    exceeded: (asked, spent) =>
      new StoreReadError(
        `PKCS#12 asks for ${spent + asked} key-derivation iterations in total, more than the ${MAX_KDF_ITERATIONS_PER_FILE} a store may cost; re-export it with fewer iterations`,
      ),
  });

  constructor(private readonly password: string) {}

  read(data: Buffer): void {
    const [versionNode, authSafeNode, macDataNode] = children(parse(data, 'PKCS#12 file'), 'PKCS#12 file', 2);
    if (readInt(versionNode, 'PKCS#12 version') !== 3) throw new StoreReadError('unsupported PKCS#12 version');
    const [contentType, content] = children(authSafeNode, 'PKCS#12 authSafe', 2);
    if (readOid(contentType, 'authSafe content type') !== OID.data) {
      throw new StoreReadError('PKCS#12 with public-key integrity is not supported');
    }
    const authenticatedSafe = readOctets(readExplicit(content, 0, 'authSafe'), 'authSafe');
    // Without MacData nothing checks the password or the integrity (a plain safe reads with any
    // password): refused, as a store we cannot authenticate is not one to trust.
    if (!macDataNode) {
      throw new StoreReadError(
        'PKCS#12 has no MAC, so neither its password nor its integrity can be checked; export it again with a MAC (keytool and openssl pkcs12 -export add one by default)',
      );
    }
    this.checkMac(macDataNode, authenticatedSafe);
    for (const contentInfo of children(parse(authenticatedSafe, 'AuthenticatedSafe'), 'AuthenticatedSafe')) {
      const [typeNode, inner] = children(contentInfo, 'ContentInfo', 2);
      const type = readOid(typeNode, 'ContentInfo type');
      if (type === OID.data) {
        this.readSafeContents(readOctets(readExplicit(inner, 0, 'data'), 'data'));
      } else if (type === OID.encryptedData) {
        const [, encryptedContentInfo] = children(readExplicit(inner, 0, 'encryptedData'), 'EncryptedData', 2);
        const [, algorithmId, encrypted] = children(encryptedContentInfo, 'EncryptedContentInfo', 3);
        this.protection.encryptions.push(describeAlgorithm(algorithmId));
        this.readSafeContents(decrypt(algorithmId, readOctets(encrypted, 'encrypted content'), this.password, this.derivations));
      } else {
        throw new StoreReadError(`PKCS#12 content type ${type} is not supported`);
      }
    }
  }

  private checkMac(macDataNode: Node, authenticatedSafe: Buffer): void {
    const [digestInfo, saltNode, iterationsNode] = children(macDataNode, 'MacData', 2);
    const [digestAlgorithm, digestNode] = children(digestInfo, 'MAC DigestInfo', 2);
    const hashOid = readOid(children(digestAlgorithm, 'MAC algorithm', 1)[0], 'MAC algorithm');
    const macHash = MAC_HASHES[hashOid];
    if (!macHash) throw new StoreReadError(`PKCS#12 MAC algorithm ${hashOid} is not supported`);
    const iterations = iterationsNode ? readInt(iterationsNode, 'MAC iterations') : 1;
    if (iterations < 1 || iterations > 10_000_000) throw new StoreReadError('MAC iteration count out of range');
    const salt = readOctets(saltNode, 'MAC salt');
    const key = this.derivations.pkcs12(macHash, this.password, salt, 3, iterations, MAC_LENGTH[macHash]);
    const expected = createHmac(macHash, key).update(authenticatedSafe).digest();
    const actual = readOctets(digestNode, 'MAC');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      throw new StoreReadError('PKCS#12 MAC check failed: wrong password or damaged store');
    }
    this.protection.macHash = macHash;
    this.protection.macIterations = iterations;
  }

  private readSafeContents(der: Buffer): void {
    for (const bag of children(parse(der, 'SafeContents'), 'SafeContents')) {
      const [idNode, valueNode, attributesNode] = children(bag, 'SafeBag', 2);
      const bagId = readOid(idNode, 'SafeBag type');
      const value = readExplicit(valueNode, 0, 'SafeBag value');
      const attributes = readAttributes(attributesNode);
      if (bagId === OID.keyBag) {
        this.bags.keys.push({ pkcs8: Buffer.from(value.toBER(false)), attributes });
      } else if (bagId === OID.pkcs8ShroudedKeyBag) {
        const [algorithmId, encrypted] = children(value, 'EncryptedPrivateKeyInfo', 2);
        this.protection.encryptions.push(describeAlgorithm(algorithmId));
        this.bags.keys.push({ pkcs8: decrypt(algorithmId, readOctets(encrypted, 'encrypted key'), this.password, this.derivations), attributes });
      } else if (bagId === OID.certBag) {
        const [typeNode, certificateNode] = children(value, 'CertBag', 2);
        if (readOid(typeNode, 'CertBag type') !== OID.x509Certificate) continue;
        this.bags.certificates.push({ der: readOctets(readExplicit(certificateNode, 0, 'certValue'), 'certValue'), attributes });
      } else if (bagId === OID.safeContentsBag) {
        this.readSafeContents(Buffer.from(value.toBER(false)));
      }
      // CRL and secret bags hold nothing a key or trust store needs; they are ignored as Java does.
    }
  }
}

/** Orders the other certificates after `leaf` by issuer, as far as they chain. */
function buildChain(leaf: Buffer, pool: Buffer[], used: Set<Buffer>): Buffer[] {
  const parsed = pool.map((der) => ({ der, x509: new X509Certificate(der) }));
  const chain = [leaf];
  let current = new X509Certificate(leaf);
  for (;;) {
    if (current.issuer === current.subject) break;
    const issuer = parsed.find((c) => !used.has(c.der) && !chain.includes(c.der) && current.checkIssued(c.x509));
    if (!issuer) break;
    chain.push(issuer.der);
    used.add(issuer.der);
    current = issuer.x509;
  }
  return chain;
}

export interface Pkcs12Contents {
  entries: ReadEntry[];
  protection: Pkcs12Protection;
}

/** Reads a PKCS#12 file: private key entries first, then trusted certificates in file order. */
export function readPkcs12(data: Buffer, password: string): Pkcs12Contents {
  try {
    return readPkcs12Unchecked(data, password);
  } catch (err) {
    // Every failure is typed, whatever library raised it (asn1js, node's X509Certificate, …).
    if (err instanceof StoreReadError) throw err;
    throw new StoreReadError(`cannot read PKCS#12: ${err instanceof Error ? err.message : String(err)}; the file is damaged or not PKCS#12`);
  }
}

function readPkcs12Unchecked(data: Buffer, password: string): Pkcs12Contents {
  const parser = new Pkcs12Parser(password);
  parser.read(data);
  const { keys, certificates } = parser.bags;
  const used = new Set<Buffer>();
  const entries: ReadEntry[] = [];
  const keyIds = new Set(keys.map((k) => k.attributes.localKeyId).filter((id) => id !== undefined));
  for (const [i, key] of keys.entries()) {
    const leaf = certificates.find((c) => c.attributes.localKeyId !== undefined && c.attributes.localKeyId === key.attributes.localKeyId);
    if (!leaf) throw new StoreReadError(`PKCS#12 key ${i + 1} has no certificate with its localKeyId`);
    used.add(leaf.der);
    const pool = certificates.filter((c) => !c.attributes.javaTrusted && !(c.attributes.localKeyId && keyIds.has(c.attributes.localKeyId))).map((c) => c.der);
    const chain = buildChain(leaf.der, pool, used);
    const alias = key.attributes.friendlyName ?? leaf.attributes.friendlyName ?? String(i + 1);
    entries.push({ kind: 'privateKey', alias, pkcs8: key.pkcs8, chain });
  }
  let unnamed = 0;
  for (const certificate of certificates) {
    if (used.has(certificate.der)) continue;
    unnamed += certificate.attributes.friendlyName ? 0 : 1;
    const alias = certificate.attributes.friendlyName ?? `certificate-${unnamed}`;
    entries.push({ kind: 'trustedCertificate', alias, certificate: certificate.der });
  }
  return { entries, protection: parser.protection };
}
