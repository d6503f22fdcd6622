// PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String   (RFC 9810 §5.1.1)
import * as asn1js from 'asn1js';
import { type Asn1Node, sequence, utf8String } from './der.js';

/** Encodes texts as PKIFreeText. */
export function encodePKIFreeText(texts: readonly string[]): asn1js.Sequence {
  return new asn1js.Sequence({ value: texts.map((value) => new asn1js.Utf8String({ value })) });
}

/** Decodes PKIFreeText into its texts. */
export function decodePKIFreeText(node: Asn1Node, what = 'PKIFreeText'): string[] {
  return sequence(node, what).map((item, i) => utf8String(item, `${what}[${i}]`));
}
