// CertId ::= SEQUENCE { issuer GeneralName, serialNumber INTEGER }   (RFC 4211 §6.5, the oldCertID control)
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CmpDecodeError } from '../errors.js';
import { type Asn1Node, embed, guarded, integerBytes, parseDer, sequence, toDer } from './der.js';

export interface CertId {
  issuer: pkijs.GeneralName;
  /** Content octets of the serial number INTEGER. */
  serialNumber: Uint8Array;
}

export function encodeCertId(id: CertId): asn1js.Sequence {
  return new asn1js.Sequence({
    value: [id.issuer.toSchema() as Asn1Node, embed(toDer(new asn1js.Integer({ valueHex: id.serialNumber })))],
  });
}

export function decodeCertId(node: Asn1Node, what = 'CertId'): CertId {
  const items = sequence(node, what);
  if (items.length !== 2) throw new CmpDecodeError(`${what}: expected 2 elements`);
  return {
    issuer: guarded(`${what}.issuer`, () => new pkijs.GeneralName({ schema: items[0] })),
    serialNumber: integerBytes(items[1], `${what}.serialNumber`),
  };
}

/** Decodes a CertId from DER (the value of an oldCertID control). */
export function decodeCertIdDer(der: Uint8Array): CertId {
  return decodeCertId(parseDer(der, 'CertId'));
}
