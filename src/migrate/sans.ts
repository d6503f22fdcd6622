// SANS as ONAP's CertService client types them (certServiceClient SanMapper): the env is split
// on ',' and each entry is tried, in this order, as an e-mail address, an IP address (v4 or v6),
// a domain name, then an RFC 3986 URI; anything else makes the client refuse to start. The client
// checks domain names against the IANA TLD list (local names allowed); we check the syntax only
// and require an alphabetic last label, so every name the client accepted types the same here.
import { isIP } from 'node:net';
import { SANS_DELIMITER } from './onapClient.js';

export interface TypedSans {
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  /** Entries the client would have refused. */
  invalid: string[];
}

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LABEL = /^[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/;

/** A host name: dot-separated labels, the last alphabetic-first (a TLD or a single local name). */
export function isDomainName(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  const labels = value.split('.');
  return labels.every((l) => LABEL.test(l)) && TOP_LABEL.test(labels[labels.length - 1]);
}

export function isEmailAddress(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at > 64) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!LOCAL_PART.test(local)) return false;
  if (domain.startsWith('[') && domain.endsWith(']')) return isIP(domain.slice(1, -1)) !== 0;
  return domain.includes('.') && isDomainName(domain);
}

export function isIpAddress(value: string): boolean {
  return isIP(value) !== 0;
}

export function isUri(value: string): boolean {
  return URI.test(value);
}

/** Splits and types a SANS value; empty entries (a trailing ',') are dropped. */
export function typeSans(value: string): TypedSans {
  const typed: TypedSans = { dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [], invalid: [] };
  for (const raw of value.split(SANS_DELIMITER)) {
    const san = raw.trim();
    if (san === '') continue;
    if (isEmailAddress(san)) typed.emailAddresses.push(san);
    else if (isIpAddress(san)) typed.ipAddresses.push(san);
    else if (isDomainName(san)) typed.dnsNames.push(san);
    else if (isUri(san)) typed.uris.push(san);
    else typed.invalid.push(san);
  }
  return typed;
}
