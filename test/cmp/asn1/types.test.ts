// Round trips and exact encodings of the CMP/CRMF types (one describe per file under src/cmp/asn1).
import assert from 'node:assert/strict';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { decodeCertConfirmContent, encodeCertConfirmContent } from '../../../src/cmp/asn1/CertConfirmContent.js';
import { decodeCertIdDer, encodeCertId } from '../../../src/cmp/asn1/CertId.js';
import { decodeCertRepMessage, encodeCertRepMessage } from '../../../src/cmp/asn1/CertRepMessage.js';
import { decodeCertReqMessages, encodeCertReqMessages } from '../../../src/cmp/asn1/CertReqMessages.js';
import { decodeCertTemplate, encodeCertTemplate } from '../../../src/cmp/asn1/CertTemplate.js';
import { parseDer, toDer } from '../../../src/cmp/asn1/der.js';
import { decodeErrorMsgContent, encodeErrorMsgContent } from '../../../src/cmp/asn1/ErrorMsgContent.js';
import { decodeCaCertsValue, decodeGenMsgContent, encodeCaCertsValue, encodeGenMsgContent, ID_IT_CA_CERTS } from '../../../src/cmp/asn1/InfoTypeAndValue.js';
import { decodePBMParameter, encodePBMParameter } from '../../../src/cmp/asn1/PBMParameter.js';
import { decodePKIBody, encodePKIBody, type PKIBody } from '../../../src/cmp/asn1/PKIBody.js';
import { decodePKIHeader, encodePKIHeader, nullDnGeneralName } from '../../../src/cmp/asn1/PKIHeader.js';
import { decodeFailInfo, decodePKIStatusInfo, encodeFailInfo, encodePKIStatusInfo } from '../../../src/cmp/asn1/PKIStatusInfo.js';
import { decodePollRepContent, decodePollReqContent, encodePollRepContent, encodePollReqContent } from '../../../src/cmp/asn1/PollContent.js';
import { decodeProofOfPossession, encodeProofOfPossession } from '../../../src/cmp/asn1/ProofOfPossession.js';
import { CmpDecodeError } from '../../../src/cmp/errors.js';
import { buildHeader, newNonce, newTransactionID } from '../../../src/cmp/header.js';
import { parseDistinguishedName } from '../../../src/cmp/names.js';
import { hex, makeChain, makeKey } from '../fixtures.js';

const der = (node: { toBER(sizeOnly?: boolean): ArrayBuffer }) => new Uint8Array(node.toBER(false));
const reparse = (node: { toBER(sizeOnly?: boolean): ArrayBuffer }) => parseDer(der(node), 'test');

describe('asn1/PKIHeader', () => {
  it('encodes the NULL-DN GeneralName as A4 02 30 00', () => {
    assert.equal(hex(der(nullDnGeneralName().toSchema() as asn1js.Constructed)), 'a4023000');
  });
  it('writes pvno 2 and GeneralizedTime without fractional seconds', () => {
    const header = buildHeader({ transactionID: newTransactionID(), senderNonce: newNonce(), messageTime: new Date('2026-01-02T03:04:05.678Z') });
    const bytes = der(encodePKIHeader(header));
    assert.ok(Buffer.from(bytes).includes(Buffer.from('20260102030405Z')));
    assert.ok(!Buffer.from(bytes).includes(Buffer.from('05.678')));
    const back = decodePKIHeader(parseDer(bytes, 'header'));
    assert.equal(back.pvno, 2);
    assert.equal(back.messageTime?.toISOString(), '2026-01-02T03:04:05.000Z');
    assert.equal(hex(back.transactionID!), hex(header.transactionID!));
  });
  it('round-trips every optional field', () => {
    const header = buildHeader({
      sender: new pkijs.GeneralName({ type: 4, value: parseDistinguishedName('CN=client,O=x') }),
      transactionID: newTransactionID(),
      senderNonce: newNonce(),
      recipNonce: newNonce(),
      recipKID: Uint8Array.from([9, 9]),
      freeText: ['hello', 'wörld'],
      implicitConfirm: true,
    });
    header.senderKID = Uint8Array.from([1, 2, 3]);
    const bytes = der(encodePKIHeader(header));
    assert.equal(hex(der(encodePKIHeader(decodePKIHeader(parseDer(bytes, 'h'))))), hex(bytes));
  });
  it('rejects fields out of order', () => {
    const header = buildHeader({ transactionID: newTransactionID(), senderNonce: newNonce() });
    const node = encodePKIHeader(header);
    const items = node.valueBlock.value;
    [items[3], items[4]] = [items[4], items[3]];
    assert.throws(() => decodePKIHeader(reparse(node)), CmpDecodeError);
  });
});

describe('asn1/PKIStatusInfo', () => {
  it('encodes failInfo as a named-bit BIT STRING and reads the names back', () => {
    const bits = encodeFailInfo(['badPOP']);
    // bit 9: second byte 0x40, 6 unused bits.
    assert.equal(hex(der(bits)), '0303060040');
    assert.deepEqual(decodeFailInfo(reparse(bits)), ['badPOP']);
    assert.deepEqual(decodeFailInfo(reparse(encodeFailInfo(['badAlg', 'duplicateCertReq', 'badRequest']))), ['badAlg', 'badRequest', 'duplicateCertReq']);
  });
  it('round-trips status, texts and failure names, including keyUpdateWarning', () => {
    for (const info of [
      { status: 'rejection' as const, statusString: ['no', 'way'], failInfo: ['badMessageCheck' as const, 'systemFailure' as const] },
      { status: 'keyUpdateWarning' as const },
      { status: 'waiting' as const, statusString: ['later'] },
      { status: 'accepted' as const, failInfo: ['badTime' as const] },
    ]) {
      assert.deepEqual(decodePKIStatusInfo(reparse(encodePKIStatusInfo(info))), info);
    }
  });
  it('rejects a status outside 0..6', () => {
    const node = new asn1js.Sequence({ value: [new asn1js.Integer({ value: 7 })] });
    assert.throws(() => decodePKIStatusInfo(reparse(node)), CmpDecodeError);
  });
});

describe('asn1/CertTemplate', () => {
  it('round-trips every supported field with the CRMF tags', () => {
    const key = makeKey('ec');
    const template = {
      version: 2,
      serialNumber: Uint8Array.from([0x01, 0x02]),
      signingAlg: new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.840.10045.4.3.2' }),
      issuer: parseDistinguishedName('CN=Issuer'),
      validity: { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2060-01-01T00:00:00Z') },
      subject: parseDistinguishedName('CN=Subject,O=Org'),
      publicKey: pkijs.PublicKeyInfo.fromBER(key.spki),
      extensions: [new pkijs.Extension({ extnID: '2.5.29.19', critical: true, extnValue: new asn1js.Sequence().toBER(false) })],
    };
    const bytes = der(encodeCertTemplate(template));
    // publicKey is [6] IMPLICIT (A6 …), subject [5] EXPLICIT around a SEQUENCE (A5 .. 30 ..).
    assert.ok(Buffer.from(bytes).includes(Buffer.from([0xa6])));
    const back = decodeCertTemplate(parseDer(bytes, 't'));
    assert.equal(hex(der(encodeCertTemplate(back))), hex(bytes));
    assert.equal(back.validity?.notAfter?.toISOString(), '2060-01-01T00:00:00.000Z');
    assert.equal(hex(toDer(back.publicKey!.toSchema())), hex(key.spki));
  });
  it('accepts an empty template', () => {
    assert.deepEqual(decodeCertTemplate(reparse(encodeCertTemplate({}))), {});
  });
});

describe('asn1/ProofOfPossession and CertReqMessages', () => {
  it('encodes raVerified as 80 00 and round-trips a signature POP', () => {
    assert.equal(hex(der(encodeProofOfPossession({ type: 'raVerified' }))), '8000');
    const popo = {
      type: 'signature' as const,
      signature: { algorithmIdentifier: new pkijs.AlgorithmIdentifier({ algorithmId: '1.3.101.112' }), signature: Uint8Array.from([1, 2, 3]) },
    };
    const bytes = der(encodeProofOfPossession(popo));
    assert.equal(bytes[0], 0xa1);
    assert.equal(hex(der(encodeProofOfPossession(decodeProofOfPossession(parseDer(bytes, 'p'))))), hex(bytes));
  });
  it('round-trips a CertReqMessages with controls and regInfo and keeps the CertRequest bytes', () => {
    const msgs = [
      {
        certReq: {
          certReqId: 0,
          certTemplate: { subject: parseDistinguishedName('CN=a') },
          controls: [{ type: '1.3.6.1.5.5.7.5.1.5', value: Uint8Array.from([0x05, 0x00]) }],
        },
        popo: { type: 'raVerified' as const },
        regInfo: [{ type: '1.3.6.1.5.5.7.5.2.1', value: Uint8Array.from([0x0c, 0x01, 0x41]) }],
      },
    ];
    const bytes = der(encodeCertReqMessages(msgs));
    const back = decodeCertReqMessages(parseDer(bytes, 'm'));
    assert.equal(hex(der(encodeCertReqMessages(back))), hex(bytes));
    assert.ok(back[0].certReq.received && Buffer.from(bytes).includes(Buffer.from(back[0].certReq.received)));
  });
  it('rejects an empty CertReqMessages', () => {
    assert.throws(() => decodeCertReqMessages(reparse(new asn1js.Sequence())), CmpDecodeError);
  });
});

describe('asn1/CertRepMessage', () => {
  it('round-trips caPubs, accepted and rejected responses', () => {
    const { root, leaf } = makeChain('ec');
    const message = {
      caPubs: [root],
      response: [
        { certReqId: 0, status: { status: 'accepted' as const }, certifiedKeyPair: { certOrEncCert: { type: 'certificate' as const, certificate: leaf } } },
        { certReqId: -1, status: { status: 'rejection' as const, statusString: ['bad'], failInfo: ['badCertTemplate' as const] } },
      ],
    };
    const bytes = der(encodeCertRepMessage(message));
    assert.deepEqual(decodeCertRepMessage(parseDer(bytes, 'c')), message);
  });
});

describe('asn1/CertConfirmContent, PollContent, ErrorMsgContent, GenMsgContent, CertId, PBMParameter', () => {
  it('round-trips certConf with and without statusInfo', () => {
    const content = [
      { certHash: Uint8Array.from([1, 2]), certReqId: 0 },
      { certHash: Uint8Array.from([3]), certReqId: 1, statusInfo: { status: 'rejection' as const, statusString: ['wrong key'] } },
    ];
    assert.deepEqual(decodeCertConfirmContent(reparse(encodeCertConfirmContent(content))), content);
  });
  it('round-trips pollReq and pollRep', () => {
    const req = [{ certReqId: 0 }];
    assert.deepEqual(decodePollReqContent(reparse(encodePollReqContent(req))), req);
    const rep = [{ certReqId: 0, checkAfter: 5, reason: ['busy'] }];
    assert.deepEqual(decodePollRepContent(reparse(encodePollRepContent(rep))), rep);
  });
  it('rejects a negative checkAfter', () => {
    const node = new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.Integer({ value: 0 }), new asn1js.Integer({ value: -5 })] })] });
    assert.throws(() => decodePollRepContent(reparse(node)), CmpDecodeError);
  });
  it('round-trips an error message', () => {
    const e = { pKIStatusInfo: { status: 'rejection' as const, failInfo: ['badPOP' as const] }, errorCode: 42, errorDetails: ['detail'] };
    assert.deepEqual(decodeErrorMsgContent(reparse(encodeErrorMsgContent(e))), e);
  });
  it('round-trips genm/genp caCerts', () => {
    const { root, intermediate } = makeChain('ec');
    const items = [{ infoType: ID_IT_CA_CERTS, infoValue: encodeCaCertsValue([root, intermediate]) }, { infoType: ID_IT_CA_CERTS }];
    const back = decodeGenMsgContent(reparse(encodeGenMsgContent(items)));
    assert.deepEqual(back, items);
    assert.deepEqual(decodeCaCertsValue(back[0].infoValue!), [root, intermediate]);
  });
  it('round-trips a CertId', () => {
    const id = { issuer: nullDnGeneralName(), serialNumber: Uint8Array.from([0x00, 0x80]) };
    const back = decodeCertIdDer(der(encodeCertId(id)));
    assert.equal(hex(back.serialNumber), '0080');
  });
  it('round-trips a PBMParameter', () => {
    const p = {
      salt: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
      owf: new pkijs.AlgorithmIdentifier({ algorithmId: '2.16.840.1.101.3.4.2.1' }),
      iterationCount: 1_000_000_000,
      mac: new pkijs.AlgorithmIdentifier({ algorithmId: '1.3.6.1.5.5.8.1.2' }),
    };
    const back = decodePBMParameter(reparse(encodePBMParameter(p)));
    assert.equal(back.iterationCount, 1_000_000_000);
    assert.equal(back.mac.algorithmId, '1.3.6.1.5.5.8.1.2');
  });
});

describe('asn1/PKIBody', () => {
  it('round-trips every implemented body type', () => {
    const bodies: PKIBody[] = [
      { type: 'pkiconf' },
      { type: 'genm', content: [{ infoType: ID_IT_CA_CERTS }] },
      { type: 'pollReq', content: [{ certReqId: 0 }] },
      { type: 'pollRep', content: [{ certReqId: 0, checkAfter: 1 }] },
      { type: 'certConf', content: [{ certHash: Uint8Array.from([1]), certReqId: 0 }] },
      { type: 'error', content: { pKIStatusInfo: { status: 'rejection' } } },
      { type: 'cp', content: { response: [{ certReqId: 0, status: { status: 'waiting' } }] } },
    ];
    for (const body of bodies) {
      const bytes = der(encodePKIBody(body));
      assert.deepEqual(decodePKIBody(parseDer(bytes, 'b')), body, body.type);
    }
  });
  it('rejects a p10cr that is not a CSR', () => {
    const node = new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [new asn1js.Sequence()] });
    assert.throws(() => decodePKIBody(reparse(node)), CmpDecodeError);
  });
});
