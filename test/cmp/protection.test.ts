// Protection: PBM and signature (EC, RSA, Ed25519), sender/senderKID/extraCerts, and refusals.
import assert from 'node:assert/strict';
import { decodePKIMessage, encodePKIMessage } from '../../src/cmp/asn1/PKIMessage.js';
import { subjectKeyIdentifier } from '../../src/cmp/certificates.js';
import { CmpProtocolError } from '../../src/cmp/errors.js';
import { buildHeader, newNonce, newTransactionID } from '../../src/cmp/header.js';
import { genmCaCertsBody } from '../../src/cmp/messages.js';
import { encodePBMParameter } from '../../src/cmp/asn1/PBMParameter.js';
import { decodePBMParameter } from '../../src/cmp/asn1/PBMParameter.js';
import { protectMessage, verifyProtection } from '../../src/cmp/protection.js';
import { formatDistinguishedName } from '../../src/cmp/names.js';
import * as pkijs from 'pkijs';
import { hex, makeChain, makeKey, makeCertificate } from './fixtures.js';

const SECRET = new TextEncoder().encode('s3cret');
const unprotected = () => ({ header: buildHeader({ transactionID: newTransactionID(), senderNonce: newNonce() }), body: genmCaCertsBody() });
const roundTrip = (bytes: Uint8Array) => decodePKIMessage(bytes);

describe('protection', function () {
  // RSA-2048 key generation takes seconds on a loaded 2-core machine.
  this.timeout(60_000);
  it('PBM: protects, sends the reference as senderKID, verifies after a round trip', () => {
    const msg = protectMessage(unprotected(), { type: 'pbm', secret: SECRET, reference: new TextEncoder().encode('rv') });
    const back = roundTrip(encodePKIMessage(msg));
    assert.equal(Buffer.from(back.header.senderKID!).toString(), 'rv');
    assert.deepEqual(verifyProtection(back, { secret: SECRET }), { type: 'pbm' });
  });
  it('PBM: a wrong secret or a changed byte fails', () => {
    const bytes = encodePKIMessage(protectMessage(unprotected(), { type: 'pbm', secret: SECRET }));
    assert.throws(() => verifyProtection(roundTrip(bytes), { secret: new TextEncoder().encode('other') }), /does not verify/);
    const tampered = new Uint8Array(bytes);
    const at = Buffer.from(tampered).indexOf(Buffer.from([0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x04, 0x11])); // caCerts OID
    tampered[at + 9] = 0x12;
    assert.throws(() => verifyProtection(roundTrip(tampered), { secret: SECRET }), CmpProtocolError);
  });
  it("PBM: refuses a peer's iteration count of 10^9 quickly", () => {
    const msg = protectMessage(unprotected(), { type: 'pbm', secret: SECRET });
    const p = decodePBMParameter(msg.header.protectionAlg!.algorithmParams);
    msg.header.protectionAlg = new pkijs.AlgorithmIdentifier({
      algorithmId: msg.header.protectionAlg!.algorithmId,
      algorithmParams: encodePBMParameter({ ...p, iterationCount: 1_000_000_000 }),
    });
    assert.throws(() => verifyProtection(roundTrip(encodePKIMessage(msg)), { secret: SECRET }), /iteration count 1000000000/);
  });
  for (const kind of ['ec', 'rsa', 'ed25519'] as const) {
    it(`signature (${kind}): sender = subject, senderKID = SKI, chain in extraCerts, verifies to the root`, () => {
      const { root, intermediate, leaf, leafKey } = makeChain(kind);
      const msg = protectMessage(unprotected(), { type: 'signature', key: leafKey.privateKey, certificate: leaf, chain: [intermediate] });
      const back = roundTrip(encodePKIMessage(msg));
      assert.equal(hex(back.header.senderKID!), hex(subjectKeyIdentifier(leaf)!));
      assert.equal(formatDistinguishedName(back.header.sender.value as pkijs.RelativeDistinguishedNames), 'CN=Test Leaf');
      assert.deepEqual(back.extraCerts, [leaf, intermediate]);
      const verified = verifyProtection(back, { trusted: [root] });
      assert.equal(verified.type, 'signature');
      assert.equal(hex(verified.signer!), hex(leaf));
    });
  }
  it('signature: an untrusted root, a wrong key or a missing chain fails', () => {
    const a = makeChain('ec');
    const b = makeChain('ec');
    const good = roundTrip(
      encodePKIMessage(protectMessage(unprotected(), { type: 'signature', key: a.leafKey.privateKey, certificate: a.leaf, chain: [a.intermediate] })),
    );
    assert.throws(() => verifyProtection(good, { trusted: [b.root] }), /no chain/);
    assert.throws(() => verifyProtection(good, {}), /no trusted certificates/);
    const wrongKey = roundTrip(
      encodePKIMessage(protectMessage(unprotected(), { type: 'signature', key: b.leafKey.privateKey, certificate: a.leaf, chain: [a.intermediate] })),
    );
    assert.throws(() => verifyProtection(wrongKey, { trusted: [a.root] }), /does not verify/);
    const noChain = roundTrip(encodePKIMessage(protectMessage(unprotected(), { type: 'signature', key: a.leafKey.privateKey, certificate: a.leaf })));
    assert.throws(() => verifyProtection(noChain, { trusted: [a.root] }), /no chain/);
  });
  it('signature: a directly trusted signer certificate (OpenSSL -srvcert style) is accepted', () => {
    const key = makeKey('ec');
    const self = makeCertificate({ subject: 'CN=CMP Server', key });
    const msg = roundTrip(encodePKIMessage(protectMessage(unprotected(), { type: 'signature', key: key.privateKey, certificate: self })));
    assert.equal(verifyProtection(msg, { trusted: [self] }).type, 'signature');
  });
  it('signature: an expired signer certificate fails', () => {
    const key = makeKey('ec');
    const old = makeCertificate({ subject: 'CN=Old', key, notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') });
    const msg = roundTrip(encodePKIMessage(protectMessage(unprotected(), { type: 'signature', key: key.privateKey, certificate: old })));
    assert.throws(() => verifyProtection(msg, { trusted: [old] }), /not valid at/);
  });
  it('an unprotected message is reported as such', () => {
    const msg = roundTrip(encodePKIMessage(unprotected()));
    assert.throws(() => verifyProtection(msg, { secret: SECRET }), /not protected/);
  });
  it('keeps working on the exact received bytes', () => {
    const bytes = encodePKIMessage(protectMessage(unprotected(), { type: 'pbm', secret: SECRET }));
    const msg = roundTrip(bytes);
    assert.equal(hex(encodePKIMessage(msg)), hex(bytes));
  });
});
