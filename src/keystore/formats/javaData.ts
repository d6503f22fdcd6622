// Java's DataOutputStream encodings that JKS uses: modified UTF-8 strings and UTF-16BE passwords.
import { StoreReadError } from '../errors.js';

/** `DataOutputStream.writeUTF`: 2-byte length, then modified UTF-8 (NUL as C0 80, UTF-16 units). */
export function encodeJavaUtf(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x01 && c <= 0x7f) bytes.push(c);
    else if (c <= 0x7ff) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  if (bytes.length > 0xffff) throw new RangeError('string too long for a Java UTF field');
  const out = Buffer.allocUnsafe(2 + bytes.length);
  out.writeUInt16BE(bytes.length, 0);
  out.set(bytes, 2);
  return out;
}

/** `DataInputStream.readUTF` at `offset`; returns the string and the offset after it. */
export function decodeJavaUtf(data: Buffer, offset: number): { text: string; next: number } {
  if (offset + 2 > data.length) throw new StoreReadError('JKS is truncated (string length)');
  const length = data.readUInt16BE(offset);
  const end = offset + 2 + length;
  if (end > data.length) throw new StoreReadError('JKS is truncated (string)');
  let text = '';
  let i = offset + 2;
  while (i < end) {
    const a = data[i];
    if (a < 0x80) {
      text += String.fromCharCode(a);
      i += 1;
    } else if ((a & 0xe0) === 0xc0 && i + 1 < end) {
      text += String.fromCharCode(((a & 0x1f) << 6) | (data[i + 1] & 0x3f));
      i += 2;
    } else if ((a & 0xf0) === 0xe0 && i + 2 < end) {
      text += String.fromCharCode(((a & 0x0f) << 12) | ((data[i + 1] & 0x3f) << 6) | (data[i + 2] & 0x3f));
      i += 3;
    } else {
      throw new StoreReadError('JKS holds a malformed string');
    }
  }
  return { text, next: end };
}

/** A password as Java's `char[]` in big-endian bytes, what the JKS digests are computed over. */
export function utf16be(text: string): Buffer {
  const out = Buffer.from(text, 'utf16le');
  return out.swap16();
}
