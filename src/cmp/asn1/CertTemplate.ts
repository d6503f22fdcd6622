// CertTemplate ::= SEQUENCE {                     -- RFC 4211 §5, module uses IMPLICIT TAGS
//     version      [0] Version               OPTIONAL,   -- [0] IMPLICIT INTEGER
//     serialNumber [1] INTEGER               OPTIONAL,   -- [1] IMPLICIT
//     signingAlg   [2] AlgorithmIdentifier   OPTIONAL,   -- [2] IMPLICIT
//     issuer       [3] Name                  OPTIONAL,   -- [3] EXPLICIT (Name is a CHOICE)
//     validity     [4] OptionalValidity      OPTIONAL,   -- [4] IMPLICIT
//     subject      [5] Name                  OPTIONAL,   -- [5] EXPLICIT (Name is a CHOICE)
//     publicKey    [6] SubjectPublicKeyInfo  OPTIONAL,   -- [6] IMPLICIT
//     issuerUID    [7] UniqueIdentifier      OPTIONAL,   -- [7] IMPLICIT (read, not kept)
//     subjectUID   [8] UniqueIdentifier      OPTIONAL,   -- [8] IMPLICIT (read, not kept)
//     extensions   [9] Extensions            OPTIONAL }  -- [9] IMPLICIT
// OptionalValidity ::= SEQUENCE {
//     notBefore [0] Time OPTIONAL,   -- EXPLICIT (Time is a CHOICE)
//     notAfter  [1] Time OPTIONAL }
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  type Asn1Node,
  elementsOf,
  embed,
  explicit,
  explicitInner,
  guarded,
  implicitConstructed,
  implicitPrimitive,
  integer,
  octetString,
  sequence,
  taggedFields,
  time,
  toDer,
  untagged,
} from './der.js';

export interface OptionalValidity {
  notBefore?: Date;
  notAfter?: Date;
}

export interface CertTemplate {
  version?: number;
  /** Content octets of the serial number INTEGER. */
  serialNumber?: Uint8Array;
  signingAlg?: pkijs.AlgorithmIdentifier;
  issuer?: pkijs.RelativeDistinguishedNames;
  validity?: OptionalValidity;
  subject?: pkijs.RelativeDistinguishedNames;
  publicKey?: pkijs.PublicKeyInfo;
  extensions?: pkijs.Extension[];
}

function encodeTime(date: Date): Asn1Node {
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime after.
  const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
  return whole.getUTCFullYear() < 2050 ? new asn1js.UTCTime({ valueDate: whole }) : new asn1js.GeneralizedTime({ valueDate: whole });
}

export function encodeCertTemplate(t: CertTemplate): asn1js.Sequence {
  const value: Asn1Node[] = [];
  if (t.version !== undefined) value.push(implicitPrimitive(0, new Uint8Array(new asn1js.Integer({ value: t.version }).valueBlock.valueHexView)));
  if (t.serialNumber) value.push(implicitPrimitive(1, t.serialNumber));
  if (t.signingAlg) value.push(implicitConstructed(2, elementsOf(t.signingAlg.toSchema())));
  if (t.issuer) value.push(explicit(3, t.issuer.toSchema()));
  if (t.validity) {
    const v: Asn1Node[] = [];
    if (t.validity.notBefore) v.push(explicit(0, encodeTime(t.validity.notBefore)));
    if (t.validity.notAfter) v.push(explicit(1, encodeTime(t.validity.notAfter)));
    value.push(implicitConstructed(4, v));
  }
  if (t.subject) value.push(explicit(5, t.subject.toSchema()));
  if (t.publicKey) value.push(implicitConstructed(6, elementsOf(embed(toDer(t.publicKey.toSchema())))));
  if (t.extensions?.length)
    value.push(
      implicitConstructed(
        9,
        t.extensions.map((e) => e.toSchema()),
      ),
    );
  return new asn1js.Sequence({ value });
}

export function decodeCertTemplate(node: Asn1Node, what = 'CertTemplate'): CertTemplate {
  const fields = taggedFields(sequence(node, what), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], what);
  const t: CertTemplate = {};
  const f = (n: number) => fields.get(n);
  const version = f(0);
  if (version) t.version = integer(untagged(version, 2, `${what}.version`), `${what}.version`, 0, 2);
  const serial = f(1);
  if (serial) t.serialNumber = octetString(serial, `${what}.serialNumber`, 1);
  const signingAlg = f(2);
  if (signingAlg) {
    const n = untagged(signingAlg, 16, `${what}.signingAlg`);
    t.signingAlg = guarded(`${what}.signingAlg`, () => new pkijs.AlgorithmIdentifier({ schema: n }));
  }
  const issuer = f(3);
  if (issuer) {
    const n = explicitInner(issuer, 3, `${what}.issuer`);
    t.issuer = guarded(`${what}.issuer`, () => new pkijs.RelativeDistinguishedNames({ schema: n }));
  }
  const validity = f(4);
  if (validity) {
    const inner = taggedFields(sequence(untagged(validity, 16, `${what}.validity`), `${what}.validity`), [0, 1], `${what}.validity`);
    t.validity = {};
    const nb = inner.get(0);
    const na = inner.get(1);
    if (nb) t.validity.notBefore = time(explicitInner(nb, 0, `${what}.notBefore`), `${what}.notBefore`);
    if (na) t.validity.notAfter = time(explicitInner(na, 1, `${what}.notAfter`), `${what}.notAfter`);
  }
  const subject = f(5);
  if (subject) {
    const n = explicitInner(subject, 5, `${what}.subject`);
    t.subject = guarded(`${what}.subject`, () => new pkijs.RelativeDistinguishedNames({ schema: n }));
  }
  const publicKey = f(6);
  if (publicKey) {
    const n = untagged(publicKey, 16, `${what}.publicKey`);
    t.publicKey = guarded(`${what}.publicKey`, () => new pkijs.PublicKeyInfo({ schema: n }));
  }
  const extensions = f(9);
  if (extensions) {
    const items = sequence(untagged(extensions, 16, `${what}.extensions`), `${what}.extensions`);
    t.extensions = items.map((item, i) => guarded(`${what}.extensions[${i}]`, () => new pkijs.Extension({ schema: item })));
  }
  return t;
}
