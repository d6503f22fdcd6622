// The development CA's CMP server, driven in-process with requests crafted by the message layer
// (no client, no HTTP): flows, protection of every answer, and refusals as protected errors.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { encodePBMParameter } from '../../../src/cmp/asn1/PBMParameter.js';
import type { PKIBody } from '../../../src/cmp/asn1/PKIBody.js';
import { decodePKIMessage, encodePKIMessage, type PKIMessage } from '../../../src/cmp/asn1/PKIMessage.js';
import { decodeCaCertsValue, ID_IT_CA_CERTS } from '../../../src/cmp/asn1/InfoTypeAndValue.js';
import { buildHeader, hasImplicitConfirm, newNonce, newTransactionID } from '../../../src/cmp/header.js';
import {
  buildCertReqMsg,
  certConfBody,
  certRequestBody,
  genmCaCertsBody,
  oldCertIdControl,
  p10crBody,
  pkiconfBody,
  pollReqBody,
} from '../../../src/cmp/messages.js';
import { parseDistinguishedName } from '../../../src/cmp/names.js';
import { ID_PASSWORD_BASED_MAC, newPbmParameter } from '../../../src/cmp/pbm.js';
import { protectionType, protectMessage, verifyProtection, type ProtectionCredentials } from '../../../src/cmp/protection.js';
import { startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import { makeCsr, makeKey } from '../fixtures.js';

const SECRET = new TextEncoder().encode('unit-secret');
const REFERENCE = new TextEncoder().encode('unit-ref');
const PBM: ProtectionCredentials = { type: 'pbm', secret: SECRET, reference: REFERENCE };

interface Exchange {
  transactionID: Uint8Array;
  senderNonce: Uint8Array;
  recipNonce?: Uint8Array;
}

function request(body: PKIBody, credentials: ProtectionCredentials | null, exchange: Exchange, implicitConfirm = false): Uint8Array {
  const header = buildHeader({ ...exchange, implicitConfirm });
  const message = credentials ? protectMessage({ header, body }, credentials) : { header, body };
  return encodePKIMessage(message);
}

function freshExchange(): Exchange {
  return { transactionID: newTransactionID(), senderNonce: newNonce() };
}

function template(subject: string, publicKey: KeyObject) {
  return {
    subject: parseDistinguishedName(subject),
    publicKey: pkijs.PublicKeyInfo.fromBER(publicKey.export({ type: 'spki', format: 'der' })),
  };
}

function irBody(key: { publicKey: KeyObject; privateKey: KeyObject }, subject = 'CN=unit', type: 'ir' | 'cr' | 'kur' = 'ir'): PKIBody {
  return certRequestBody(type, [buildCertReqMsg({ template: template(subject, key.publicKey), popKey: key.privateKey })]);
}

function errorOf(response: PKIMessage): { failInfo: string[]; text: string } {
  assert.equal(response.body.type, 'error', `expected an error, got ${response.body.type}`);
  if (response.body.type !== 'error') throw new Error('unreachable');
  const info = response.body.content.pKIStatusInfo;
  assert.equal(info.status, 'rejection');
  return { failInfo: info.failInfo ?? [], text: (info.statusString ?? []).join(' ') };
}

function issuedCertificate(response: PKIMessage): Uint8Array {
  const body = response.body;
  assert.ok(body.type === 'ip' || body.type === 'cp' || body.type === 'kup', `expected a certificate answer, got ${body.type}`);
  const answer = body.content.response[0];
  assert.equal(answer.status.status, 'accepted');
  const certOrEncCert = answer.certifiedKeyPair?.certOrEncCert;
  assert.equal(certOrEncCert?.type, 'certificate');
  if (certOrEncCert?.type !== 'certificate') throw new Error('unreachable');
  return certOrEncCert.certificate;
}

describe('development CA CMP server (in-process)', () => {
  let ca: DevelopmentCa;
  const ecKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

  async function send(bytes: Uint8Array): Promise<PKIMessage> {
    return decodePKIMessage(await ca.handle(bytes));
  }

  /** Asserts the answer is signed by the intermediate and chains to our roots. */
  function assertSigned(response: PKIMessage): void {
    assert.equal(protectionType(response), 'signature');
    const verified = verifyProtection(response, { trusted: ca.roots });
    assert.deepEqual(verified.signer, ca.intermediate);
  }

  before(async () => {
    ca = await startDevelopmentCa({ secret: 'unit-secret', reference: 'unit-ref', checkAfterSeconds: 0 });
  });

  it('ir + PBM: answers ip with the requested key, PBM-protected, nonces and transactionID echoed', async () => {
    const key = ecKey();
    const exchange = freshExchange();
    const response = await send(request(irBody(key, 'CN=ir-unit, O=Example'), PBM, exchange));
    assert.equal(verifyProtection(response, { secret: SECRET }).type, 'pbm');
    assert.deepEqual(response.header.transactionID, exchange.transactionID);
    assert.deepEqual(response.header.recipNonce, exchange.senderNonce);
    assert.deepEqual(response.header.senderKID, REFERENCE);
    assert.equal(response.header.pvno, 2);
    const certificate = new X509Certificate(issuedCertificate(response));
    assert.deepEqual(certificate.publicKey.export({ type: 'spki', format: 'der' }), key.publicKey.export({ type: 'spki', format: 'der' }));
    assert.equal(certificate.subject, 'CN=ir-unit\nO=Example');
    assert.ok(certificate.verify(new X509Certificate(ca.intermediate).publicKey));
    if (response.body.type !== 'ip') throw new Error('expected ip');
    assert.deepEqual(response.body.content.caPubs, ca.roots);
    assert.deepEqual(response.extraCerts, [ca.intermediate]);
    assert.equal(hasImplicitConfirm(response.header), false);
  });

  it('answers with the PBM algorithms and iteration count the client used', async () => {
    const parameter = newPbmParameter({ owf: '1.3.14.3.2.26', mac: '1.3.6.1.5.5.8.1.2', iterationCount: 1234 });
    const exchange = freshExchange();
    const response = await send(request(irBody(ecKey()), { ...PBM, pbm: { owf: '1.3.14.3.2.26', mac: '1.3.6.1.5.5.8.1.2', iterationCount: 1234 } }, exchange));
    const params = response.header.protectionAlg?.algorithmParams as asn1js.Sequence;
    const [salt, owf, count, mac] = params.valueBlock.value as [asn1js.OctetString, asn1js.Sequence, asn1js.Integer, asn1js.Sequence];
    assert.equal(count.valueBlock.valueDec, 1234);
    assert.equal((owf.valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString(), parameter.owf.algorithmId);
    assert.equal((mac.valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString(), parameter.mac.algorithmId);
    assert.notDeepEqual(new Uint8Array(salt.valueBlock.valueHexView), parameter.salt);
    assert.equal(verifyProtection(response, { secret: SECRET }).type, 'pbm');
  });

  it('certConf with the right certHash → pkiconf; the transaction is then over', async () => {
    const exchange = freshExchange();
    const ip = await send(request(irBody(ecKey()), PBM, exchange));
    const certificate = issuedCertificate(ip);
    const conf = { transactionID: exchange.transactionID, senderNonce: newNonce(), recipNonce: ip.header.senderNonce };
    const pkiconf = await send(request(certConfBody([{ certificate, certReqId: 0 }]), PBM, conf));
    assert.equal(pkiconf.body.type, 'pkiconf');
    assert.deepEqual(pkiconf.header.recipNonce, conf.senderNonce);
    const again = { transactionID: exchange.transactionID, senderNonce: newNonce(), recipNonce: pkiconf.header.senderNonce };
    assert.match(errorOf(await send(request(certConfBody([{ certificate, certReqId: 0 }]), PBM, again))).text, /unknown or finished transaction/);
  });

  it('certConf with a wrong certHash → error badCertId', async () => {
    const exchange = freshExchange();
    const ip = await send(request(irBody(ecKey()), PBM, exchange));
    const conf = { transactionID: exchange.transactionID, senderNonce: newNonce(), recipNonce: ip.header.senderNonce };
    const response = await send(request(certConfBody([{ certificate: ca.roots[0], certReqId: 0 }]), PBM, conf));
    assert.deepEqual(errorOf(response).failInfo, ['badCertId']);
    assert.equal(verifyProtection(response, { secret: SECRET }).type, 'pbm');
  });

  it('certConf naming another certReqId than the answer → error badCertId', async () => {
    const exchange = freshExchange();
    const ip = await send(request(irBody(ecKey()), PBM, exchange));
    const conf = { transactionID: exchange.transactionID, senderNonce: newNonce(), recipNonce: ip.header.senderNonce };
    const response = await send(request(certConfBody([{ certificate: issuedCertificate(ip), certReqId: 7 }]), PBM, conf));
    assert.deepEqual(errorOf(response).failInfo, ['badCertId']);
    assert.match(errorOf(response).text, /certConf names certReqId 7, the certificate was answered as 0/);
  });

  it('a CRMF request with certReqId other than 0 → error badRequest', async () => {
    const key = ecKey();
    const body = certRequestBody('ir', [buildCertReqMsg({ certReqId: 5, template: template('CN=id5', key.publicKey), popKey: key.privateKey })]);
    const response = await send(request(body, PBM, freshExchange()));
    assert.deepEqual(errorOf(response).failInfo, ['badRequest']);
    assert.match(errorOf(response).text, /certReqId must be 0, got 5/);
  });

  it('a certConf protected by another client than the request that opened the transaction → error badMessageCheck', async () => {
    const exchange = freshExchange();
    const ip = await send(request(irBody(ecKey()), PBM, exchange));
    const conf = { transactionID: exchange.transactionID, senderNonce: newNonce(), recipNonce: ip.header.senderNonce };
    const stranger: ProtectionCredentials = { type: 'pbm', secret: SECRET, reference: new TextEncoder().encode('unit-ref') };
    // Same secret, but the transaction was opened under the reference; a message with no senderKID is another client.
    const { reference: _dropped, ...noReference } = stranger;
    const open = await startDevelopmentCa({ secret: 'unit-secret' });
    const openExchange = freshExchange();
    const first = decodePKIMessage(await open.handle(request(irBody(ecKey()), PBM, openExchange)));
    const openConf = { transactionID: openExchange.transactionID, senderNonce: newNonce(), recipNonce: first.header.senderNonce };
    const refused = decodePKIMessage(
      await open.handle(request(certConfBody([{ certificate: issuedCertificate(first), certReqId: 0 }]), noReference, openConf)),
    );
    assert.deepEqual(errorOf(refused).failInfo, ['badMessageCheck']);
    assert.match(errorOf(refused).text, /not protected by the same client as the request that opened the transaction/);
    await open.stop();
    // The same client (same reference) is accepted.
    assert.equal((await send(request(certConfBody([{ certificate: issuedCertificate(ip), certReqId: 0 }]), stranger, conf))).body.type, 'pkiconf');
  });

  it('a cmp2021 (pvno 3) request is answered in pvno 3; a certConf with hashAlg is checked with that hash', async () => {
    const exchange = freshExchange();
    const header = { ...buildHeader(exchange), pvno: 3 };
    const ip = await send(encodePKIMessage(protectMessage({ header, body: irBody(ecKey()) }, PBM)));
    assert.equal(ip.header.pvno, 3);
    const certificate = issuedCertificate(ip);
    const conf = { transactionID: exchange.transactionID, senderNonce: newNonce(), recipNonce: ip.header.senderNonce };
    const body = certConfBody([{ certificate, certReqId: 0 }]);
    if (body.type !== 'certConf') throw new Error('unreachable');
    // A SHA-512 certHash named in hashAlg (as for an EdDSA certificate) instead of the ECDSA signature's SHA-256.
    body.content[0].certHash = new Uint8Array(createHash('sha512').update(certificate).digest());
    body.content[0].hashAlg = new pkijs.AlgorithmIdentifier({ algorithmId: '2.16.840.1.101.3.4.2.3' });
    const pkiconf = await send(encodePKIMessage(protectMessage({ header: { ...buildHeader(conf), pvno: 3 }, body }, PBM)));
    assert.equal(pkiconf.body.type, 'pkiconf');
    assert.equal(pkiconf.header.pvno, 3);
  });

  it('noCaPubs: cp and kup carry no caPubs, ip still does; p10cr is answered with certReqId -1', async () => {
    const quiet = await startDevelopmentCa({ secret: 'unit-secret', noCaPubs: true });
    try {
      const cp = decodePKIMessage(await quiet.handle(request(p10crBody(makeCsr({ subject: 'CN=q', key: makeKey('ec') })), PBM, freshExchange(), true)));
      if (cp.body.type !== 'cp') throw new Error(`expected cp, got ${cp.body.type}`);
      assert.equal(cp.body.content.caPubs, undefined);
      assert.equal(cp.body.content.response[0].certReqId, -1);
      const ip = decodePKIMessage(await quiet.handle(request(irBody(ecKey()), PBM, freshExchange(), true)));
      if (ip.body.type !== 'ip') throw new Error(`expected ip, got ${ip.body.type}`);
      assert.deepEqual(ip.body.content.caPubs, quiet.roots);
    } finally {
      await quiet.stop();
    }
  });

  it('certConf whose recipNonce is not our last senderNonce → error badRecipientNonce', async () => {
    const exchange = freshExchange();
    const ip = await send(request(irBody(ecKey()), PBM, exchange));
    const conf = { transactionID: exchange.transactionID, senderNonce: newNonce(), recipNonce: newNonce() };
    const response = await send(request(certConfBody([{ certificate: issuedCertificate(ip), certReqId: 0 }]), PBM, conf));
    assert.deepEqual(errorOf(response).failInfo, ['badRecipientNonce']);
  });

  it('certConf or pollReq for an unknown transaction → error badRequest', async () => {
    for (const body of [certConfBody([{ certificate: ca.roots[0], certReqId: 0 }]), pollReqBody([0])]) {
      const response = await send(request(body, PBM, { ...freshExchange(), recipNonce: newNonce() }));
      const { failInfo, text } = errorOf(response);
      assert.deepEqual(failInfo, ['badRequest']);
      assert.match(text, /unknown or finished transaction/);
    }
  });

  it('a transactionID already in use → error transactionIdInUse', async () => {
    const exchange = freshExchange();
    await send(request(irBody(ecKey()), PBM, exchange));
    const response = await send(request(irBody(ecKey()), PBM, { ...exchange, senderNonce: newNonce() }));
    assert.deepEqual(errorOf(response).failInfo, ['transactionIdInUse']);
  });

  it('a corrupted POP signature → error badPOP, PBM-protected, nothing issued', async () => {
    const before = ca.stats.enrollments;
    const body = irBody(ecKey());
    if (body.type !== 'ir' || body.content[0].popo?.type !== 'signature') throw new Error('expected a signature POP');
    body.content[0].popo.signature.signature[5] ^= 0x40;
    const response = await send(request(body, PBM, freshExchange()));
    assert.deepEqual(errorOf(response).failInfo, ['badPOP']);
    assert.equal(verifyProtection(response, { secret: SECRET }).type, 'pbm');
    assert.equal(ca.stats.enrollments, before);
  });

  it('a POP made with another key → error badPOP', async () => {
    const body = certRequestBody('ir', [buildCertReqMsg({ template: template('CN=x', ecKey().publicKey), popKey: ecKey().privateKey })]);
    assert.deepEqual(errorOf(await send(request(body, PBM, freshExchange()))).failInfo, ['badPOP']);
  });

  it('a request without POP → error badPOP', async () => {
    const body = certRequestBody('cr', [buildCertReqMsg({ template: template('CN=x', ecKey().publicKey) })]);
    assert.deepEqual(errorOf(await send(request(body, PBM, freshExchange()))).failInfo, ['badPOP']);
  });

  it('a wrong secret → error badMessageCheck, signed by the intermediate (the client secret is unknown)', async () => {
    const response = await send(request(irBody(ecKey()), { type: 'pbm', secret: new TextEncoder().encode('wrong'), reference: REFERENCE }, freshExchange()));
    const { failInfo, text } = errorOf(response);
    assert.deepEqual(failInfo, ['badMessageCheck']);
    assert.match(text, /password-based MAC does not verify/);
    assertSigned(response);
  });

  it('an unknown reference (senderKID) → error badMessageCheck', async () => {
    const response = await send(request(irBody(ecKey()), { type: 'pbm', secret: SECRET, reference: new TextEncoder().encode('other') }, freshExchange()));
    assert.match(errorOf(response).text, /senderKID does not name a reference/);
  });

  it('an unprotected request → error badMessageCheck, signed', async () => {
    const response = await send(request(irBody(ecKey()), null, freshExchange()));
    assert.deepEqual(errorOf(response).failInfo, ['badMessageCheck']);
    assertSigned(response);
  });

  it('a PBM iteration count of 10^9 is refused at once, not computed', async () => {
    const header = buildHeader(freshExchange());
    const parameter = { ...newPbmParameter(), iterationCount: 1_000_000_000 };
    header.protectionAlg = new pkijs.AlgorithmIdentifier({ algorithmId: ID_PASSWORD_BASED_MAC, algorithmParams: encodePBMParameter(parameter) });
    header.senderKID = REFERENCE;
    const bytes = encodePKIMessage({ header, body: irBody(ecKey()), protection: new Uint8Array(32) });
    const { failInfo, text } = errorOf(await send(bytes));
    assert.deepEqual(failInfo, ['badMessageCheck']);
    assert.match(text, /iteration count 1000000000/);
  });

  it('a transactionID longer than 64 bytes → error badRequest (transactions are kept by id)', async () => {
    const response = await send(request(irBody(ecKey()), PBM, { transactionID: new Uint8Array(65), senderNonce: newNonce() }));
    assert.match(errorOf(response).text, /transactionID of 65 bytes is too long/);
  });

  it('pvno 1 → error unsupportedVersion', async () => {
    const header = { ...buildHeader(freshExchange()), pvno: 1 };
    const response = await send(encodePKIMessage(protectMessage({ header, body: irBody(ecKey()) }, PBM)));
    assert.deepEqual(errorOf(response).failInfo, ['unsupportedVersion']);
  });

  it('a body that opens no transaction here (pkiconf from a client) → error badRequest', async () => {
    const response = await send(request(pkiconfBody(), PBM, freshExchange()));
    assert.match(errorOf(response).text, /the body type pkiconf is not supported/);
  });

  it('malformed input (empty, garbage, truncated, bit-flipped) → a signed error, never a throw', async () => {
    const valid = request(irBody(ecKey()), PBM, freshExchange());
    const inputs: Uint8Array[] = [
      new Uint8Array(0),
      new Uint8Array(randomBytes(64)),
      valid.subarray(0, valid.length - 7),
      valid.subarray(0, 10),
      new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
    ];
    for (let i = 0; i < 24; i++) {
      const flipped = new Uint8Array(valid);
      flipped[(i * 37) % flipped.length] ^= 1 << (i % 8);
      inputs.push(flipped);
    }
    for (const input of inputs) {
      const response = await send(input);
      assert.equal(response.body.type, 'error');
      if (protectionType(response) === 'signature') assertSigned(response);
      else assert.equal(verifyProtection(response, { secret: SECRET }).type, 'pbm');
    }
  });

  it('a readable but non-DER request (a non-minimal length) → error badDataFormat, before its MAC counts', async () => {
    const valid = request(irBody(ecKey()), PBM, freshExchange());
    assert.equal(valid[1], 0x82, 'the test expects a two-byte outer length');
    const ber = new Uint8Array([0x30, 0x83, 0x00, ...valid.subarray(2)]);
    const { failInfo, text } = errorOf(await send(ber));
    assert.deepEqual(failInfo, ['badDataFormat']);
    assert.match(text, /not DER-encoded/);
  });

  it('a malformed message is answered with badDataFormat', async () => {
    const response = await send(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x02]));
    assert.deepEqual(errorOf(response).failInfo, ['badDataFormat']);
    assertSigned(response);
  });

  it('implicitConfirm asked → granted in the ip header, and the transaction is over', async () => {
    const exchange = freshExchange();
    const ip = await send(request(irBody(ecKey()), PBM, exchange, true));
    assert.equal(hasImplicitConfirm(ip.header), true);
    const conf = { transactionID: exchange.transactionID, senderNonce: newNonce(), recipNonce: ip.header.senderNonce };
    const response = await send(request(certConfBody([{ certificate: issuedCertificate(ip), certReqId: 0 }]), PBM, conf));
    assert.match(errorOf(response).text, /unknown or finished transaction/);
  });

  it('genm → genp with caCerts: the intermediate and every root', async () => {
    const response = await send(request(genmCaCertsBody(), PBM, freshExchange()));
    assert.equal(response.body.type, 'genp');
    if (response.body.type !== 'genp') return;
    const item = response.body.content.find((i) => i.infoType === ID_IT_CA_CERTS);
    assert.deepEqual(decodeCaCertsValue(item?.infoValue as Uint8Array), [ca.intermediate, ...ca.roots]);
  });

  it('p10cr: issues the CSR as it is (subject, SANs); a CSR with a broken self-signature → badPOP', async () => {
    const der = makeCsr({ subject: 'CN=p10-unit', key: makeKey('ec'), dns: ['p10.example.org'], emails: ['p10@example.org'] });
    const cp = await send(request(p10crBody(der), PBM, freshExchange()));
    assert.equal(cp.body.type, 'cp');
    const issued = new X509Certificate(issuedCertificate(cp));
    assert.equal(issued.subject, 'CN=p10-unit');
    assert.equal(issued.subjectAltName, 'DNS:p10.example.org, email:p10@example.org');
    const broken = new Uint8Array(der);
    broken[broken.length - 3] ^= 0x01;
    assert.deepEqual(errorOf(await send(request(p10crBody(broken), PBM, freshExchange()))).failInfo, ['badPOP']);
  });

  describe('signature-protected requests and kur', () => {
    let enrolled: { certificate: Uint8Array; key: KeyObject };
    before(async () => {
      const key = ecKey();
      const ip = await send(request(irBody(key, 'CN=holder'), PBM, freshExchange(), true));
      enrolled = { certificate: issuedCertificate(ip), key: key.privateKey };
    });
    const signedBy = (holder: { certificate: Uint8Array; key: KeyObject }): ProtectionCredentials => ({
      type: 'signature',
      key: holder.key,
      certificate: holder.certificate,
    });

    it('cr signed with a certificate this CA issued → cp, answer signed by the intermediate', async () => {
      const response = await send(request(irBody(ecKey(), 'CN=cr-signed', 'cr'), signedBy(enrolled), freshExchange()));
      assert.equal(response.body.type, 'cp');
      assertSigned(response);
    });

    it('kur signed by the old certificate, with oldCertID → kup keeping the old subject', async () => {
      const key = ecKey();
      const body = certRequestBody('kur', [
        buildCertReqMsg({
          template: { publicKey: pkijs.PublicKeyInfo.fromBER(key.publicKey.export({ type: 'spki', format: 'der' })) },
          controls: [oldCertIdControl(enrolled.certificate)],
          popKey: key.privateKey,
        }),
      ]);
      const response = await send(request(body, signedBy(enrolled), freshExchange()));
      assert.equal(response.body.type, 'kup');
      const renewed = new X509Certificate(issuedCertificate(response));
      assert.equal(renewed.subject, 'CN=holder');
      assert.notEqual(renewed.serialNumber, new X509Certificate(enrolled.certificate).serialNumber);
    });

    it('kur whose oldCertID names another certificate → error badCertId', async () => {
      const key = ecKey();
      const other = await send(request(irBody(ecKey(), 'CN=other'), PBM, freshExchange(), true));
      const body = certRequestBody('kur', [
        buildCertReqMsg({
          template: template('CN=holder', key.publicKey),
          controls: [oldCertIdControl(issuedCertificate(other))],
          popKey: key.privateKey,
        }),
      ]);
      assert.deepEqual(errorOf(await send(request(body, signedBy(enrolled), freshExchange()))).failInfo, ['badCertId']);
    });

    it('a request signed by a certificate from another CA → error signerNotTrusted', async () => {
      const stranger = await startDevelopmentCa({ secret: 'other' });
      const key = ecKey();
      const ip = decodePKIMessage(
        await stranger.handle(request(irBody(key, 'CN=stranger'), { type: 'pbm', secret: new TextEncoder().encode('other') }, freshExchange(), true)),
      );
      const response = await send(
        request(irBody(ecKey(), 'CN=x', 'kur'), signedBy({ certificate: issuedCertificate(ip), key: key.privateKey }), freshExchange()),
      );
      assert.deepEqual(errorOf(response).failInfo, ['signerNotTrusted']);
      assertSigned(response);
    });
  });
});

describe('development CA CMP server with polling', () => {
  it('--poll 2: ip waiting, pollRep, then ip with the certificate, certConf → pkiconf; one enrollment', async () => {
    const ca = await startDevelopmentCa({ secret: 'unit-secret', poll: 2, checkAfterSeconds: 3 });
    const send = async (bytes: Uint8Array) => decodePKIMessage(await ca.handle(bytes));
    const key = generateKeyPairSync('ed25519');
    const exchange = freshExchange();
    const pbm: ProtectionCredentials = { type: 'pbm', secret: SECRET };
    const waiting = await send(request(irBody(key), pbm, exchange));
    assert.equal(waiting.body.type, 'ip');
    if (waiting.body.type !== 'ip') return;
    assert.equal(waiting.body.content.response[0].status.status, 'waiting');
    assert.equal(waiting.body.content.response[0].certifiedKeyPair, undefined);

    let last = waiting;
    const next = () => ({ transactionID: exchange.transactionID, senderNonce: newNonce(), recipNonce: last.header.senderNonce });
    last = await send(request(pollReqBody([0]), pbm, next()));
    assert.equal(last.body.type, 'pollRep');
    if (last.body.type === 'pollRep') assert.equal(last.body.content[0].checkAfter, 3);
    last = await send(request(pollReqBody([0]), pbm, next()));
    assert.equal(last.body.type, 'ip');
    const certificate = issuedCertificate(last);
    last = await send(request(certConfBody([{ certificate, certReqId: 0 }]), pbm, next()));
    assert.equal(last.body.type, 'pkiconf');
    assert.equal(ca.stats.enrollments, 1);
    assert.equal(ca.stats.enrollmentsByTransaction.get(Buffer.from(exchange.transactionID).toString('hex')), 1);
    assert.equal(
      createHash('sha256')
        .update(new X509Certificate(certificate).publicKey.export({ type: 'spki', format: 'der' }))
        .digest('hex'),
      createHash('sha256')
        .update(key.publicKey.export({ type: 'spki', format: 'der' }))
        .digest('hex'),
    );
  });
});
