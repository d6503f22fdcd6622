// Encrypted certificates (issue 10, finding 7; RFC 9810 §5.2.2, RFC 4211 §5 indirect POP) through
// the client against the scripted CA, which encrypts with PKI.js into a real EnvelopedData (the
// peer proof is test/peer/cmp/bcEncryptedCert.test.ts, BouncyCastle encrypting: OpenSSL 3.0's
// ossl_cmp_certrep_new refuses an encryption recipient with ERR_R_UNSUPPORTED).
// Decrypted → checked and confirmed like a plain certificate (certConf over the decrypted DER);
// decrypted but refused → rejecting certConf; not decryptable → an error message to the CA and a
// CmpEncryptedCertificateError naming why.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import { decodePKIMessage, type PKIMessage } from '../../src/cmp/asn1/PKIMessage.js';
import { CmpClient, type EnrollmentRequest } from '../../src/cmp/client.js';
import { CmpEncryptedCertificateError, CmpProtocolError, type EncryptedCertificateFailure } from '../../src/cmp/errors.js';
import type { CmpTransport } from '../../src/cmp/transport.js';
import { hex, type KeyKind, makeCsr, makeKey } from './fixtures.js';
import { ScriptedCa } from './scriptedCa.js';

describe('encrypted certificates', function () {
  // RSA-2048 key generation takes seconds on a loaded 2-core machine.
  this.timeout(60_000);
  const ca = new ScriptedCa();
  const keys = { ec: makeKey('ec'), rsa: makeKey('rsa'), ed25519: makeKey('ed25519') };
  const request = (kind: KeyKind, type: 'ir' | 'cr' | 'p10cr' = 'ir'): EnrollmentRequest => {
    const key = keys[kind];
    const csr = makeCsr({ subject: `CN=encrypted-${kind}`, key });
    return type === 'p10cr' ? { type, csr } : { type, csr, privateKey: key.privateKey };
  };
  /** The CA's answers as the client received them. */
  const answers: PKIMessage[] = [];
  const transport: CmpTransport = {
    send: async (message) => {
      const answer = await ca.transport().send(message);
      answers.push(decodePKIMessage(answer));
      return answer;
    },
  };
  const client = () => new CmpClient({ transport, protection: { type: 'pbm', secret: ca.secret }, sleep: async () => undefined });
  const sentEncrypted = () => {
    const body = answers[0].body;
    return (body.type === 'ip' || body.type === 'cp') && body.content.response[0].certifiedKeyPair?.certOrEncCert.type === 'encryptedCert';
  };
  const lastBody = () => (ca.received.at(-1) as PKIMessage).body;

  beforeEach(() => {
    ca.script = {};
    ca.received.length = 0;
    answers.length = 0;
  });

  const decrypted: [string, KeyKind, 'ir' | 'cr', 'envelopedData' | 'explicit'][] = [
    ['EC key, ECDH key agreement', 'ec', 'ir', 'envelopedData'],
    ['RSA key, RSAES-OAEP key transport', 'rsa', 'cr', 'envelopedData'],
    ['EC key, EnvelopedData wrapped [0] EXPLICIT', 'ec', 'ir', 'explicit'],
  ];
  for (const [name, kind, type, form] of decrypted) {
    it(`${name}: decrypted with the requested key, checked, and confirmed with the decrypted certificate's hash`, async () => {
      ca.script = { encryptCertificate: { form } };
      const result = await client().enroll(request(kind, type));
      assert.ok(sentEncrypted(), 'the CA answered with encryptedCert');
      assert.equal(ca.received.length, 2, 'the request, then certConf');
      const issued = pkijs.Certificate.fromBER(result.certificate);
      assert.equal(hex(new Uint8Array(issued.subjectPublicKeyInfo.toSchema().toBER(false))), hex(keys[kind].spki));
      const conf = lastBody();
      if (conf.type !== 'certConf') throw new Error(`expected certConf, got ${conf.type}`);
      assert.equal(conf.content[0].statusInfo, undefined, 'accepted (no statusInfo)');
      assert.equal(hex(conf.content[0].certHash), createHash('sha256').update(result.certificate).digest('hex'));
    });
  }

  it('decrypted, but the certificate is for another key → refused with a rejecting certConf (a certHash can be formed)', async () => {
    ca.script = { encryptCertificate: { form: 'envelopedData' }, wrongKey: true };
    await assert.rejects(
      client().enroll(request('ec')),
      (err: unknown) =>
        err instanceof CmpProtocolError &&
        !(err instanceof CmpEncryptedCertificateError) &&
        /the CA returned a certificate for a different public key; refused it with a rejecting certConf/.test(err.message),
    );
    assert.ok(sentEncrypted(), 'the CA answered with encryptedCert');
    const conf = lastBody();
    if (conf.type !== 'certConf') throw new Error(`expected certConf, got ${conf.type}`);
    assert.equal(conf.content[0].statusInfo?.status, 'rejection');
  });

  const undecryptable: [string, () => EnrollmentRequest, ScriptedCa['script'], EncryptedCertificateFailure, string, RegExp][] = [
    [
      'p10cr (no private key)',
      () => request('ec', 'p10cr'),
      { encryptCertificate: { form: 'envelopedData' } },
      'noPrivateKey',
      'badRequest',
      /the CA returned the certificate encrypted \(indirect POP\), but a p10cr holds no private key to decrypt it/,
    ],
    [
      'the deprecated EncryptedValue',
      () => request('ec'),
      { encryptCertificate: { form: 'encryptedValue' } },
      'unsupported',
      'badAlg',
      /the certificate comes as an EncryptedValue, which RFC 9810 §5\.2\.2 deprecates and this client does not read \(EnvelopedData only\)/,
    ],
    [
      'an Ed25519 key (neither key transport nor agreement)',
      () => request('ed25519'),
      { encryptCertificate: { form: 'envelopedData', recipient: makeKey('ec') } },
      'unsupported',
      'badAlg',
      /the certificate is encrypted, but a ed25519 key can neither transport nor agree on a key to decrypt it/,
    ],
    [
      'encrypted for another EC key',
      () => request('ec'),
      { encryptCertificate: { form: 'envelopedData', recipient: makeKey('ec') } },
      'undecryptable',
      'badDataFormat',
      /the encrypted certificate could not be decrypted with the requested key: /,
    ],
    [
      'encrypted with key transport for an EC key',
      () => request('ec'),
      { encryptCertificate: { form: 'envelopedData', recipient: keys.rsa } },
      'unsupported',
      'badAlg',
      /the certificate is encrypted for key transport recipients; a ec key needs key agreement/,
    ],
  ];
  for (const [name, make, script, failure, failInfo, message] of undecryptable) {
    it(`${name}: no certificate to hash, so an error message (${failInfo}) goes to the CA and the enrolment fails with the reason`, async () => {
      ca.script = script;
      await assert.rejects(client().enroll(make()), (err: unknown) => {
        assert.ok(err instanceof CmpEncryptedCertificateError, String(err));
        assert.equal(err.failure, failure);
        assert.equal(err.retryable, false);
        assert.match(err.message, message);
        assert.match(err.message, /; refused it with an error message$/);
        return true;
      });
      assert.ok(sentEncrypted(), 'the CA answered with encryptedCert');
      assert.equal(ca.received.length, 2, 'the request, then the error message (no certConf)');
      const sent = lastBody();
      if (sent.type !== 'error') throw new Error(`expected an error message, got ${sent.type}`);
      assert.equal(sent.content.pKIStatusInfo.status, 'rejection');
      assert.deepEqual(sent.content.pKIStatusInfo.failInfo, [failInfo]);
      assert.match(sent.content.pKIStatusInfo.statusString?.[0] ?? '', message);
    });
  }
});
