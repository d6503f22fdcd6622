// Turns what a CMP request asks for (a CRMF CertTemplate, or a PKCS#10 CSR turned into one)
// into the CA's CertificateOrder: DER subject, DER public key, requested extensions.
import * as pkijs from 'pkijs';
import type { CertTemplate } from '../asn1/CertTemplate.js';
import { CaRefusal } from './caRefusal.js';
import type { CertificateOrder } from './issuancePolicy.js';

const EMPTY_NAME = new Uint8Array([0x30, 0x00]);
const INHERITED_ON_RENEWAL = new Set(['2.5.29.17', '2.5.29.15', '2.5.29.37', '2.5.29.19']);

function extensionsOf(list: pkijs.Extension[] | undefined): CertificateOrder['extensions'] {
  return (list ?? []).map((extension) => ({
    oid: extension.extnID,
    critical: extension.critical,
    value: new Uint8Array(extension.extnValue.valueBlock.valueHexView),
  }));
}

/** DER of the template's public key, or a badCertTemplate refusal when it has none. */
export function templatePublicKey(template: CertTemplate): Uint8Array {
  if (!template.publicKey) throw new CaRefusal('badCertTemplate', 'the certificate template carries no public key');
  try {
    return new Uint8Array(template.publicKey.toSchema().toBER());
  } catch {
    throw new CaRefusal('badCertTemplate', 'the public key of the certificate template cannot be encoded');
  }
}

/** The order for an ir/cr/p10cr template: exactly what the template says. */
export function orderFromTemplate(template: CertTemplate): CertificateOrder {
  const order: CertificateOrder = {
    subject: template.subject ? new Uint8Array(template.subject.toSchema().toBER()) : EMPTY_NAME,
    publicKeyInfo: templatePublicKey(template),
    extensions: extensionsOf(template.extensions),
  };
  if (template.validity?.notBefore) order.notBefore = template.validity.notBefore;
  if (template.validity?.notAfter) order.notAfter = template.validity.notAfter;
  return order;
}

/**
 * The order for a kur: the template's fields where given, otherwise those of the certificate
 * being renewed (subject, and SAN/KU/EKU/BC when the template names no extensions at all).
 */
export function renewalOrder(template: CertTemplate, oldCertificate: Uint8Array): CertificateOrder {
  const order = orderFromTemplate(template);
  const old = pkijs.Certificate.fromBER(oldCertificate);
  if (!template.subject) order.subject = new Uint8Array(old.subject.toSchema().toBER());
  if (!template.extensions?.length) {
    order.extensions = extensionsOf(old.extensions).filter((extension) => INHERITED_ON_RENEWAL.has(extension.oid));
  }
  return order;
}
