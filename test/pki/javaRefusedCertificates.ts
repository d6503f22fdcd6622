// Certificates that OpenSSL parses but Java's CertificateFactory refuses (and with them a whole
// truststore), each the kind of damage the certificate fuzz target found: another extension's
// value under a critical extension's OID, an empty critical GeneralNames, an extension twice, a
// primitive SET in a name, an Ed25519 key with unused bits. Shared by the unit test of
// checkCertificate and the peer test that loads them into Java.
import { X509Certificate } from 'node:crypto';
import { toPem } from '../../src/pki/pem.js';
import type { Pki } from '../keystore/fixtures.js';
import { opensslSelfSigned } from './opensslCertificate.js';

export interface RefusedCertificate {
  title: string;
  pem: string;
  /** What checkCertificate says. */
  reason: RegExp;
}

/** `pem` with the first (or last) occurrence of `find` replaced by `replace`, as PEM again. */
function edited(pem: string, find: number[], replace: number[], last = false): string {
  const der = Buffer.from(new X509Certificate(pem).raw);
  const at = last ? der.lastIndexOf(Buffer.from(find)) : der.indexOf(Buffer.from(find));
  if (at < 0) throw new Error('the bytes to edit are not in the certificate');
  Buffer.from(replace).copy(der, at);
  return toPem('CERTIFICATE', der);
}

// basicConstraints' value `cA TRUE` (SEQUENCE { BOOLEAN TRUE }), as the fuzz target moved it.
const CA_TRUE = 'DER:30030101FF';

export function javaRefusedCertificates(pki: Pki): RefusedCertificate[] {
  const critical = (oid: string, value: string) => opensslSelfSigned('/CN=refused', [`${oid}=critical,${value}`]);
  const plain = opensslSelfSigned('/CN=refused');
  return [
    {
      title: 'policyConstraints holding a BOOLEAN',
      pem: critical('2.5.29.36', CA_TRUE),
      reason: /policyConstraints holds an unknown, repeated or misplaced field/,
    },
    {
      title: 'authorityKeyIdentifier holding a BOOLEAN',
      pem: critical('2.5.29.35', CA_TRUE),
      reason: /authorityKeyIdentifier holds an unknown, repeated or misplaced field/,
    },
    {
      title: 'privateKeyUsagePeriod holding a BOOLEAN',
      pem: critical('2.5.29.16', CA_TRUE),
      reason: /privateKeyUsagePeriod holds an unknown, repeated or misplaced field/,
    },
    { title: 'certificatePolicies holding a BOOLEAN', pem: critical('2.5.29.32', CA_TRUE), reason: /certificatePolicies: unexpected tag 0x1/ },
    {
      title: 'nameConstraints holding a BOOLEAN',
      pem: critical('2.5.29.30', CA_TRUE),
      reason: /nameConstraints holds an unknown, repeated or misplaced field/,
    },
    { title: 'policyMappings holding a BOOLEAN', pem: critical('2.5.29.33', CA_TRUE), reason: /policyMappings: unexpected tag 0x1/ },
    { title: 'certificateIssuer holding a BOOLEAN', pem: critical('2.5.29.29', CA_TRUE), reason: /certificateIssuer holds a name of an unknown type/ },
    {
      title: 'issuingDistributionPoint holding a BOOLEAN',
      pem: critical('2.5.29.28', CA_TRUE),
      reason: /issuingDistributionPoint holds an unknown, repeated or misplaced field/,
    },
    { title: 'an empty critical issuerAltName', pem: critical('2.5.29.18', 'DER:3000'), reason: /issuerAltName holds no name/ },
    // an extendedKeyUsage value under inhibitAnyPolicy's OID (2.5.29.54), which then becomes
    // extendedKeyUsage's (2.5.29.37): two readable extendedKeyUsage extensions
    {
      title: 'extendedKeyUsage twice',
      pem: edited(
        opensslSelfSigned('/CN=refused', ['extendedKeyUsage=serverAuth', '2.5.29.54=DER:300a06082b06010505070302']),
        [0x55, 0x1d, 0x36],
        [0x55, 0x1d, 0x25],
      ),
      reason: /extension 2\.5\.29\.37 appears twice/,
    },
    // the subject's SET (tag 0x31) made primitive (0x11)
    {
      title: 'a subject with a primitive SET',
      pem: edited(plain, [0x31, 0x10, 0x30, 0x0e, 0x06, 0x03, 0x55, 0x04, 0x03], [0x11], true),
      reason: /subject: unexpected tag 0x11/,
    },
    // the EC point's uncompressed form (04) made hybrid (06), which OpenSSL still reads
    {
      title: 'an EC key as a hybrid point',
      pem: edited(plain, [0x03, 0x42, 0x00, 0x04], [0x03, 0x42, 0x00, 0x06]),
      reason: /the EC public key is not an uncompressed point/,
    },
    // the RSA exponent 65537 (02 03 01 00 01) made 1 (02 03 00 00 01)
    {
      title: 'an RSA key with exponent 1',
      pem: edited(pki.issue('refused rsa', { keyType: 'rsa' }).certPem, [0x02, 0x03, 0x01, 0x00, 0x01], [0x02, 0x03, 0x00, 0x00, 0x01], true),
      reason: /its RSA public exponent is below 3/,
    },
    // id-Ed25519 (2b 65 70), then BIT STRING of 33 bytes whose unused-bits byte becomes 4
    {
      title: 'an Ed25519 key with unused bits',
      pem: edited(pki.issue('refused ed', { keyType: 'ed25519' }).certPem, [0x2b, 0x65, 0x70, 0x03, 0x21, 0x00], [0x2b, 0x65, 0x70, 0x03, 0x21, 0x04]),
      reason: /its key is not whole bytes/,
    },
  ];
}
