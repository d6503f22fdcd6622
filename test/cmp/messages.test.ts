// Body builders: POP over DER(CertRequest), certHash, oldCertID, certConf, genm, error.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeCertIdDer } from '../../src/cmp/asn1/CertId.js';
import { decodePKIMessage, encodePKIMessage } from '../../src/cmp/asn1/PKIMessage.js';
import { parseCertificate } from '../../src/cmp/certificates.js';
import { certTemplateFromCsr } from '../../src/cmp/csr.js';
import { buildHeader, hasImplicitConfirm, newNonce, newTransactionID } from '../../src/cmp/header.js';
import { buildCertReqMsg, certConfBody, certHash, errorBody, oldCertIdControl, verifySignaturePop } from '../../src/cmp/messages.js';
import { hex, makeChain, makeCsr, makeKey } from './fixtures.js';

function viaWire(body: Parameters<typeof encodePKIMessage>[0]['body']) {
  const header = buildHeader({ transactionID: newTransactionID(), senderNonce: newNonce(), implicitConfirm: true });
  return decodePKIMessage(encodePKIMessage({ header, body }));
}

describe('messages', function () {
  // RSA-2048 key generation takes seconds on a loaded 2-core machine.
  this.timeout(60_000);
  for (const kind of ['ec', 'rsa', 'ed25519'] as const) {
    it(`signature POP (${kind}) verifies after a round trip and fails for another key`, () => {
      const key = makeKey(kind);
      const template = certTemplateFromCsr(makeCsr({ subject: 'CN=pop', key }));
      const msg = viaWire({ type: 'ir', content: [buildCertReqMsg({ template, popKey: key.privateKey })] });
      if (msg.body.type !== 'ir') throw new Error('unreachable');
      assert.equal(verifySignaturePop(msg.body.content[0]), true);
      const other = makeKey(kind);
      const forged = viaWire({ type: 'ir', content: [buildCertReqMsg({ template, popKey: other.privateKey })] });
      if (forged.body.type !== 'ir') throw new Error('unreachable');
      assert.equal(verifySignaturePop(forged.body.content[0]), false);
    });
  }
  it("certHash uses the digest of the certificate's signature algorithm", () => {
    const { leaf } = makeChain('ec');
    assert.equal(hex(certHash(leaf)), createHash('sha256').update(leaf).digest('hex'));
    const ed = makeChain('ed25519').leaf;
    assert.equal(hex(certHash(ed)), createHash('sha512').update(ed).digest('hex'));
  });
  it('oldCertID names the issuer and serial of the old certificate', () => {
    const { leaf } = makeChain('ec');
    const control = oldCertIdControl(leaf);
    assert.equal(control.type, '1.3.6.1.5.5.7.5.1.5');
    const id = decodeCertIdDer(control.value);
    const cert = parseCertificate(leaf);
    assert.equal(hex(id.serialNumber), hex(new Uint8Array(cert.serialNumber.valueBlock.valueHexView)));
    assert.ok(cert.issuer.isEqual(id.issuer.value));
  });
  it('certConf: accepted without statusInfo, rejected with rejection + text', () => {
    const { leaf } = makeChain('ec');
    const msg = viaWire(
      certConfBody([
        { certificate: leaf, certReqId: 0 },
        { certificate: leaf, certReqId: 1, reject: { statusString: ['wrong key'], failInfo: ['badCertTemplate'] } },
      ]),
    );
    if (msg.body.type !== 'certConf') throw new Error('unreachable');
    assert.equal(msg.body.content[0].statusInfo, undefined);
    assert.deepEqual(msg.body.content[1].statusInfo, { status: 'rejection', statusString: ['wrong key'], failInfo: ['badCertTemplate'] });
    assert.equal(hasImplicitConfirm(msg.header), true);
  });
  it('error body defaults to rejection', () => {
    const msg = viaWire(errorBody({ statusString: ['bad MAC'], failInfo: ['badMessageCheck'], errorDetails: ['x'] }));
    assert.deepEqual(msg.body, {
      type: 'error',
      content: { pKIStatusInfo: { status: 'rejection', statusString: ['bad MAC'], failInfo: ['badMessageCheck'] }, errorDetails: ['x'] },
    });
  });
});
