import assert from 'node:assert/strict';
import * as asn1js from 'asn1js';
import * as w from '../../src/pki/derWriter.js';

const bmpString = (t: string) => w.encodeDer(w.bmpString(t));
const integer = (n: number) => w.encodeDer(w.integer(n));
const objectIdentifier = (o: string) => w.encodeDer(w.objectIdentifier(o));
const octetString = (b: Buffer) => w.encodeDer(w.octetString(b));
const implicitOctets = (n: number, b: Buffer) => w.encodeDer(w.implicitOctets(n, b));

// asn1js is an independent encoder: our minimal writer must produce the same DER.
const ref = (node: asn1js.AsnType): Buffer => Buffer.from(node.toBER(false));

describe('pki/derWriter', () => {
  it('encodes lengths in short and long form like asn1js (0, 127, 128, 255, 256, 70000 bytes)', () => {
    for (const length of [0, 1, 127, 128, 255, 256, 65535, 70000]) {
      const bytes = Buffer.alloc(length, 0x5a);
      assert.deepEqual(octetString(bytes), ref(new asn1js.OctetString({ valueHex: bytes })), `length ${length}`);
    }
  });
  it('encodes INTEGER, OID, BMPString, SEQUENCE, SET and context tags like asn1js', () => {
    for (const value of [0, 1, 127, 128, 255, 256, 2048, 65535, 1_000_000]) {
      assert.deepEqual(integer(value), ref(new asn1js.Integer({ value })), `integer ${value}`);
    }
    for (const oid of ['1.2.840.113549.1.12.10.1.3', '2.16.840.1.113894.746875.1.1', '2.5.29.37.0', '1.3.6.1.4.1.42.2.17.1.1']) {
      assert.deepEqual(objectIdentifier(oid), ref(new asn1js.ObjectIdentifier({ value: oid })), oid);
    }
    assert.deepEqual(bmpString('MyKey-é'), ref(new asn1js.BmpString({ value: 'MyKey-é' })));
    const a = w.integer(3);
    const b = w.octetString(Buffer.from('x'));
    assert.deepEqual(
      w.encodeDer(w.sequence(a, b)),
      ref(new asn1js.Sequence({ value: [new asn1js.Integer({ value: 3 }), new asn1js.OctetString({ valueHex: Buffer.from('x') })] })),
    );
    assert.deepEqual(w.encodeDer(w.setOf(a)), ref(new asn1js.Set({ value: [new asn1js.Integer({ value: 3 })] })));
    assert.deepEqual(
      w.encodeDer(w.explicitTag(0, a)),
      ref(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Integer({ value: 3 })] })),
    );
    assert.deepEqual(
      implicitOctets(0, Buffer.from([1, 2])),
      ref(new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: Buffer.from([1, 2]) })),
    );
  });
  it('nests long values (lengths over 127 and 65535 at several levels) like asn1js', () => {
    const big = Buffer.alloc(70000, 1);
    const mine = w.encodeDer(w.sequence(w.explicitTag(0, w.octetString(big)), w.rawDer(w.encodeDer(w.integer(5))), w.sequence()));
    const reference = ref(
      new asn1js.Sequence({
        value: [
          new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.OctetString({ valueHex: big })] }),
          new asn1js.Integer({ value: 5 }),
          new asn1js.Sequence({ value: [] }),
        ],
      }),
    );
    assert.deepEqual(mine, reference);
    assert.deepEqual(w.encodeDer(w.unsignedInteger(Buffer.from([0x80, 1]))), ref(new asn1js.Integer({ valueHex: Buffer.from([0, 0x80, 1]) })));
  });
  it('refuses negative integers and malformed OIDs', () => {
    assert.throws(() => integer(-1), RangeError);
    assert.throws(() => objectIdentifier('1'), RangeError);
    assert.throws(() => objectIdentifier('1.x.3'), RangeError);
  });
});
