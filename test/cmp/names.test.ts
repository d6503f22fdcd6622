import assert from 'node:assert/strict';
import { toDer } from '../../src/cmp/asn1/der.js';
import { formatDistinguishedName, nullDistinguishedName, parseDistinguishedName } from '../../src/cmp/names.js';
import { hex } from './fixtures.js';

describe('names', () => {
  it('encodes one RDN per attribute, in the order written', () => {
    const name = parseDistinguishedName('CN=a,O=b');
    // SEQUENCE { SET { CN=a } SET { O=b } } — not one multi-valued RDN.
    assert.equal(hex(toDer(name.toSchema())), '3018310a300806035504030c0161310a3008060355040a0c0162');
  });
  it('reads the OpenSSL slash form and escapes', () => {
    assert.equal(formatDistinguishedName(parseDistinguishedName('/CN=a\\/b/O=Org')), 'CN=a/b, O=Org');
    assert.equal(formatDistinguishedName(parseDistinguishedName('CN=x\\,y, C=DE')), 'CN=x,y, C=DE');
  });
  it('makes the NULL-DN from the empty string', () => {
    assert.equal(hex(toDer(parseDistinguishedName('').toSchema())), '3000');
    assert.equal(hex(toDer(nullDistinguishedName().toSchema())), '3000');
  });
  it('refuses unknown attribute types and parts without =', () => {
    assert.throws(() => parseDistinguishedName('XX=1'), /unknown attribute type/);
    assert.throws(() => parseDistinguishedName('CN'), /TYPE=value/);
  });
});
