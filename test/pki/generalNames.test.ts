// GeneralNames as Java decodes them: a certificate whose alternative names Java refuses must be
// refused before it is trusted (one such certificate makes Java refuse the whole truststore).
// Found by the fuzz suite: an rfc822Name whose tag had become constructed passed our check and
// made Java's CertificateFactory throw "Invalid encoding of RFC822 name".
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { checkCertificate, CertificateFormatError } from '../../src/pki/certificate.js';
import { checkDnsName, checkGeneralNames } from '../../src/pki/generalNames.js';
import { opensslSelfSigned } from './opensslCertificate.js';

/** A self-signed certificate (made by openssl) with every alternative-name type, the AIA and a CRL distribution point. */
function opensslCertificate(): Buffer {
  const pem = opensslSelfSigned('/CN=names', [
    'subjectAltName=email:ops@names.example,DNS:web.names.example,URI:https://names.example/p,IP:10.0.0.1,RID:1.2.3.4',
    'authorityInfoAccess=caIssuers;URI:http://ca.names.example/ca.crt',
    'crlDistributionPoints=URI:http://ca.names.example/ca.crl',
  ]);
  return new X509Certificate(pem).raw;
}

/** The certificate with the bytes of `from` (the first place after the extensions begin) replaced by `to`. */
function replaced(der: Buffer, from: Buffer, to: Buffer): Buffer {
  const at = der.indexOf(from);
  assert.ok(at > 0, `${from.toString('latin1')} in the certificate`);
  const copy = Buffer.from(der);
  to.copy(copy, at);
  return copy;
}

describe('pki/generalNames', () => {
  const good = opensslCertificate();

  it('accepts every name type as OpenSSL writes them', () => {
    assert.doesNotThrow(() => checkCertificate(good));
  });

  const cases: [string, () => Buffer, RegExp][] = [
    [
      'a dNSName with an underscore',
      () => replaced(good, Buffer.from('web.names'), Buffer.from('w_b.names')),
      /dNSName has a character other than a letter, digit or hyphen/,
    ],
    [
      'a dNSName beginning with a hyphen',
      () => replaced(good, Buffer.from('web.names'), Buffer.from('-eb.names')),
      /dNSName has a component that does not begin with a letter or digit/,
    ],
    ['a URI with a space', () => replaced(good, Buffer.from('https://names'), Buffer.from('https://na es')), /uniformResourceIdentifier is not a valid URI/],
    ['a URI without a scheme', () => replaced(good, Buffer.from('https://names'), Buffer.from('https//:names')), /uniformResourceIdentifier has no scheme/],
    [
      'an AIA URI whose host is not a DNS name',
      () => replaced(good, Buffer.from('http://ca.names.example/ca.crt'), Buffer.from('http://c$.names.example/ca.crt')),
      /authorityInfoAccess: uniformResourceIdentifier host has a character/,
    ],
    [
      'a CRL distribution point URI with a bad escape',
      () => replaced(good, Buffer.from('example/ca.crl'), Buffer.from('example/%zzcrl')),
      /cRLDistributionPoints: uniformResourceIdentifier is not a valid URI/,
    ],
  ];
  for (const [name, make, reason] of cases) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => checkCertificate(make()),
        (err: Error) => err instanceof CertificateFormatError && reason.test(err.message),
      );
    });
  }

  it('refuses a name whose form Java does not accept (the fuzz find: an rfc822Name [1] that became constructed)', () => {
    // SEQUENCE { [1] constructed { OCTET STRING "A" } }: well-formed DER, refused by Java's GeneralName.
    const names = Buffer.from([0x30, 0x05, 0xa1, 0x03, 0x04, 0x01, 0x41]);
    assert.throws(() => checkGeneralNames(names, { tag: 0x30, start: 2, end: 7 }, 'subjectAltName'), /subjectAltName: rfc822Name has the wrong encoding/);
    const primitiveDirectoryName = Buffer.from([0x30, 0x03, 0x84, 0x01, 0x41]);
    assert.throws(() => checkGeneralNames(primitiveDirectoryName, { tag: 0x30, start: 2, end: 5 }, 'subjectAltName'), /directoryName has the wrong encoding/);
  });

  it('dNSName: a leading *. wildcard only where Java allows one', () => {
    assert.doesNotThrow(() => checkDnsName('*.names.example', true, 'dNSName'));
    assert.throws(() => checkDnsName('*.names.example', false, 'host'), /does not begin with a letter or digit/);
    assert.throws(() => checkDnsName('a.*.example', true, 'dNSName'), /does not begin with a letter or digit/);
    assert.throws(() => checkDnsName('names.example.', true, 'dNSName'), /begins or ends with a dot/);
  });
});
