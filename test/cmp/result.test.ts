import assert from 'node:assert/strict';
import { splitCertificates } from '../../src/cmp/result.js';
import { hex, makeCertificate, makeChain, makeKey } from './fixtures.js';

describe('result', () => {
  it('orders the chain from the leaf up and keeps every root (caPubs and self-signed extraCerts), once each', () => {
    const { root, intermediate, leaf } = makeChain('ec');
    const other1 = makeCertificate({ subject: 'CN=Other Root 1', key: makeKey('ec'), ca: true });
    const other2 = makeCertificate({ subject: 'CN=Other Root 2', key: makeKey('ec'), ca: true });
    const { chain, trustedRoots } = splitCertificates(leaf, [root, other2, intermediate, leaf], [other1, root]);
    assert.deepEqual(chain.map(hex), [leaf, intermediate].map(hex));
    assert.deepEqual(trustedRoots.map(hex), [other1, root, other2].map(hex));
  });
  it('leaves unrelated intermediates out of the chain', () => {
    const a = makeChain('ec');
    const b = makeChain('ec');
    const { chain } = splitCertificates(a.leaf, [b.intermediate], []);
    assert.deepEqual(chain.map(hex), [hex(a.leaf)]);
  });
});
