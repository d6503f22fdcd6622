// PKIMessage decode/encode against messages recorded from OpenSSL, and hostile input.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodePKIMessage, encodePKIMessage, protectedPartDer } from '../../../src/cmp/asn1/PKIMessage.js';
import { CmpDecodeError } from '../../../src/cmp/errors.js';
import { hex } from '../fixtures.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));
const RECORDED = [
  'openssl-ir-pbm.der',
  'openssl-ip-pbm.der',
  'openssl-certconf-pbm.der',
  'openssl-pkiconf-pbm.der',
  'openssl-genm-sha1-hmacwithsha256.der',
  'openssl-genp-pbm.der',
];

function decodeError(bytes: Uint8Array): unknown {
  try {
    decodePKIMessage(bytes);
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('asn1/PKIMessage', () => {
  for (const name of RECORDED) {
    it(`re-encodes ${name} from its decoded fields byte for byte`, () => {
      const bytes = fixture(name);
      const decoded = decodePKIMessage(bytes);
      const fresh = encodePKIMessage({ ...decoded, received: undefined });
      assert.equal(hex(fresh), hex(bytes));
    });
  }

  it('reads the fields of an OpenSSL ir', () => {
    const msg = decodePKIMessage(fixture('openssl-ir-pbm.der'));
    assert.equal(msg.header.pvno, 2);
    assert.equal(msg.body.type, 'ir');
    assert.equal(Buffer.from(msg.header.senderKID!).toString(), 'ref1');
    assert.equal(msg.header.transactionID?.byteLength, 16);
    assert.ok(msg.protection && msg.protection.byteLength === 20);
    if (msg.body.type !== 'ir') throw new Error('unreachable');
    const req = msg.body.content[0];
    assert.equal(req.certReq.certReqId, 0);
    assert.ok(req.certReq.certTemplate.publicKey);
    assert.equal(req.popo?.type, 'signature');
  });

  it('reads caPubs and the certificate of an OpenSSL ip', () => {
    const msg = decodePKIMessage(fixture('openssl-ip-pbm.der'));
    if (msg.body.type !== 'ip') throw new Error(`expected ip, got ${msg.body.type}`);
    assert.equal(msg.body.content.caPubs?.length, 1);
    assert.equal(msg.body.content.response[0].status.status, 'accepted');
    assert.equal(msg.body.content.response[0].certifiedKeyPair?.certOrEncCert.type, 'certificate');
  });

  it('keeps the received header and body bytes for protection', () => {
    const bytes = fixture('openssl-certconf-pbm.der');
    const msg = decodePKIMessage(bytes);
    const part = protectedPartDer(msg);
    // ProtectedPart = SEQUENCE { header, body }: the message's own bytes minus protection/extraCerts.
    assert.ok(Buffer.from(bytes).includes(Buffer.from(part.subarray(3))));
  });

  it('throws CmpDecodeError for every truncation', () => {
    const bytes = fixture('openssl-ip-pbm.der');
    for (let length = 0; length < bytes.byteLength; length++) {
      const err = decodeError(bytes.subarray(0, length));
      assert.ok(err instanceof CmpDecodeError, `length ${length}: ${String(err)}`);
    }
  });

  it('throws only CmpDecodeError (or decodes) for every single-bit flip', function () {
    this.timeout(60_000);
    for (const name of ['openssl-ir-pbm.der', 'openssl-ip-pbm.der']) {
      const bytes = fixture(name);
      // Every byte of the ir; the ip's header/body part (its certificate and caPubs are opaque DER here).
      const end = name.includes('-ip-') ? 420 : bytes.byteLength;
      for (let i = 0; i < end; i++) {
        // One bit per byte, rotating through the bit positions (tag, length and content bits alike).
        const bit = 1 << (i % 8);
        const copy = new Uint8Array(bytes);
        copy[i] ^= bit;
        const err = decodeError(copy);
        assert.ok(err === undefined || err instanceof CmpDecodeError, `${name} byte ${i} bit ${bit}: ${String(err)}`);
      }
    }
  });

  it('rejects trailing data, deep nesting, huge length claims and non-messages', () => {
    const bytes = fixture('openssl-genm-sha1-hmacwithsha256.der');
    const cases: Uint8Array[] = [
      Uint8Array.from([...bytes, 0]),
      Uint8Array.from(Array.from({ length: 20000 }, (_, i) => (i % 2 ? 0x80 : 0x30))),
      Uint8Array.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x02]),
      Uint8Array.from([0x30, 0x89, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]),
      Uint8Array.from([0x05, 0x00]),
      Uint8Array.from([0x30, 0x00]),
      new Uint8Array(0),
      new Uint8Array(2 * 1024 * 1024),
    ];
    for (const [i, input] of cases.entries()) {
      assert.ok(decodeError(input) instanceof CmpDecodeError, `case ${i}`);
    }
  });

  it('decodes an unknown body alternative as unsupported instead of failing', () => {
    const msg = decodePKIMessage(fixture('openssl-pkiconf-pbm.der'));
    const bytes = encodePKIMessage({ ...msg, received: undefined });
    // Rewrite the body tag [19] (pkiconf, B3) to [11] (rr, AB); the NULL content is never parsed.
    const at = Buffer.from(bytes).indexOf(Buffer.from([0xb3, 0x02, 0x05, 0x00]));
    assert.ok(at > 0);
    const copy = new Uint8Array(bytes);
    copy[at] = 0xab;
    const decoded = decodePKIMessage(copy);
    assert.deepEqual(decoded.body, { type: 'unsupported', name: 'rr', tag: 11 });
  });
});
