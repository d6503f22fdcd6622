// AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY DEFINED BY type }
// Used by CRMF Controls and regInfo (RFC 4211 §6, §7).
import * as asn1js from 'asn1js';
import { CmpDecodeError } from '../errors.js';
import { type Asn1Node, derOf, embed, objectIdentifier, sequence } from './der.js';

/** id-regCtrl-oldCertID: the certificate a kur replaces. */
export const ID_REG_CTRL_OLD_CERT_ID = '1.3.6.1.5.5.7.5.1.5';

export interface AttributeTypeAndValue {
  type: string;
  /** DER of the value. */
  value: Uint8Array;
}

export function encodeAttributeTypeAndValue(atv: AttributeTypeAndValue): asn1js.Sequence {
  return new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: atv.type }), embed(atv.value)] });
}

export function decodeAttributeTypeAndValue(node: Asn1Node, what = 'AttributeTypeAndValue'): AttributeTypeAndValue {
  const items = sequence(node, what);
  if (items.length !== 2) throw new CmpDecodeError(`${what}: expected 2 elements`);
  return { type: objectIdentifier(items[0], `${what}.type`), value: derOf(items[1]) };
}

export function decodeAttributeTypeAndValues(node: Asn1Node, what: string): AttributeTypeAndValue[] {
  return sequence(node, what).map((item, i) => decodeAttributeTypeAndValue(item, `${what}[${i}]`));
}
