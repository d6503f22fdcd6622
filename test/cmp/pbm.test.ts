// PBM: known answers recorded from OpenSSL, bounds, and algorithm choice.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as pkijs from 'pkijs';
import { decodePBMParameter } from '../../src/cmp/asn1/PBMParameter.js';
import { decodePKIMessage, protectedPartDer } from '../../src/cmp/asn1/PKIMessage.js';
import { CmpProtocolError } from '../../src/cmp/errors.js';
import { newPbmParameter, pbmBaseKey, pbmMac, pbmVerify, PBM_MAX_ITERATIONS, PBM_OWF } from '../../src/cmp/pbm.js';
import { createHash } from 'node:crypto';
import fc from 'fast-check';

const fixture = (name: string) => decodePKIMessage(new Uint8Array(readFileSync(new URL(`fixtures/${name}`, import.meta.url))));
const SECRET = new TextEncoder().encode('secret1');

function parameterOf(name: string) {
  const msg = fixture(name);
  return { msg, p: decodePBMParameter(msg.header.protectionAlg!.algorithmParams) };
}

describe('pbm', () => {
  it("reproduces OpenSSL's MAC: owf SHA-256, HMAC-SHA1, 500 iterations", () => {
    const { msg, p } = parameterOf('openssl-ir-pbm.der');
    assert.equal(p.owf.algorithmId, '2.16.840.1.101.3.4.2.1');
    assert.equal(p.mac.algorithmId, '1.3.6.1.5.5.8.1.2');
    assert.equal(p.iterationCount, 500);
    assert.equal(Buffer.from(pbmMac(SECRET, p, protectedPartDer(msg))).toString('hex'), Buffer.from(msg.protection!).toString('hex'));
  });
  it("reproduces OpenSSL's MAC: owf SHA-1, hmacWithSHA256", () => {
    const { msg, p } = parameterOf('openssl-genm-sha1-hmacwithsha256.der');
    assert.equal(p.owf.algorithmId, '1.3.14.3.2.26');
    assert.equal(p.mac.algorithmId, '1.2.840.113549.2.9');
    assert.ok(pbmVerify(SECRET, p, protectedPartDer(msg), msg.protection!));
  });
  it("verifies the OpenSSL mock server's answers", () => {
    for (const name of ['openssl-ip-pbm.der', 'openssl-pkiconf-pbm.der', 'openssl-genp-pbm.der']) {
      const { msg, p } = parameterOf(name);
      assert.ok(pbmVerify(SECRET, p, protectedPartDer(msg), msg.protection!), name);
    }
  });
  it('fails with a wrong secret', () => {
    const { msg, p } = parameterOf('openssl-ir-pbm.der');
    assert.equal(pbmVerify(new TextEncoder().encode('secret2'), p, protectedPartDer(msg), msg.protection!), false);
  });
  it('refuses an iteration count of 10^9 without computing', () => {
    const p = { ...newPbmParameter(), iterationCount: 1_000_000_000 };
    assert.throws(
      () => pbmMac(SECRET, p, new Uint8Array(1)),
      (err: unknown) => err instanceof CmpProtocolError && /iteration count/.test(err.message),
    );
  });
  it('refuses fewer than 100 iterations and more than the maximum', () => {
    assert.throws(() => pbmMac(SECRET, { ...newPbmParameter(), iterationCount: 99 }, new Uint8Array(1)), CmpProtocolError);
    assert.throws(() => pbmMac(SECRET, { ...newPbmParameter(), iterationCount: PBM_MAX_ITERATIONS + 1 }, new Uint8Array(1)), CmpProtocolError);
    assert.doesNotThrow(() => pbmMac(SECRET, { ...newPbmParameter(), iterationCount: 100 }, new Uint8Array(1)));
  });
  it('refuses unknown one-way functions and MACs', () => {
    const md5 = new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.840.113549.2.5' });
    assert.throws(() => pbmMac(SECRET, { ...newPbmParameter(), owf: md5 }, new Uint8Array(1)), /one-way function/);
    assert.throws(() => pbmMac(SECRET, { ...newPbmParameter(), mac: md5 }, new Uint8Array(1)), /MAC/);
  });
  it('uses a fresh salt each time', () => {
    assert.notDeepEqual(newPbmParameter().salt, newPbmParameter().salt);
  });

  it('the base key is OWF(secret || salt) applied iterationCount times, for every one-way function (the plain-JS SHA-256 and SHA-1 paths included)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(PBM_OWF)),
        fc.uint8Array({ maxLength: 80 }),
        fc.uint8Array({ minLength: 8, maxLength: 40 }),
        fc.integer({ min: 100, max: 300 }),
        (owfOid, secret, salt, iterationCount) => {
          const p = { ...newPbmParameter(), salt, iterationCount, owf: new pkijs.AlgorithmIdentifier({ algorithmId: owfOid }) };
          let expected = createHash(PBM_OWF[owfOid]).update(secret).update(salt).digest();
          for (let i = 1; i < iterationCount; i++) expected = createHash(PBM_OWF[owfOid]).update(expected).digest();
          assert.deepEqual(pbmBaseKey(secret, p), expected);
        },
      ),
      { numRuns: 40 },
    );
  });
});
