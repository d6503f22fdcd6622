// PKCS#10 CSRs as CMP needs them: read and check the self-signature, and turn one into a CRMF
// CertTemplate (subject, public key, every requested extension).
import * as pkijs from 'pkijs';
import { type CertTemplate } from './asn1/CertTemplate.js';
import { guarded } from './asn1/der.js';
import { CmpDecodeError, CmpProtocolError } from './errors.js';
import { verifyData } from './signature.js';

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

/** DER of the CSR's SubjectPublicKeyInfo. */
export function csrPublicKeyDer(der: Uint8Array): Uint8Array {
  const csr = parseCsr(der);
  try {
    return new Uint8Array(csr.subjectPublicKeyInfo.toSchema().toBER(false));
  } catch (err) {
    throw new CmpDecodeError(`CSR public key: ${err instanceof Error ? err.message : String(err)}`);
  }
}
