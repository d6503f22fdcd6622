import assert from 'node:assert/strict';
import { CmpProtocolError } from '../../src/cmp/errors.js';
import { splitCertificates } from '../../src/cmp/result.js';
import { hex, makeCertificate, makeChain, makeKey } from './fixtures.js';

describe('result', () => {
  it('orders the chain from the leaf up; roots are caPubs and the chain anchor, once each — a self-signed extraCert alone is not a root', () => {
    const { root, intermediate, leaf } = makeChain('ec');
    const other1 = makeCertificate({ subject: 'CN=Other Root 1', key: makeKey('ec'), ca: true });
    const other2 = makeCertificate({ subject: 'CN=Other Root 2', key: makeKey('ec'), ca: true });
    const { chain, trustedRoots, extraRoots } = splitCertificates(leaf, {
      extraCerts: [root, other2, intermediate, leaf],
      caPubs: [other1, root],
      verified: true,
    });
    assert.deepEqual(chain.map(hex), [leaf, intermediate].map(hex));
    assert.deepEqual(trustedRoots.map(hex), [other1, root].map(hex));
    assert.deepEqual(extraRoots.map(hex), [hex(other2)]);
  });
  it('the anchor the chain verifies to is a root even when it only travels in extraCerts; a rogue self-signed extraCert is not', () => {
    const { root, intermediate, leaf } = makeChain('ec');
    const rogue = makeCertificate({ subject: 'CN=Rogue Root', key: makeKey('ec'), ca: true });
    const { trustedRoots, extraRoots } = splitCertificates(leaf, { extraCerts: [intermediate, rogue, root], caPubs: [], verified: true });
    assert.deepEqual(trustedRoots.map(hex), [hex(root)]);
    assert.deepEqual(extraRoots.map(hex), [hex(rogue)]);
  });
  it('known roots (from a verified genm) are written even when the answer carries no caPubs', () => {
    const { root, intermediate, leaf } = makeChain('ec');
    const second = makeCertificate({ subject: 'CN=Second Root', key: makeKey('ec'), ca: true });
    const { trustedRoots } = splitCertificates(leaf, { extraCerts: [intermediate], caPubs: [], verified: true, knownRoots: [root, second] });
    assert.deepEqual(trustedRoots.map(hex), [root, second].map(hex));
  });
  it('caPubs of an unverified answer are ignored; junk caPubs entries are skipped and named', () => {
    const { root, intermediate, leaf } = makeChain('ec');
    const unverified = splitCertificates(leaf, { extraCerts: [intermediate], caPubs: [root], verified: false });
    assert.deepEqual(unverified.trustedRoots, []);
    assert.match(unverified.warnings.join(), /1 caPubs certificate\(s\) of an unverified answer ignored/);
    const junk = splitCertificates(leaf, { extraCerts: [intermediate], caPubs: [new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]), root, leaf], verified: true });
    assert.deepEqual(junk.trustedRoots.map(hex), [hex(root)]);
    assert.deepEqual(junk.warnings, ['caPubs[0] is not a readable X.509 certificate; skipped', 'caPubs[2] "CN=Test Leaf" is not a CA certificate; skipped']);
  });
  it('a chain that verifies to none of the roots is refused', () => {
    const a = makeChain('ec');
    const b = makeChain('ec');
    assert.throws(
      () => splitCertificates(a.leaf, { extraCerts: [a.intermediate], caPubs: [b.root], verified: true }),
      (err: unknown) => err instanceof CmpProtocolError && /does not chain to any of the 1 trusted root\(s\)/.test(err.message),
    );
  });
  it('leaves unrelated intermediates out of the chain', () => {
    const a = makeChain('ec');
    const b = makeChain('ec');
    const { chain } = splitCertificates(a.leaf, { extraCerts: [b.intermediate], caPubs: [], verified: true });
    assert.deepEqual(chain.map(hex), [hex(a.leaf)]);
  });
});
