// What the development CA puts into an end-entity certificate: what was asked, checked.
// Subject, public key, SAN (every GeneralName type), key usage, extended key usage and basic
// constraints are copied from the request; key identifiers are the CA's own.
import { createPublicKey } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CaRefusal } from './caRefusal.js';
import { keyIdentifierOf, OID, toArrayBuffer, type CertificateExtension } from './certificateSigner.js';

/** A request for a certificate, whatever CMP body it came in (p10cr CSR or CRMF template). */
export interface CertificateOrder {
  /** DER of the requested subject Name; an empty SEQUENCE when none was given. */
  subject: Uint8Array;
  /** DER of the requested SubjectPublicKeyInfo. */
  publicKeyInfo: Uint8Array;
  /** Extensions as requested (CSR extensionRequest or CertTemplate.extensions). */
  extensions: CertificateExtension[];
  notBefore?: Date;
  notAfter?: Date;
}

const DAY_MS = 24 * 3600 * 1000;
const DEFAULT_LIFETIME_MS = 90 * DAY_MS;
/** Backdating tolerates clocks of clients that run a little behind; notAfter moves with it. */
const BACKDATE_MS = 5 * 60 * 1000;

/** What the CA is willing to issue (its stated policy; `test-ca --allow-ca`, `--max-validity`). */
export interface IssuancePolicy {
  /** Issue basicConstraints cA=TRUE when asked; refused with badCertTemplate otherwise. */
  allowCa: boolean;
  /** Longest validity issued (notAfter − notBefore); a longer request is shortened to it. */
  maxValidityMs: number;
}

export const DEFAULT_MAX_VALIDITY_DAYS = 825;
export const DEFAULT_ISSUANCE_POLICY: IssuancePolicy = { allowCa: false, maxValidityMs: DEFAULT_MAX_VALIDITY_DAYS * DAY_MS };

/** Parses DER completely (no trailing bytes) or refuses with badCertTemplate. */
function parseWhole(value: Uint8Array, what: string): asn1js.AsnType {
  const parsed = asn1js.fromBER(toArrayBuffer(value));
  if (parsed.offset === -1 || parsed.offset !== value.byteLength) {
    throw new CaRefusal('badCertTemplate', `the requested ${what} is not valid DER`);
  }
  return parsed.result;
}

function checkSubjectAltName(value: Uint8Array): number {
  try {
    const names = new pkijs.GeneralNames({ schema: parseWhole(value, 'subjectAltName') });
    if (names.names.length === 0) throw new Error('empty');
    return names.names.length;
  } catch (err) {
    if (err instanceof CaRefusal) throw err;
    throw new CaRefusal('badCertTemplate', 'the requested subjectAltName is not a non-empty GeneralNames');
  }
}

function checkKeyUsage(value: Uint8Array): void {
  const bits = parseWhole(value, 'keyUsage');
  if (!(bits instanceof asn1js.BitString) || bits.valueBlock.valueHexView.byteLength === 0) {
    throw new CaRefusal('badCertTemplate', 'the requested keyUsage is not a BIT STRING with bits set');
  }
}

function checkExtendedKeyUsage(value: Uint8Array): void {
  try {
    const usage = new pkijs.ExtKeyUsage({ schema: parseWhole(value, 'extKeyUsage') });
    if (usage.keyPurposes.length === 0) throw new Error('empty');
  } catch (err) {
    if (err instanceof CaRefusal) throw err;
    throw new CaRefusal('badCertTemplate', 'the requested extKeyUsage is not a non-empty list of OIDs');
  }
}

function checkBasicConstraints(value: Uint8Array, allowCa: boolean): void {
  let constraints: pkijs.BasicConstraints;
  try {
    constraints = new pkijs.BasicConstraints({ schema: parseWhole(value, 'basicConstraints') });
  } catch (err) {
    if (err instanceof CaRefusal) throw err;
    throw new CaRefusal('badCertTemplate', 'the requested basicConstraints cannot be read');
  }
  if (constraints.cA && !allowCa) {
    throw new CaRefusal(
      'badCertTemplate',
      'this development CA issues end-entity certificates only (cA=TRUE asked; start it with --allow-ca to issue CA certificates)',
    );
  }
}

/** The subject DER, checked; returns whether it is empty. */
function checkSubject(subject: Uint8Array): boolean {
  try {
    const name = pkijs.RelativeDistinguishedNames.fromBER(toArrayBuffer(subject));
    return name.typesAndValues.length === 0;
  } catch {
    throw new CaRefusal('badCertTemplate', 'the requested subject is not a valid Name');
  }
}

function checkPublicKey(publicKeyInfo: Uint8Array): void {
  try {
    createPublicKey({ key: Buffer.from(publicKeyInfo), format: 'der', type: 'spki' });
    const reencoded = new Uint8Array(pkijs.PublicKeyInfo.fromBER(toArrayBuffer(publicKeyInfo)).toSchema().toBER());
    if (Buffer.compare(Buffer.from(reencoded), Buffer.from(publicKeyInfo)) !== 0) throw new Error('not DER');
  } catch {
    throw new CaRefusal('badCertTemplate', 'the requested public key is not a usable SubjectPublicKeyInfo');
  }
}

/**
 * The end-entity extensions to issue for `order`: the requested SAN/KU/EKU/BC (checked and
 * copied), plus SKI and AKI. Requested key identifiers are replaced by ours; other non-critical
 * extensions are left out; an unknown critical one is refused (it might restrict the key).
 */
export function endEntityExtensions(
  order: CertificateOrder,
  issuerKeyId: Uint8Array,
  policy: IssuancePolicy = DEFAULT_ISSUANCE_POLICY,
): CertificateExtension[] {
  const subjectEmpty = checkSubject(order.subject);
  checkPublicKey(order.publicKeyInfo);
  const seen = new Set<string>();
  const issued: CertificateExtension[] = [];
  let hasSubjectAltName = false;
  for (const extension of order.extensions) {
    if (seen.has(extension.oid)) {
      throw new CaRefusal('badCertTemplate', `the extension ${extension.oid} is requested twice`);
    }
    seen.add(extension.oid);
    switch (extension.oid) {
      case OID.subjectAltName:
        checkSubjectAltName(extension.value);
        hasSubjectAltName = true;
        // RFC 5280 §4.2.1.6: with an empty subject the SAN must be critical.
        issued.push({ ...extension, critical: extension.critical || subjectEmpty });
        break;
      case OID.keyUsage:
        checkKeyUsage(extension.value);
        issued.push(extension);
        break;
      case OID.extKeyUsage:
        checkExtendedKeyUsage(extension.value);
        issued.push(extension);
        break;
      case OID.basicConstraints:
        checkBasicConstraints(extension.value, policy.allowCa);
        issued.push(extension);
        break;
      case OID.subjectKeyIdentifier:
      case OID.authorityKeyIdentifier:
        break;
      default:
        if (extension.critical) {
          throw new CaRefusal('unacceptedExtension', `the critical extension ${extension.oid} is not supported`);
        }
    }
  }
  if (subjectEmpty && !hasSubjectAltName) {
    throw new CaRefusal('badCertTemplate', 'the request names neither a subject nor a subjectAltName');
  }
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
  const subjectKeyId = keyIdentifierOf(order.publicKeyInfo);
  issued.push(
    { oid: OID.subjectKeyIdentifier, critical: false, value: new Uint8Array(Buffer.from(`0414${hex(subjectKeyId)}`, 'hex')) },
    {
      oid: OID.authorityKeyIdentifier,
      critical: false,
      value: new Uint8Array(
        Buffer.from(
          `30${(issuerKeyId.length + 2).toString(16).padStart(2, '0')}80${issuerKeyId.length.toString(16).padStart(2, '0')}${hex(issuerKeyId)}`,
          'hex',
        ),
      ),
    },
  );
  return issued;
}

/**
 * The validity to issue: as requested when given (notBefore defaults to now, notAfter to notBefore
 * + 90 days), else 90 days from a notBefore backdated by 5 minutes; at most `maxValidityMs` long
 * and never past the CA's own notAfter.
 */
export function endEntityValidity(
  order: CertificateOrder,
  caNotAfter: Date,
  now: Date,
  policy: IssuancePolicy = DEFAULT_ISSUANCE_POLICY,
): { notBefore: Date; notAfter: Date } {
  const notBefore = order.notBefore ?? (order.notAfter ? now : new Date(now.getTime() - BACKDATE_MS));
  let notAfter = order.notAfter ?? new Date(notBefore.getTime() + DEFAULT_LIFETIME_MS);
  if (notAfter.getTime() - notBefore.getTime() > policy.maxValidityMs) notAfter = new Date(notBefore.getTime() + policy.maxValidityMs);
  if (notAfter.getTime() > caNotAfter.getTime()) notAfter = caNotAfter;
  if (notAfter.getTime() <= notBefore.getTime()) {
    throw new CaRefusal('badCertTemplate', 'the requested validity ends before it begins');
  }
  return { notBefore, notAfter };
}
