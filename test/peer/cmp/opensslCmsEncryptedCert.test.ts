// A second encrypting peer for encrypted certificates (issue 10, finding 7): `openssl cms -encrypt`
// makes the EnvelopedData (OpenSSL 3.0's CMP code cannot put one into a response, its CMS code can),
// which the test places into CertOrEncCert's [1] encryptedCert / [0] IMPLICIT envelopedData. Our
// decryption must read OpenSSL's ECDH (default SHA-1 KDF and SHA-256) and RSAES-OAEP, and refuse
// OpenSSL's default RSA key transport (PKCS#1 v1.5) by name.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as asn1js from 'asn1js';
import { decryptCertificate } from '../../../src/cmp/encryptedCertificate.js';
import { CmpEncryptedCertificateError } from '../../../src/cmp/errors.js';
import { TempFiles } from './opensslServerHelpers.js';

describe('peer: EnvelopedData made by openssl cms, as an encrypted certificate', function () {
  this.timeout(60_000);
  const files = new TempFiles();
  const file = (name: string) => path.join(files.dir, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: files.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  after(() => files.remove());

  /** A key (genpkey args) with a self-signed certificate to encrypt to; the certificate's DER is the content. */
  function recipient(name: string, genpkey: string[]): void {
    openssl(['genpkey', ...genpkey, '-out', `${name}.key`]);
    openssl(['req', '-x509', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-days', '2', '-out', `${name}.pem`]);
    openssl(['x509', '-in', `${name}.pem`, '-outform', 'DER', '-out', `${name}.der`]);
  }

  /** openssl cms -encrypt of `name`.der for `name`.pem, as CertOrEncCert's [1] { [0] IMPLICIT EnvelopedData }. */
  function encrypted(name: string, keyopts: string[]): Uint8Array {
    openssl(['cms', '-encrypt', '-binary', '-in', `${name}.der`, '-outform', 'DER', '-aes256', '-recip', `${name}.pem`, ...keyopts, '-out', `${name}.cms`]);
    const contentInfo = asn1js.fromBER(readFileSync(file(`${name}.cms`))).result as asn1js.Sequence;
    const enveloped = (contentInfo.valueBlock.value[1] as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence;
    const implicit = new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: enveloped.valueBlock.value });
    return new Uint8Array(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: [implicit] }).toBER(false));
  }
  const key = (name: string) => createPrivateKey(readFileSync(file(`${name}.key`)));

  const cases: [string, string[], string[]][] = [
    ['EC P-256, ECDH with OpenSSL default KDF (SHA-1)', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], []],
    ['EC P-384, ECDH with the SHA-256 KDF', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], ['-keyopt', 'ecdh_kdf_md:sha256']],
    [
      'RSA, RSAES-OAEP with SHA-256',
      ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
      ['-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256', '-keyopt', 'rsa_mgf1_md:sha256'],
    ],
  ];
  cases.forEach(([name, genpkey, keyopts], i) => {
    it(`${name}: decrypted to the certificate OpenSSL encrypted`, async () => {
      recipient(`r${i}`, genpkey);
      const certificate = await decryptCertificate(encrypted(`r${i}`, keyopts), key(`r${i}`));
      assert.deepEqual(Buffer.from(certificate), readFileSync(file(`r${i}.der`)));
    });
  });

  it("OpenSSL's default RSA key transport (PKCS#1 v1.5) → refused by name as unsupported", async () => {
    recipient('v15', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
    await assert.rejects(decryptCertificate(encrypted('v15', []), key('v15')), (err: unknown) => {
      assert.ok(err instanceof CmpEncryptedCertificateError, String(err));
      assert.equal(err.failure, 'unsupported');
      assert.match(
        err.message,
        /the certificate's key is transported with 1\.2\.840\.113549\.1\.1\.1; only RSAES-OAEP \(1\.2\.840\.113549\.1\.1\.7\) is supported/,
      );
      return true;
    });
  });
});
