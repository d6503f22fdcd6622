// Reading X.509 certificate DER (RFC 5280 §4.1) before anything trusts it. `readCertificateFields`
// is a fast structural walk that also reads notBefore; `checkCertificate` adds what a consumer of
// the stores does (issue 11, finding 2: one-byte-damaged CAs passed the walk and broke Java's and
// OpenSSL's loading of the whole truststore): OpenSSL's full parse, its public key decoded, and for
// a self-signed certificate its own signature verified. ~0.1–0.2 ms per certificate.
// Also the one way a certificate's subject is printed in messages (`subjectLine`).
import { X509Certificate } from 'node:crypto';
import { DerFormatError, expectTag, oidText, readChildren, readTlv, type Tlv } from './derReader.js';
import { checkDerValue } from './derStrict.js';
import { checkGeneralName, checkGeneralNames, checkName } from './generalNames.js';
import { RecentByBytes } from './recentByBytes.js';

/** The bytes are not a well-formed X.509 certificate. */
export class CertificateFormatError extends DerFormatError {}

const expect = expectTag;

function readTime(der: Buffer, tlv: Tlv, what = 'validity'): Date {
  const text = der.toString('latin1', tlv.start, tlv.end);
  const match =
    tlv.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : tlv.tag === 0x18
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
        : null;
  if (!match) throw new DerFormatError(`${what} holds a malformed time`);
  let year = Number(match[1]);
  if (tlv.tag === 0x17) year += year < 50 ? 2000 : 1900;
  const [month, day, hour, minute, second] = match.slice(2).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 25:00 or 31 February over; Java and OpenSSL refuse them.
  if (
    Number.isNaN(date.getTime()) ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    date.getUTCHours() !== hour ||
    date.getUTCMinutes() !== minute ||
    second > 59
  ) {
    throw new DerFormatError(`${what} holds an impossible date`);
  }
  return date;
}

export interface CertificateFields {
  notBefore: Date;
  /** The DER of SubjectPublicKeyInfo (a view into the certificate bytes). */
  subjectPublicKeyInfo: Buffer;
}

/** Checks the Certificate / TBSCertificate layout and returns notBefore. */
export function readCertificateNotBefore(der: Buffer): Date {
  return readCertificateFields(der).notBefore;
}

/**
 * Checks a certificate as its consumers will read it; throws CertificateFormatError with the reason.
 * Returns the fields the stores use and OpenSSL's parsed certificate.
 */
export function checkCertificate(der: Buffer): CertificateFields & { x509: X509Certificate } {
  const fields = readCertificateFields(der);
  try {
    checkStrictly(der);
  } catch (err) {
    if (err instanceof DerFormatError) throw new CertificateFormatError(err.message);
    throw err;
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
    void x509.publicKey;
  } catch (err) {
    throw new CertificateFormatError(`OpenSSL cannot parse it: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Java's RSA key rules (RSAKeyFactory), which OpenSSL does not apply when it parses.
  const { asymmetricKeyType, asymmetricKeyDetails } = x509.publicKey;
  if ((asymmetricKeyType === 'rsa' || asymmetricKeyType === 'rsa-pss') && asymmetricKeyDetails) {
    if ((asymmetricKeyDetails.publicExponent ?? 3n) < 3n) throw new CertificateFormatError('its RSA public exponent is below 3');
    if ((asymmetricKeyDetails.modulusLength ?? 512) < 512) throw new CertificateFormatError('its RSA key is shorter than 512 bits');
  }
  // Self-signed, not merely self-issued (a key-rollover certificate names itself as issuer but is
  // signed by the old key): OpenSSL's check_issued also compares the key identifiers.
  if (x509.subject === x509.issuer && x509.checkIssued(x509) && selfSignatureFails(x509)) {
    throw new CertificateFormatError('it is self-signed but its signature does not verify (the certificate is damaged)');
  }
  return { ...fields, x509 };
}

/**
 * `checkCertificate`'s fields, remembered by the certificate's bytes: the verdict depends on the
 * bytes alone, and the same CA certificates and trust bundles come back in every store build
 * (OpenSSL's parse alone is ~0.15 ms a certificate). Certificates that fail are not remembered.
 * 512 certificates of ~1.5 KiB: well under a MiB.
 */
const checkedCertificates = new RecentByBytes<{ notBefore: number; subjectPublicKeyInfo: Buffer }>(512);

/** `checkCertificate`'s fields, from memory when these bytes passed before. */
export function checkCertificateOnce(der: Buffer): CertificateFields {
  const fields = checkedCertificates.get(der, () => {
    const checked = checkCertificate(der);
    return { notBefore: checked.notBefore.getTime(), subjectPublicKeyInfo: Buffer.from(checked.subjectPublicKeyInfo) };
  });
  return { notBefore: new Date(fields.notBefore), subjectPublicKeyInfo: fields.subjectPublicKeyInfo };
}

const EC_PUBLIC_KEY = '1.2.840.10045.2.1';

const EXTENSION_CHECKS: Record<string, (der: Buffer, value: Tlv) => void> = {
  // basicConstraints: SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }
  '2.5.29.19': (der, value) => {
    expectTag(value, 0x30, 'basicConstraints');
    const fields = readChildren(der, value, 'basicConstraints');
    const tags = fields.map((f) => f.tag).join(',');
    if (!['', '1', '2', '1,2'].includes(tags)) throw new DerFormatError('basicConstraints is malformed');
  },
  '2.5.29.15': tagged(0x03),
  '2.5.29.37': (der, value) => {
    for (const purpose of readChildren(der, expectTag(value, 0x30, 'extKeyUsage'), 'extKeyUsage')) expectTag(purpose, 0x06, 'extKeyUsage');
  },
  '2.5.29.14': tagged(0x04),
  // The extensions below: their fields as Java decodes them (a value moved under another
  // extension's OID keeps the outer SEQUENCE but not the fields).
  // privateKeyUsagePeriod: SEQUENCE { notBefore [0] GeneralizedTime OPTIONAL, notAfter [1] … }
  '2.5.29.16': contextFields('privateKeyUsagePeriod', {
    0x80: (der, field) => void readTime(der, { ...field, tag: 0x18 }, 'privateKeyUsagePeriod'),
    0x81: (der, field) => void readTime(der, { ...field, tag: 0x18 }, 'privateKeyUsagePeriod'),
  }),
  // issuingDistributionPoint: SEQUENCE { distributionPoint [0], onlyContainsUserCerts [1] BOOLEAN,
  // onlyContainsCACerts [2] BOOLEAN, onlySomeReasons [3] BIT STRING, indirectCRL [4] BOOLEAN,
  // onlyContainsAttributeCerts [5] BOOLEAN }
  '2.5.29.28': contextFields('issuingDistributionPoint', {
    0xa0: (der, field) => checkDistributionPointName(der, field, 'issuingDistributionPoint'),
    0x81: implicitBoolean,
    0x82: implicitBoolean,
    0x83: (der, field) => {
      if (field.end === field.start || der[field.start] > 7) throw new DerFormatError('issuingDistributionPoint holds a malformed BIT STRING');
    },
    0x84: implicitBoolean,
    0x85: implicitBoolean,
  }),
  // nameConstraints: SEQUENCE { permittedSubtrees [0], excludedSubtrees [1] }, each a SEQUENCE OF
  // GeneralSubtree { base GeneralName, minimum [0] INTEGER, maximum [1] INTEGER }
  '2.5.29.30': contextFields('nameConstraints', { 0xa0: checkGeneralSubtrees, 0xa1: checkGeneralSubtrees }),
  // certificatePolicies: SEQUENCE OF { policyIdentifier OID, policyQualifiers SEQUENCE OF { OID, ANY } OPTIONAL }
  '2.5.29.32': (der, value) => {
    for (const policy of readChildren(der, expectTag(value, 0x30, 'certificatePolicies'), 'certificatePolicies')) {
      const parts = readChildren(der, expectTag(policy, 0x30, 'certificatePolicies'), 'certificatePolicies');
      if (parts.length < 1 || parts.length > 2 || parts[0].tag !== 0x06) throw new DerFormatError('certificatePolicies has a malformed policy');
      if (parts.length === 1) continue;
      const qualifiers = readChildren(der, expectTag(parts[1], 0x30, 'certificatePolicies'), 'certificatePolicies');
      if (qualifiers.length === 0) throw new DerFormatError('certificatePolicies has empty policy qualifiers');
      for (const qualifier of qualifiers) {
        const fields = readChildren(der, expectTag(qualifier, 0x30, 'certificatePolicies'), 'certificatePolicies');
        if (fields.length < 1 || fields.length > 2 || fields[0].tag !== 0x06) throw new DerFormatError('certificatePolicies has a malformed policy qualifier');
      }
    }
  },
  // policyMappings: SEQUENCE OF { issuerDomainPolicy OID, subjectDomainPolicy OID }
  '2.5.29.33': (der, value) => {
    for (const mapping of readChildren(der, expectTag(value, 0x30, 'policyMappings'), 'policyMappings')) {
      const parts = readChildren(der, expectTag(mapping, 0x30, 'policyMappings'), 'policyMappings');
      if (parts.length !== 2 || parts[0].tag !== 0x06 || parts[1].tag !== 0x06) throw new DerFormatError('policyMappings has a malformed mapping');
    }
  },
  // authorityKeyIdentifier: SEQUENCE { keyIdentifier [0] OCTET STRING, authorityCertIssuer [1]
  // GeneralNames, authorityCertSerialNumber [2] INTEGER }, each optional
  '2.5.29.35': contextFields('authorityKeyIdentifier', {
    0x80: () => undefined,
    0xa1: (der, field) => checkGeneralNames(der, field, 'authorityKeyIdentifier'),
    0x82: (_der, field) => implicitInteger(field, 20, 'authorityKeyIdentifier'),
  }),
  // policyConstraints: SEQUENCE { requireExplicitPolicy [0] INTEGER, inhibitPolicyMapping [1] INTEGER }
  '2.5.29.36': contextFields('policyConstraints', {
    0x80: (_der, field) => implicitInteger(field, 4, 'policyConstraints'),
    0x81: (_der, field) => implicitInteger(field, 4, 'policyConstraints'),
  }),
  // subject and issuer alternative names: GeneralNames, each name as Java decodes it
  '2.5.29.17': (der, value) => checkGeneralNames(der, expectTag(value, 0x30, 'subjectAltName'), 'subjectAltName'),
  '2.5.29.18': (der, value) => checkGeneralNames(der, expectTag(value, 0x30, 'issuerAltName'), 'issuerAltName'),
  '2.5.29.29': (der, value) => checkGeneralNames(der, expectTag(value, 0x30, 'certificateIssuer'), 'certificateIssuer'),
  // CRL distribution points and freshest CRL: the fullName [0] and cRLIssuer [2] GeneralNames
  '2.5.29.31': (der, value) => checkDistributionPoints(der, value, 'cRLDistributionPoints'),
  '2.5.29.46': (der, value) => checkDistributionPoints(der, value, 'freshestCRL'),
  // authority / subject information access: SEQUENCE OF { accessMethod OID, accessLocation GeneralName }
  '1.3.6.1.5.5.7.1.1': (der, value) => checkAccessDescriptions(der, value, 'authorityInfoAccess'),
  '1.3.6.1.5.5.7.1.11': (der, value) => checkAccessDescriptions(der, value, 'subjectInfoAccess'),
  ...Object.fromEntries(
    // Extensions Java decodes by OID (sun.security.x509.OIDMap), with their outer type.
    (
      [
        ['20', 0x02],
        ['21', 0x0a],
        ['24', 0x18],
        ['27', 0x02],
        ['54', 0x02],
      ] as const
    ).map(([arc, tag]) => [`2.5.29.${arc}`, tagged(tag)]),
  ),
  '2.16.840.1.113730.1.1': tagged(0x03),
};

function checkDistributionPoints(der: Buffer, value: Tlv, what: string): void {
  for (const point of readChildren(der, expectTag(value, 0x30, what), what)) {
    for (const field of readChildren(der, expectTag(point, 0x30, what), what)) {
      if (field.tag === 0xa0) {
        checkDistributionPointName(der, field, what);
      } else if (field.tag === 0xa2) {
        checkGeneralNames(der, field, `${what} cRLIssuer`);
      } else if (field.tag !== 0x81) {
        throw new DerFormatError(`${what} has an unknown field`);
      }
    }
  }
}

/** distributionPoint [0] DistributionPointName: fullName [0] IMPLICIT GeneralNames, or an RDN [1]. */
function checkDistributionPointName(der: Buffer, field: Tlv, what: string): void {
  const names = readChildren(der, field, what);
  if (names.length !== 1) throw new DerFormatError(`${what} has a malformed distribution point`);
  if (names[0].tag === 0xa0) checkGeneralNames(der, names[0], what);
  else if (names[0].tag !== 0xa1) throw new DerFormatError(`${what} has a malformed distribution point`);
}

function checkAccessDescriptions(der: Buffer, value: Tlv, what: string): void {
  for (const description of readChildren(der, expectTag(value, 0x30, what), what)) {
    const parts = readChildren(der, expectTag(description, 0x30, what), what);
    if (parts.length !== 2 || parts[0].tag !== 0x06) throw new DerFormatError(`${what} is malformed`);
    checkGeneralName(der, parts[1], what);
  }
}

/** A SEQUENCE of optional context-tagged fields, each at most once and in tag order, each with its check. */
function contextFields(what: string, checks: Record<number, (der: Buffer, field: Tlv) => void>): (der: Buffer, value: Tlv) => void {
  return (der, value) => {
    let last = -1;
    for (const field of readChildren(der, expectTag(value, 0x30, what), what)) {
      const check = checks[field.tag];
      if (!check || field.tag <= last) throw new DerFormatError(`${what} holds an unknown, repeated or misplaced field`);
      last = field.tag;
      check(der, field);
    }
  };
}

/** An IMPLICIT INTEGER's content: present, at most `maxBytes` (Java reads these as int or serial). */
function implicitInteger(field: Tlv, maxBytes: number, what: string): void {
  const length = field.end - field.start;
  if (length === 0 || length > maxBytes) throw new DerFormatError(`${what} holds a malformed INTEGER`);
}

/** An IMPLICIT BOOLEAN's content: one byte. */
function implicitBoolean(_der: Buffer, field: Tlv): void {
  if (field.end - field.start !== 1) throw new DerFormatError('an extension holds a BOOLEAN that is not one byte');
}

/** GeneralSubtrees (IMPLICIT-tagged SEQUENCE OF GeneralSubtree): the base name's form, then minimum [0] and maximum [1]. */
function checkGeneralSubtrees(der: Buffer, subtrees: Tlv): void {
  for (const subtree of readChildren(der, subtrees, 'nameConstraints')) {
    const [base, ...bounds] = readChildren(der, expectTag(subtree, 0x30, 'nameConstraints'), 'nameConstraints');
    // The base is a name constraint (".example.org", an address with its mask): only its form is checked here.
    if (!base || (base.tag & 0xc0) !== 0x80 || (base.tag & 0x1f) > 8) throw new DerFormatError('nameConstraints has a malformed subtree');
    let last = -1;
    for (const bound of bounds) {
      if ((bound.tag !== 0x80 && bound.tag !== 0x81) || bound.tag <= last) throw new DerFormatError('nameConstraints has a malformed subtree');
      last = bound.tag;
      implicitInteger(bound, 4, 'nameConstraints');
    }
  }
}

function tagged(tag: number): (der: Buffer, value: Tlv) => void {
  return (_der, value) => {
    if (value.tag !== tag) throw new DerFormatError(`an extension holds tag 0x${value.tag.toString(16)} where 0x${tag.toString(16)} belongs`);
  };
}

/** DER rules over the whole certificate, the version, and each extension's value (as Java reads them). */
function checkStrictly(der: Buffer): void {
  const certificate = checkDerValue(der, 0, der.length, 'certificate');
  const tbs = readTlv(der, certificate.start, certificate.end, 'tbsCertificate');
  const fields = readChildren(der, tbs, 'tbsCertificate');
  if (fields.length === 0) throw new DerFormatError('tbsCertificate is empty');
  let version = 0;
  if (fields[0].tag === 0xa0) {
    const value = expectTag(readTlv(der, fields[0].start, fields[0].end, 'version'), 0x02, 'version');
    if (value.end - value.start !== 1 || der[value.start] > 2) throw new DerFormatError('version is not v1, v2 or v3');
    version = der[value.start];
  }
  // issuer and subject as Java's X500Name reads them; the key as whole bytes (Java reads a key
  // with unused bits as a shorter one and refuses it). walkCertificate checked the layout.
  const at = fields[0].tag === 0xa0 ? 1 : 0;
  checkName(der, fields[at + 2], 'issuer');
  checkName(der, fields[at + 4], 'subject');
  const key = readChildren(der, fields[at + 5], 'subjectPublicKeyInfo');
  if (key.length !== 2 || key[0].tag !== 0x30 || key[1].tag !== 0x03 || der[key[1].start] !== 0) {
    throw new DerFormatError('subjectPublicKeyInfo is malformed or its key is not whole bytes');
  }
  const [algorithm] = readChildren(der, key[0], 'subjectPublicKeyInfo');
  // Java decodes uncompressed EC points only (OpenSSL also takes the compressed and hybrid forms).
  if (algorithm?.tag === 0x06 && oidText(der, algorithm) === EC_PUBLIC_KEY && der[key[1].start + 1] !== 0x04) {
    throw new DerFormatError('the EC public key is not an uncompressed point');
  }
  for (const field of fields) {
    if ((field.tag === 0x81 || field.tag === 0x82) && version < 1) throw new DerFormatError('unique identifiers in a v1 certificate');
    if (field.tag !== 0xa3) continue;
    if (version < 2) throw new DerFormatError('extensions in a certificate that is not v3');
    const extensions = expectTag(readTlv(der, field.start, field.end, 'extensions'), 0x30, 'extensions');
    const seen = new Set<string>();
    for (const extension of readChildren(der, extensions, 'extension')) {
      const parts = readChildren(der, expectTag(extension, 0x30, 'extension'), 'extension');
      if (parts.length < 2) throw new DerFormatError('an extension has no value');
      const id = oidText(der, expectTag(parts[0], 0x06, 'extension id'));
      // RFC 5280 §4.2: one instance of an extension (Java refuses duplicates).
      if (seen.has(id)) throw new DerFormatError(`extension ${id} appears twice`);
      seen.add(id);
      const value = expectTag(parts[parts.length - 1], 0x04, `extension ${id}`);
      if (parts.length > 3 || (parts.length === 3 && parts[1].tag !== 0x01)) throw new DerFormatError(`extension ${id} is malformed`);
      const inner = checkDerValue(der, value.start, value.end, `extension ${id}`);
      EXTENSION_CHECKS[id]?.(der, inner);
    }
  }
}

function selfSignatureFails(x509: X509Certificate): boolean {
  try {
    return !x509.verify(x509.publicKey);
  } catch {
    return false; // an algorithm OpenSSL cannot verify with is not evidence of damage
  }
}

/** Checks the Certificate / TBSCertificate layout and returns the fields the stores use. */
export function readCertificateFields(der: Buffer): CertificateFields {
  try {
    return walkCertificate(der);
  } catch (err) {
    if (err instanceof DerFormatError && !(err instanceof CertificateFormatError)) throw new CertificateFormatError(err.message);
    throw err;
  }
}

function walkCertificate(der: Buffer): CertificateFields {
  const certificate = expect(readTlv(der, 0, der.length, 'certificate'), 0x30, 'certificate');
  if (certificate.end !== der.length) throw new DerFormatError('certificate has trailing bytes');
  const tbs = expect(readTlv(der, certificate.start, certificate.end, 'tbsCertificate'), 0x30, 'tbsCertificate');
  const signatureAlgorithm = expect(readTlv(der, tbs.end, certificate.end, 'signatureAlgorithm'), 0x30, 'signatureAlgorithm');
  const signature = expect(readTlv(der, signatureAlgorithm.end, certificate.end, 'signature'), 0x03, 'signature');
  if (signature.end !== certificate.end) throw new DerFormatError('certificate has extra fields');
  let field = readTlv(der, tbs.start, tbs.end, 'version');
  if (field.tag === 0xa0) field = readTlv(der, field.end, tbs.end, 'serialNumber'); // [0] EXPLICIT version
  expect(field, 0x02, 'serialNumber');
  const innerSignature = expect(readTlv(der, field.end, tbs.end, 'signature'), 0x30, 'signature');
  // RFC 5280 §4.1.1.2: the same AlgorithmIdentifier inside and outside (Java refuses a mismatch).
  if (!sameBytes(der, innerSignature, signatureAlgorithm)) throw new DerFormatError('signatureAlgorithm differs from the tbsCertificate signature field');
  const issuer = expect(readTlv(der, innerSignature.end, tbs.end, 'issuer'), 0x30, 'issuer');
  const validity = expect(readTlv(der, issuer.end, tbs.end, 'validity'), 0x30, 'validity');
  const notBefore = readTlv(der, validity.start, validity.end, 'notBefore');
  const notAfter = readTlv(der, notBefore.end, validity.end, 'notAfter');
  readTime(der, notAfter);
  const subject = expect(readTlv(der, validity.end, tbs.end, 'subject'), 0x30, 'subject');
  const spki = expect(readTlv(der, subject.end, tbs.end, 'subjectPublicKeyInfo'), 0x30, 'subjectPublicKeyInfo');
  let rest = spki;
  // issuerUniqueID [1], subjectUniqueID [2], extensions [3]: each well-formed, nothing after.
  while (rest.end < tbs.end) {
    rest = readTlv(der, rest.end, tbs.end, 'tbsCertificate field');
    if (rest.tag !== 0x81 && rest.tag !== 0x82 && rest.tag !== 0xa3) throw new DerFormatError('tbsCertificate has an unknown field');
  }
  return { notBefore: readTime(der, notBefore), subjectPublicKeyInfo: der.subarray(subject.end, spki.end) };
}

function sameBytes(der: Buffer, a: Tlv, b: Tlv): boolean {
  return a.end - a.start === b.end - b.start && der.compare(der, a.start, a.end, b.start, b.end) === 0;
}

/**
 * The subject as one line for messages and logs, e.g. "CN=a, O=b" (node prints one RDN a line);
 * "(empty subject)" for a certificate named by its SANs only, whose `subject` node leaves undefined.
 */
export function subjectLine(certificate: X509Certificate): string {
  const subject = certificate.subject as string | undefined;
  return subject ? subject.replace(/\n/g, ', ') : '(empty subject)';
}
