// Our CmpClient against our development CA, in-process through the pluggable transport (the CA's
// `handle`): every flow the issuer uses, and a polled enrollment resumed from its stored state
// (as after a controller restart) that enrolls exactly once.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { CmpClient, type EnrollmentRequest } from '../../../src/cmp/client.js';
import { CmpRejectedError } from '../../../src/cmp/errors.js';
import type { ProtectionCredentials } from '../../../src/cmp/protection.js';
import { startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import { makeCsr, makeKey } from '../fixtures.js';

const SECRET = new TextEncoder().encode('interop-secret');
const PBM: ProtectionCredentials = { type: 'pbm', secret: SECRET, reference: new TextEncoder().encode('interop') };

function inProcess(ca: DevelopmentCa, protection: ProtectionCredentials = PBM, implicitConfirm = false): CmpClient {
  return new CmpClient({ transport: { send: (bytes) => ca.handle(bytes) }, protection, trusted: ca.roots, implicitConfirm });
}

describe('CmpClient ⇄ development CA (in-process)', () => {
  let ca: DevelopmentCa;
  before(async () => {
    ca = await startDevelopmentCa({ secret: 'interop-secret', reference: 'interop' });
  });

  for (const type of ['p10cr', 'ir', 'cr'] as const) {
    it(`${type} + PBM: certificate for the requested key and SANs, chain and both roots split out`, async () => {
      const key = makeKey(type === 'cr' ? 'rsa' : 'ec');
      const csr = makeCsr({ subject: `CN=${type}-interop`, key, dns: [`${type}.example.org`], ips: ['192.0.2.1'], uris: ['urn:x'] });
      const request: EnrollmentRequest = type === 'p10cr' ? { type, csr } : { type, csr, privateKey: key.privateKey };
      const result = await inProcess(ca).enroll(request);
      const leaf = new X509Certificate(result.certificate);
      assert.equal(leaf.subject, `CN=${type}-interop`);
      assert.equal(leaf.subjectAltName, `DNS:${type}.example.org, URI:urn:x, IP Address:192.0.2.1`); // the CSR's order
      assert.deepEqual(result.chain, [result.certificate, ca.intermediate]);
      assert.deepEqual([...result.trustedRoots].sort(Buffer.compare), [...ca.roots].sort(Buffer.compare));
      assert.equal(result.implicitConfirmGranted, false);
    });
  }

  it('ir with implicitConfirm: granted', async () => {
    const key = makeKey('ed25519');
    const result = await inProcess(ca, PBM, true).enroll({ type: 'ir', csr: makeCsr({ subject: 'CN=implicit', key }), privateKey: key.privateKey });
    assert.equal(result.implicitConfirmGranted, true);
  });

  it('kur signed with the old key renews the certificate; genm returns the CA certificates', async () => {
    const oldKey = makeKey('ec');
    const old = await inProcess(ca).enroll({
      type: 'ir',
      csr: makeCsr({ subject: 'CN=renew-me', key: oldKey, dns: ['renew.example.org'] }),
      privateKey: oldKey.privateKey,
    });
    const newKey = makeKey('ec');
    const renewed = await inProcess(ca).enroll({
      type: 'kur',
      csr: makeCsr({ subject: 'CN=renew-me', key: newKey, dns: ['renew.example.org'] }),
      privateKey: newKey.privateKey,
      oldCertificate: old.certificate,
      oldPrivateKey: oldKey.privateKey,
      oldChain: [ca.intermediate],
    });
    assert.notEqual(new X509Certificate(renewed.certificate).serialNumber, new X509Certificate(old.certificate).serialNumber);
    assert.deepEqual(await inProcess(ca).getCaCertificates(), [ca.intermediate, ...ca.roots]);
  });

  it('a wrong secret is a CA rejection carrying badMessageCheck', async () => {
    const key = makeKey('ec');
    const client = inProcess(ca, { type: 'pbm', secret: new TextEncoder().encode('wrong'), reference: new TextEncoder().encode('interop') });
    await assert.rejects(client.enroll({ type: 'ir', csr: makeCsr({ subject: 'CN=x', key }), privateKey: key.privateKey }), (err: unknown) => {
      assert.ok(err instanceof CmpRejectedError);
      assert.match(err.message, /badMessageCheck/);
      return true;
    });
  });

  it('--poll 3: a waiting enrollment resumed from its stored state (a restart) enrolls exactly once', async () => {
    const polling = await startDevelopmentCa({ secret: 'interop-secret', poll: 3, checkAfterSeconds: 0 });
    const key = makeKey('ec');
    const request: EnrollmentRequest = { type: 'ir', csr: makeCsr({ subject: 'CN=polled', key }), privateKey: key.privateKey };
    let step = await inProcess(polling).startEnrollment(request);
    let polls = 0;
    while (step.status === 'waiting') {
      // A fresh client each time, fed only the serialized state: what a restarted controller has.
      const stored = JSON.parse(JSON.stringify(step.state));
      step = await inProcess(polling).continueEnrollment(request, stored);
      polls += 1;
    }
    assert.equal(step.status, 'issued');
    // The client answers the first `waiting` with a pollReq at once (as OpenSSL does): 1 + 2 resumed polls.
    assert.equal(polls, 2);
    assert.equal(polling.stats.enrollments, 1);
    assert.deepEqual([...polling.stats.enrollmentsByTransaction.values()], [1]);
    assert.equal(polling.stats.requests.get('pollReq'), 3);
    assert.equal(polling.stats.requests.get('certConf'), 1);
  });
});
