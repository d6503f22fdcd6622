// Signature protection algorithms of received messages (issue 10, finding 7): each algorithm the
// RFCs allow, signed here with node's crypto under the algorithm identifier a CA would send, then
// verified through verifyProtection; RSASSA-PSS with its parameters (a salt other than the one
// named does not verify); unknown and refused algorithms named with their reason.
import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { decodePKIMessage, encodePKIMessage, type PKIMessage, protectedPartDer } from '../../src/cmp/asn1/PKIMessage.js';
import { CmpProtocolError } from '../../src/cmp/errors.js';
import { buildHeader, newNonce, newTransactionID } from '../../src/cmp/header.js';
import { genmCaCertsBody } from '../../src/cmp/messages.js';
import { protectMessage, verifyProtection } from '../../src/cmp/protection.js';
import { type KeyPair, makeCertificate, makeKey } from './fixtures.js';

const SHA = { sha1: '1.3.14.3.2.26', sha256: '2.16.840.1.101.3.4.2.1', sha384: '2.16.840.1.101.3.4.2.2', sha512: '2.16.840.1.101.3.4.2.3' };

function keyPair(pair: { privateKey: KeyObject; publicKey: KeyObject }): KeyPair {
  return { ...pair, spki: new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' })) };
}

/** RSASSA-PSS-params as a CA writes them (every field explicit, as OpenSSL does). */
function pssAlgorithm(hashOid: string, saltLength: number, mgfHashOid = hashOid): pkijs.AlgorithmIdentifier {
  const params = new pkijs.RSASSAPSSParams({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: hashOid, algorithmParams: new asn1js.Null() }),
    maskGenAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: '1.2.840.113549.1.1.8',
      algorithmParams: new pkijs.AlgorithmIdentifier({ algorithmId: mgfHashOid, algorithmParams: new asn1js.Null() }).toSchema(),
    }),
    saltLength,
  });
  return new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.840.113549.1.1.10', algorithmParams: params.toSchema() });
}

describe('signature protection algorithms', function () {
  this.timeout(60_000);
  const rootKey = makeKey('ec');
  const root = makeCertificate({ subject: 'CN=Algorithms Root', key: rootKey, ca: true });
  const rsa = keyPair(generateKeyPairSync('rsa', { modulusLength: 2048 }));
  const p384 = keyPair(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }));
  const ed448 = keyPair(generateKeyPairSync('ed448'));
  const signerOf = (key: KeyPair) => makeCertificate({ subject: 'CN=Algorithms CA', key, issuer: { certificate: root, key: rootKey } });
  const rsaSigner = signerOf(rsa);
  const p384Signer = signerOf(p384);
  const ed448Signer = signerOf(ed448);

  /** A genp signed by `key` under `alg`, the signature made by `signer` (node's crypto) over the ProtectedPart. */
  function signedWith(key: KeyPair, certificate: Uint8Array, alg: pkijs.AlgorithmIdentifier, signer: (data: Buffer) => Buffer): PKIMessage {
    const base = protectMessage(
      { header: buildHeader({ transactionID: newTransactionID(), senderNonce: newNonce() }), body: genmCaCertsBody() },
      { type: 'signature', key: key.privateKey, certificate },
    );
    const header = { ...base.header, protectionAlg: alg };
    const protection = new Uint8Array(signer(Buffer.from(protectedPartDer({ header, body: base.body }))));
    return decodePKIMessage(encodePKIMessage({ ...base, header, protection }));
  }
  const plain = (digest: string | null, key: KeyPair) => (data: Buffer) => sign(digest, data, key.privateKey);
  const pss = (digest: string, saltLength: number) => (data: Buffer) =>
    sign(digest, data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
  const alg = (oid: string, withNull = false) =>
    new pkijs.AlgorithmIdentifier({ algorithmId: oid, ...(withNull ? { algorithmParams: new asn1js.Null() } : {}) });

  const accepted: [string, () => PKIMessage][] = [
    ['sha224WithRSAEncryption', () => signedWith(rsa, rsaSigner, alg('1.2.840.113549.1.1.14', true), plain('sha224', rsa))],
    ['sha384WithRSAEncryption', () => signedWith(rsa, rsaSigner, alg('1.2.840.113549.1.1.12', true), plain('sha384', rsa))],
    ['sha512WithRSAEncryption', () => signedWith(rsa, rsaSigner, alg('1.2.840.113549.1.1.13', true), plain('sha512', rsa))],
    ['RSA with SHA3-256', () => signedWith(rsa, rsaSigner, alg('2.16.840.1.101.3.4.3.14'), plain('sha3-256', rsa))],
    ['ecdsa-with-SHA384', () => signedWith(p384, p384Signer, alg('1.2.840.10045.4.3.3'), plain('sha384', p384))],
    ['ecdsa-with-SHA512', () => signedWith(p384, p384Signer, alg('1.2.840.10045.4.3.4'), plain('sha512', p384))],
    ['ECDSA with SHA3-512', () => signedWith(p384, p384Signer, alg('2.16.840.1.101.3.4.3.12'), plain('sha3-512', p384))],
    ['Ed448', () => signedWith(ed448, ed448Signer, alg('1.3.101.113'), plain(null, ed448))],
    ['RSASSA-PSS SHA-256, salt 32', () => signedWith(rsa, rsaSigner, pssAlgorithm(SHA.sha256, 32), pss('sha256', 32))],
    ['RSASSA-PSS SHA-512, salt 64', () => signedWith(rsa, rsaSigner, pssAlgorithm(SHA.sha512, 64), pss('sha512', 64))],
    [
      'RSASSA-PSS with every parameter at its DEFAULT (SHA-1, MGF1-SHA-1, salt 20)',
      () =>
        signedWith(
          rsa,
          rsaSigner,
          new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.840.113549.1.1.10', algorithmParams: new asn1js.Sequence({ value: [] }) }),
          pss('sha1', 20),
        ),
    ],
  ];
  for (const [name, message] of accepted) {
    it(`${name}: verifies`, () => {
      const verified = verifyProtection(message(), { trusted: [root] });
      assert.equal(verified.type, 'signature');
    });
  }

  it('RSASSA-PSS: a signature made with another salt length than the parameters name does not verify', () => {
    const message = signedWith(rsa, rsaSigner, pssAlgorithm(SHA.sha256, 32), pss('sha256', 20));
    assert.throws(() => verifyProtection(message, { trusted: [root] }), /signature protection \(RSASSA-PSS \(SHA256, salt 32\)\) does not verify/);
  });

  it('RSASSA-PSS: a PKCS#1 v1.5 signature under PSS parameters, or PSS under sha256WithRSAEncryption, does not verify', () => {
    const v15UnderPss = signedWith(rsa, rsaSigner, pssAlgorithm(SHA.sha256, 32), plain('sha256', rsa));
    assert.throws(() => verifyProtection(v15UnderPss, { trusted: [root] }), /does not verify/);
    const pssUnderV15 = signedWith(rsa, rsaSigner, alg('1.2.840.113549.1.1.11', true), pss('sha256', 32));
    assert.throws(() => verifyProtection(pssUnderV15, { trusted: [root] }), /does not verify/);
  });

  const refused: [string, pkijs.AlgorithmIdentifier, RegExp][] = [
    ['an unknown OID', alg('1.2.3.4.5'), /unsupported protection algorithm 1\.2\.3\.4\.5: not a signature algorithm this client knows/],
    [
      'RSASSA-PSS with SHAKE128',
      alg('1.3.6.1.5.5.7.6.30'),
      /unsupported protection algorithm 1\.3\.6\.1\.5\.5\.7\.6\.30: RSASSA-PSS with SHAKE128 \(RFC 8702\) is not supported/,
    ],
    [
      'md5WithRSAEncryption',
      alg('1.2.840.113549.1.1.4', true),
      /unsupported protection algorithm 1\.2\.840\.113549\.1\.1\.4: md5WithRSAEncryption is not acceptable/,
    ],
    [
      'RSASSA-PSS without parameters',
      alg('1.2.840.113549.1.1.10'),
      /unsupported protection algorithm 1\.2\.840\.113549\.1\.1\.10: RSASSA-PSS without parameters/,
    ],
    [
      'RSASSA-PSS with MGF1 over another hash',
      pssAlgorithm(SHA.sha256, 32, SHA.sha1),
      /RSASSA-PSS with MGF1 over 1\.3\.14\.3\.2\.26 while the hash is 2\.16\.840\.1\.101\.3\.4\.2\.1/,
    ],
    ['RSASSA-PSS with an unknown hash', pssAlgorithm('1.2.3.4', 32), /RSASSA-PSS with hash 1\.2\.3\.4 is not supported/],
  ];
  for (const [name, algorithm, reason] of refused) {
    it(`${name}: refused with the reason, before any signature is tried`, () => {
      const message = signedWith(rsa, rsaSigner, algorithm, pss('sha256', 32));
      assert.throws(
        () => verifyProtection(message, { trusted: [root] }),
        (err: unknown) => err instanceof CmpProtocolError && reason.test(err.message),
      );
    });
  }
});
