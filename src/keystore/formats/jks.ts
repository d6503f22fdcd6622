// Java KeyStore (JKS) files: magic 0xFEEDFEED, version 2, entries, then a SHA-1 over the
// UTF-16BE password, the "Mighty Aphrodite" whitener and everything before it. Aliases keep
// their case (keytool lower-cases on its own); entries are dated with the certificate's
// notBefore, so equal input gives equal bytes.
//
// Aliases are stored lower-cased, as keytool and KeyStore.setEntry store them: Java's JKS looks
// every entry up by the lower-cased alias, so a mixed-case alias in the file is listed but can
// never be read (keytool -list -v: "Alias <MyKey> does not exist"; JSSE finds no key). The
// case is kept where the format allows it: the PKCS#12 friendlyName.
import { createHash, timingSafeEqual } from 'node:crypto';
import { StoreReadError } from '../errors.js';
import { decodeJavaUtf, encodeJavaUtf, utf16be } from './javaData.js';
import { protectJksKey, recoverJksKey } from './jksKeyProtector.js';
import type { ReadEntry, StoreContent, StoreEncoder } from '../storeContent.js';

const MAGIC = 0xfeedfeed;
const JCEKS_MAGIC = 0xcececece;
const VERSION = 2;
const TAG_PRIVATE_KEY = 1;
const TAG_TRUSTED_CERTIFICATE = 2;
const WHITENER = Buffer.from('Mighty Aphrodite', 'utf8');
const X509 = encodeJavaUtf('X.509');

/** What Java's JKS does to an alias (`toLowerCase(Locale.ENGLISH)`). */
export function jksAlias(alias: string): string {
  return alias.toLowerCase();
}

function u32(value: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(value, 0);
  return out;
}

function date(value: Date): Buffer {
  const out = Buffer.allocUnsafe(8);
  out.writeBigInt64BE(BigInt(value.getTime()), 0);
  return out;
}

function integrityDigest(password: string, body: Buffer): Buffer {
  return createHash('sha1').update(utf16be(password)).update(WHITENER).update(body).digest();
}

/** Writes JKS bytes: the private key entry first (if any), then trusted certificates in order. */
export function encodeJks(content: StoreContent, password: string): Buffer {
  const parts: Buffer[] = [u32(MAGIC), u32(VERSION), u32((content.privateKey ? 1 : 0) + content.trusted.length)];
  if (content.privateKey) {
    const { alias, pkcs8, chain } = content.privateKey;
    const protectedKey = protectJksKey(pkcs8, password);
    parts.push(u32(TAG_PRIVATE_KEY), encodeJavaUtf(jksAlias(alias)), date(chain[0].notBefore), u32(protectedKey.length), protectedKey);
    parts.push(u32(chain.length));
    for (const certificate of chain) parts.push(X509, u32(certificate.der.length), certificate.der);
  }
  for (const { alias, certificate } of content.trusted) {
    parts.push(u32(TAG_TRUSTED_CERTIFICATE), encodeJavaUtf(jksAlias(alias)), date(certificate.notBefore));
    parts.push(X509, u32(certificate.der.length), certificate.der);
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, integrityDigest(password, body)]);
}

// The JKS key protector is a SHA-1 stream over the key (no iterated KDF): cheap, done in place.
export const jksEncoder: StoreEncoder = { encode: async (content, password) => encodeJks(content, password) };

/** A cursor over JKS bytes whose every read checks the bounds. */
class Reader {
  offset = 0;
  constructor(private readonly data: Buffer) {}
  private need(length: number, what: string): void {
    if (this.offset + length > this.data.length) throw new StoreReadError(`JKS is truncated (${what})`);
  }
  u32(what: string): number {
    this.need(4, what);
    const value = this.data.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  date(): Date {
    this.need(8, 'date');
    const value = this.data.readBigInt64BE(this.offset);
    this.offset += 8;
    return new Date(Number(value));
  }
  utf(): string {
    const { text, next } = decodeJavaUtf(this.data, this.offset);
    this.offset = next;
    return text;
  }
  bytes(what: string): Buffer {
    const length = this.u32(what);
    this.need(length, what);
    const value = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  certificate(version: number): Buffer {
    if (version === 2) {
      const type = this.utf();
      if (type !== 'X.509') throw new StoreReadError(`JKS holds an unsupported certificate type ${type}`);
    }
    return this.bytes('certificate');
  }
}

/** Reads a JKS file, checks its integrity digest and recovers private keys with `password`. */
export function readJks(data: Buffer, password: string): ReadEntry[] {
  try {
    return readJksUnchecked(data, password);
  } catch (err) {
    // Every failure is typed, whatever raised it.
    if (err instanceof StoreReadError) throw err;
    throw new StoreReadError(`cannot read JKS: ${err instanceof Error ? err.message : String(err)}; the file is damaged or not JKS`);
  }
}

function readJksUnchecked(data: Buffer, password: string): ReadEntry[] {
  if (data.length < 12 + 20) throw new StoreReadError('JKS is truncated');
  const magic = data.readUInt32BE(0);
  if (magic === JCEKS_MAGIC) throw new StoreReadError('this is a JCEKS store, not JKS');
  if (magic !== MAGIC) throw new StoreReadError('not a JKS store (bad magic number)');
  const body = data.subarray(0, data.length - 20);
  if (!timingSafeEqual(integrityDigest(password, body), data.subarray(data.length - 20))) {
    throw new StoreReadError('JKS integrity check failed: wrong password or damaged store');
  }
  const reader = new Reader(body);
  reader.offset = 4;
  const version = reader.u32('version');
  if (version !== 1 && version !== 2) throw new StoreReadError(`unsupported JKS version ${version}`);
  const count = reader.u32('entry count');
  // Each entry takes at least 14 bytes: a count beyond what the file can hold is damage.
  if (count > body.length / 14) throw new StoreReadError(`JKS declares ${count} entries, more than its ${body.length} bytes can hold`);
  const entries: ReadEntry[] = [];
  for (let i = 0; i < count; i++) {
    const tag = reader.u32('entry tag');
    const alias = reader.utf();
    const entryDate = reader.date();
    if (tag === TAG_PRIVATE_KEY) {
      const protectedKey = reader.bytes('key');
      const chainLength = reader.u32('chain length');
      const chain: Buffer[] = [];
      for (let c = 0; c < chainLength; c++) chain.push(reader.certificate(version));
      entries.push({ kind: 'privateKey', alias, pkcs8: recoverJksKey(protectedKey, password), chain, date: entryDate });
    } else if (tag === TAG_TRUSTED_CERTIFICATE) {
      entries.push({ kind: 'trustedCertificate', alias, certificate: reader.certificate(version), date: entryDate });
    } else {
      throw new StoreReadError(`JKS entry ${i + 1} has unsupported tag ${tag}`);
    }
  }
  if (reader.offset !== body.length) throw new StoreReadError('JKS has trailing bytes after its entries');
  return entries;
}
