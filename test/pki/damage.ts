// Damaged copies of real certificates, as the attacker made them (one byte changed), each
// damage of a kind the old structural check let through and Java or OpenSSL then refused.
import { X509Certificate } from 'node:crypto';
import { toPem } from '../../src/pki/pem.js';

function der(pem: string): Buffer {
  return Buffer.from(new X509Certificate(pem).raw);
}

/** A self-signed certificate whose last signature byte is changed: parses, but its signature fails. */
export function damageSignature(pem: string): string {
  const bytes = der(pem);
  bytes[bytes.length - 1] ^= 0x01;
  return toPem('CERTIFICATE', bytes);
}

/** basicConstraints whose cA BOOLEAN tag becomes OCTET STRING (Java: "Invalid encoding of BasicConstraints"). */
export function damageBasicConstraints(pem: string): string {
  const bytes = der(pem);
  // id-ce-basicConstraints, [critical], OCTET STRING { SEQUENCE { BOOLEAN TRUE … } }
  const oid = bytes.indexOf(Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x13]));
  const boolean = bytes.indexOf(Buffer.from([0x01, 0x01, 0xff]), oid + 5 + 3);
  if (oid < 0 || boolean < 0 || boolean > oid + 16) throw new Error('no basicConstraints cA=TRUE to damage');
  bytes[boolean] = 0x04;
  return toPem('CERTIFICATE', bytes);
}

/** notAfter's hour becomes 6x (Java: "Parse UTC time, invalid format"; Date.UTC rolled it over). */
export function damageValidity(pem: string): string {
  const bytes = der(pem);
  // The second UTCTime (tag 0x17, length 13) is notAfter: YYMMDDhhmmssZ, hour at offset 6.
  const first = bytes.indexOf(Buffer.from([0x17, 0x0d]));
  const second = bytes.indexOf(Buffer.from([0x17, 0x0d]), first + 15);
  if (second < 0) throw new Error('no UTCTime notAfter to damage');
  bytes[second + 2 + 6] = 0x36;
  return toPem('CERTIFICATE', bytes);
}
