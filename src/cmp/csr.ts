// PKCS#10 CSRs as CMP needs them: read and check the self-signature, and turn one into a CRMF
// CertTemplate (subject, public key, every requested extension).
import { createPublicKey, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { type CertTemplate } from './asn1/CertTemplate.js';
import { guarded } from './asn1/der.js';
import { CmpDecodeError, CmpProtocolError } from './errors.js';
import { signatureAlgorithmFor, signData, verifyData } from './signature.js';

const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';

/** Parses a DER CSR; throws CmpDecodeError when unreadable. */
export function parseCsr(der: Uint8Array): pkijs.CertificationRequest {
  return guarded('CertificationRequest', () => pkijs.CertificationRequest.fromBER(der));
}

/** The extensions requested in the CSR's extensionRequest attribute. */
export function csrExtensions(csr: pkijs.CertificationRequest): pkijs.Extension[] {
  const attribute = csr.attributes?.find((a) => a.type === EXTENSION_REQUEST);
  if (!attribute || attribute.values.length === 0) return [];
  return guarded('extensionRequest', () => new pkijs.Extensions({ schema: attribute.values[0] }).extensions);
}

/** True when the CSR's self-signature verifies with the key it carries. */
export function csrSignatureValid(csr: pkijs.CertificationRequest): boolean {
  try {
    const spki = new Uint8Array(csr.subjectPublicKeyInfo.toSchema().toBER(false));
    const tbs = new Uint8Array(csr.tbsView);
    return verifyData(spki, csr.signatureAlgorithm.algorithmId, tbs, new Uint8Array(csr.signatureValue.valueBlock.valueHexView));
  } catch {
    return false;
  }
}

/** CertTemplate carrying the CSR's subject, public key and all requested extensions. */
export function certTemplateFromCsr(der: Uint8Array): CertTemplate {
  const csr = parseCsr(der);
  if (!csrSignatureValid(csr)) throw new CmpProtocolError('the CSR signature does not verify');
  const template: CertTemplate = { subject: csr.subject, publicKey: csr.subjectPublicKeyInfo };
  const extensions = csrExtensions(csr);
  if (extensions.length) template.extensions = extensions;
  return template;
}

const BASIC_CONSTRAINTS = '2.5.29.19';

/**
 * basicConstraints cA=TRUE, critical (RFC 5280 §4.2.1.9), for a CA certificate asked outside the
 * CSR: cert-manager writes spec.isCA into the CertificateRequest but, without its
 * UseCertificateRequestBasicConstraints feature gate, not into the CSR.
 */
export function caBasicConstraintsExtension(): pkijs.Extension {
  return new pkijs.Extension({ extnID: BASIC_CONSTRAINTS, critical: true, extnValue: new pkijs.BasicConstraints({ cA: true }).toSchema().toBER(false) });
}

/** True when the CSR asks for basicConstraints cA=TRUE. */
export function csrAsksForCa(der: Uint8Array): boolean {
  const found = csrExtensions(parseCsr(der)).find((e) => e.extnID === BASIC_CONSTRAINTS);
  if (!found) return false;
  return guarded('basicConstraints', () => pkijs.BasicConstraints.fromBER(found.extnValue.valueBlock.valueHexView).cA);
}

/** DER of the CSR's SubjectPublicKeyInfo. */
export function csrPublicKeyDer(der: Uint8Array): Uint8Array {
  const csr = parseCsr(der);
  try {
    return new Uint8Array(csr.subjectPublicKeyInfo.toSchema().toBER(false));
  } catch (err) {
    throw new CmpDecodeError(`CSR public key: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export interface CsrOptions {
  /** The key to certify (the CSR is signed with it). */
  key: KeyObject;
  subject: pkijs.RelativeDistinguishedNames;
  /** subjectAltName entries; see {@link parseSubjectAltName}. */
  subjectAltNames?: pkijs.GeneralName[];
}

/**
 * A SAN value as a user writes it: an IPv4/IPv6 address, an email (has @), a URI (has ://), or
 * else a DNS name. Throws on an empty value.
 */
export function parseSubjectAltName(value: string): pkijs.GeneralName {
  const text = value.trim();
  if (text === '') throw new Error('empty subjectAltName');
  const ipVersion = isIP(text);
  if (ipVersion === 4) return new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: Uint8Array.from(text.split('.').map(Number)) }) });
  if (ipVersion === 6) return new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: ipv6Bytes(text) }) });
  if (text.includes('://')) return new pkijs.GeneralName({ type: 6, value: text });
  if (text.includes('@')) return new pkijs.GeneralName({ type: 1, value: text });
  return new pkijs.GeneralName({ type: 2, value: text });
}

function ipv6Bytes(text: string): Uint8Array {
  const [head, tail = ''] = text.split('::');
  const part = (s: string) => (s ? s.split(':') : []);
  const left = part(head);
  const right = text.includes('::') ? part(tail) : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    bytes[i * 2] = n >> 8;
    bytes[i * 2 + 1] = n & 0xff;
  });
  return bytes;
}

/** A PKCS#10 CSR (DER) for the key, subject and SANs, signed with the key. */
export function buildCsr(options: CsrOptions): Uint8Array {
  const csr = new pkijs.CertificationRequest();
  csr.version = 0;
  csr.subject = options.subject;
  csr.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(publicSpki(options.key));
  if (options.subjectAltNames?.length) {
    const san = new pkijs.Extension({
      extnID: '2.5.29.17',
      critical: false,
      extnValue: new pkijs.GeneralNames({ names: options.subjectAltNames }).toSchema().toBER(false),
    });
    csr.attributes = [new pkijs.Attribute({ type: EXTENSION_REQUEST, values: [new pkijs.Extensions({ extensions: [san] }).toSchema()] })];
  }
  const { algorithm } = signatureAlgorithmFor(options.key);
  csr.signatureAlgorithm = algorithm;
  const tbs = new Uint8Array((csr as unknown as { encodeTBS(): asn1js.Sequence }).encodeTBS().toBER(false));
  csr.tbsView = tbs;
  csr.signatureValue = new asn1js.BitString({ valueHex: signData(options.key, tbs).signature });
  return new Uint8Array(csr.toSchema().toBER(false));
}

function publicSpki(key: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }));
}
