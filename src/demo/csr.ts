// A PKCS#10 CSR for the demo's fresh key, the way cert-manager would hand one to the issuer:
// subject, public key and a subjectAltName extension request, self-signed with node's crypto.
import { sign, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseDistinguishedName } from '../cmp/names.js';
import { signatureAlgorithmFor } from '../cmp/signature.js';

export interface CsrRequest {
  subject: string;
  dnsNames: string[];
  /** IPv4 addresses in dotted form. */
  ipAddresses: string[];
  publicKey: KeyObject;
  privateKey: KeyObject;
}

const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const SUBJECT_ALT_NAME = '2.5.29.17';

export function buildCsr(request: CsrRequest): Uint8Array {
  const names = [
    ...request.dnsNames.map((value) => new pkijs.GeneralName({ type: 2, value })),
    ...request.ipAddresses.map(
      (ip) => new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: Uint8Array.from(ip.split('.').map(Number)) }) }),
    ),
  ];
  const subjectAltName = new pkijs.Extension({
    extnID: SUBJECT_ALT_NAME,
    critical: false,
    extnValue: new pkijs.GeneralNames({ names }).toSchema().toBER(),
  });
  const csr = new pkijs.CertificationRequest({
    version: 0,
    subject: parseDistinguishedName(request.subject),
    subjectPublicKeyInfo: pkijs.PublicKeyInfo.fromBER(request.publicKey.export({ type: 'spki', format: 'der' })),
    attributes: [
      new pkijs.Attribute({ type: EXTENSION_REQUEST, values: [new pkijs.Extensions({ extensions: [subjectAltName] }).toSchema()] }),
    ],
  });
  const { algorithm, digest } = signatureAlgorithmFor(request.privateKey);
  csr.signatureAlgorithm = algorithm;
  // toSchema(true) encodes the TBS part afresh; its first element is what gets signed.
  const tbs = new Uint8Array((csr.toSchema(true).valueBlock.value[0] as asn1js.Sequence).toBER());
  csr.tbsView = tbs;
  csr.signatureValue = new asn1js.BitString({ valueHex: sign(digest, tbs, request.privateKey) });
  return new Uint8Array(csr.toSchema().toBER());
}
