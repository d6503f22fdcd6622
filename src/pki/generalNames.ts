// GeneralNames (RFC 5280 §4.2.1.6) as Java's sun.security.x509.GeneralName decodes them when it
// loads a certificate (subject/issuer alternative names, CRL distribution points, authority
// information access). A name Java refuses makes CertificateFactory refuse the certificate, and
// with it the whole truststore: each choice must have its form (primitive or constructed), and
// the names Java validates must pass its rules (rfc822Name, dNSName, iPAddress, URI).
import { isIPv4, isIPv6 } from 'node:net';
import { DerFormatError, expectTag, readChildren, type Tlv } from './derReader.js';

const CHOICES = [
  'otherName',
  'rfc822Name',
  'dNSName',
  'x400Address',
  'directoryName',
  'ediPartyName',
  'uniformResourceIdentifier',
  'iPAddress',
  'registeredID',
];
/** otherName, x400Address, directoryName and ediPartyName are constructed; the rest primitive. */
const CONSTRUCTED = new Set([0, 3, 4, 5]);
const ALPHA_DIGITS = /^[A-Za-z0-9]$/;

/**
 * A Name as Java's X500Name reads it: a SEQUENCE of SETs, each of at least one SEQUENCE { OID,
 * value } (a SET Java cannot read as one, e.g. primitive, makes it refuse the certificate).
 */
export function checkName(der: Buffer, name: Tlv, what: string): void {
  for (const rdn of readChildren(der, expectTag(name, 0x30, what), what)) {
    const attributes = readChildren(der, expectTag(rdn, 0x31, what), what);
    if (attributes.length === 0) throw new DerFormatError(`${what} has an empty relative distinguished name`);
    for (const atv of attributes) {
      const parts = readChildren(der, expectTag(atv, 0x30, what), what);
      if (parts.length !== 2 || parts[0].tag !== 0x06) throw new DerFormatError(`${what} is malformed`);
    }
  }
}

/** Checks every GeneralName of a GeneralNames SEQUENCE (or of an IMPLICIT-tagged one: any tag). */
export function checkGeneralNames(der: Buffer, names: Tlv, what: string): void {
  const all = readChildren(der, names, what);
  // GeneralNames ::= SEQUENCE SIZE (1..MAX); Java refuses an empty one in a critical extension.
  if (all.length === 0) throw new DerFormatError(`${what} holds no name`);
  for (const name of all) checkGeneralName(der, name, what);
}

export function checkGeneralName(der: Buffer, name: Tlv, what: string): void {
  const choice = name.tag & 0x1f;
  if ((name.tag & 0xc0) !== 0x80 || choice >= CHOICES.length) throw new DerFormatError(`${what} holds a name of an unknown type`);
  const label = `${what}: ${CHOICES[choice]}`;
  if (((name.tag & 0x20) !== 0) !== CONSTRUCTED.has(choice)) throw new DerFormatError(`${label} has the wrong encoding (Java refuses it)`);
  const text = der.subarray(name.start, name.end).toString('latin1');
  switch (choice) {
    case 1:
      return checkRfc822Name(text, label);
    case 2:
      return checkDnsName(text, true, label);
    case 4: {
      // directoryName [4] EXPLICIT Name
      const children = readChildren(der, name, label);
      if (children.length !== 1) throw new DerFormatError(`${label} is malformed`);
      return checkName(der, children[0], label);
    }
    case 6:
      return checkUri(text, label);
    case 7:
      if (![4, 8, 16, 32].includes(name.end - name.start)) throw new DerFormatError(`${label} is not 4 or 16 bytes long`);
      return;
    case 8:
      if (name.end === name.start || der[name.end - 1] & 0x80) throw new DerFormatError(`${label} is not an object identifier`);
      return;
  }
}

/** sun.security.x509.RFC822Name.parseName. */
function checkRfc822Name(name: string, label: string): void {
  if (name.length === 0) throw new DerFormatError(`${label} is empty`);
  const domain = name.slice(name.indexOf('@') + 1);
  if (domain.length === 0) throw new DerFormatError(`${label} ends with @`);
  if (domain === '.') throw new DerFormatError(`${label} has the domain "."`);
}

/** sun.security.x509.DNSName(String, allowWildcard): letters, digits and hyphens; a leading `*.` wildcard when allowed. */
export function checkDnsName(name: string, allowWildcard: boolean, label: string): void {
  const bad = (why: string): never => {
    throw new DerFormatError(`${label} ${why}`);
  };
  if (name.length === 0) bad('is empty');
  if (name.includes(' ')) bad('has a blank');
  if (name.startsWith('.') || name.endsWith('.')) bad('begins or ends with a dot');
  name.split('.').forEach((component, index) => {
    if (component.length === 0) bad('has an empty component');
    if (!ALPHA_DIGITS.test(component[0])) {
      const wildcard = allowWildcard && index === 0 && component === '*' && name.length >= 3 && ALPHA_DIGITS.test(name[2] ?? '');
      if (!wildcard) bad('has a component that does not begin with a letter or digit');
    }
    for (const c of component.slice(1)) if (!ALPHA_DIGITS.test(c) && c !== '-') bad('has a character other than a letter, digit or hyphen');
  });
}

// java.net.URI (RFC 2396) accepts these characters; % must start an escape.
const URI_CHARS = /^(?:[A-Za-z0-9\-_.!~*'();/?:@&=+$,[\]#]|%[0-9A-Fa-f]{2})*$/;

/** sun.security.x509.URIName: a URI with a scheme whose host, if any, is a DNS name or an IP address. Stricter than Java where they differ. */
function checkUri(uri: string, label: string): void {
  if (!URI_CHARS.test(uri)) throw new DerFormatError(`${label} is not a valid URI`);
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(uri);
  if (!scheme) throw new DerFormatError(`${label} has no scheme`);
  const rest = uri.slice(scheme[0].length);
  if (!rest.startsWith('//')) return;
  const authority = rest.slice(2).split(/[/?#]/)[0];
  let host = authority.slice(authority.lastIndexOf('@') + 1);
  if (host.startsWith('[')) {
    if (!host.includes(']') || !isIPv6(host.slice(1, host.indexOf(']')))) throw new DerFormatError(`${label} has a bad IPv6 host`);
    return;
  }
  host = host.replace(/:\d*$/, '');
  if (host.length === 0) return;
  if (isIPv4(host)) return;
  checkDnsName(host, false, `${label} host`);
}
