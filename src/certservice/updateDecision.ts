// The update endpoint's choice (SPEC §5.1, as CertService's UpdateRequestTypeDetector): a key
// update request (kur, signed with the old key) when the CSR asks for the same subject and the
// same set of subjectAltNames as the old certificate carries, otherwise a certification request
// (cr). Names compare attribute by attribute (type, then value without case or surrounding
// space, as BouncyCastle's X500Name does); SANs compare as a set of encoded GeneralNames.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseCertificate } from '../cmp/certificates.js';
import { csrExtensions } from '../cmp/csr.js';

const SUBJECT_ALT_NAME = '2.5.29.17';

export type UpdateKind = 'kur' | 'cr';

function nameKey(name: pkijs.RelativeDistinguishedNames): string[] {
  return name.typesAndValues.map((tv) => {
    const block = tv.value.valueBlock as { value?: unknown };
    const text = typeof block.value === 'string' ? block.value : JSON.stringify(tv.value.toJSON());
    return `${tv.type}=${text.trim().replace(/\s+/g, ' ').toLowerCase()}`;
  });
}

function sanSet(extensions: readonly pkijs.Extension[] | undefined): Set<string> {
  const extension = extensions?.find((e) => e.extnID === SUBJECT_ALT_NAME);
  if (!extension) return new Set();
  const parsed = asn1js.fromBER(extension.extnValue.valueBlock.valueHexView);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) return new Set(['unreadable']);
  // Each GeneralName as encoded: equal names are equal bytes.
  return new Set(parsed.result.valueBlock.value.map((name) => Buffer.from(name.toBER(false)).toString('hex')));
}

const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));

/** kur when subject and SANs of the CSR equal those of the old certificate, else cr. */
export function updateKind(csr: pkijs.CertificationRequest, oldCertificateDer: Uint8Array): UpdateKind {
  const old = parseCertificate(oldCertificateDer);
  const subjectEqual = JSON.stringify(nameKey(csr.subject)) === JSON.stringify(nameKey(old.subject));
  const sansEqual = sameSet(sanSet(csrExtensions(csr)), sanSet(old.extensions));
  return subjectEqual && sansEqual ? 'kur' : 'cr';
}
