// Our client against our development CA in-process (the CA issues what is asked, has two roots,
// and keeps transactions independent of connections): the result split, kur with the issued
// certificate, and the step API resumed by brand-new clients as after a controller restart.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { CmpClient, type EnrollmentRequest, parseTransactionState } from '../../src/cmp/client.js';
import { startDevelopmentCa } from '../../src/cmp/server/index.js';
import { hex, makeCsr, makeKey } from './fixtures.js';

describe('client against the development CA (in-process)', function () {
  this.timeout(30_000);
  const secret = new TextEncoder().encode('dev-secret');

  it('ir: chain = leaf + intermediate, both roots trusted, SANs issued; then kur with that certificate', async () => {
    const ca = await startDevelopmentCa({ secret: 'dev-secret', roots: 2 });
    // The CA signs its answers to signed requests (kur) with its intermediate: trust its roots.
    const client = new CmpClient({ transport: { send: (b) => ca.handle(b) }, protection: { type: 'pbm', secret }, trusted: ca.roots });
    const key = makeKey('ec');
    const csr = makeCsr({ subject: 'CN=dev-client', key, dns: ['dev.example'], ips: ['10.2.3.4'] });
    const first = await client.enroll({ type: 'ir', csr, privateKey: key.privateKey });
    assert.deepEqual(first.chain.map(hex), [first.certificate, ca.intermediate].map(hex));
    assert.deepEqual(new Set(first.trustedRoots.map(hex)), new Set(ca.roots.map(hex)));
    assert.equal(ca.roots.length, 2);
    assert.match(new X509Certificate(Buffer.from(first.certificate)).subjectAltName ?? '', /DNS:dev\.example/);

    const newKey = makeKey('ec');
    const renewed = await client.enroll({
      type: 'kur',
      csr: makeCsr({ subject: 'CN=dev-client', key: newKey }),
      privateKey: newKey.privateKey,
      oldCertificate: first.certificate,
      oldPrivateKey: key.privateKey,
      oldChain: [ca.intermediate],
    });
    assert.notEqual(hex(renewed.certificate), hex(first.certificate));
    await ca.stop();
  });

  it('step API: waiting, then brand-new clients resume from the stored state until issued', async () => {
    const ca = await startDevelopmentCa({ secret: 'dev-secret', poll: 2, checkAfterSeconds: 5 });
    const fresh = () => new CmpClient({ transport: { send: (b) => ca.handle(b) }, protection: { type: 'pbm', secret } });
    const key = makeKey('ec');
    const request: EnrollmentRequest = { type: 'p10cr', csr: makeCsr({ subject: 'CN=dev-poll', key }) };
    let step = await fresh().startEnrollment(request);
    let rounds = 0;
    while (step.status === 'waiting' && rounds < 5) {
      assert.equal(step.checkAfterSeconds, 5);
      const annotation = JSON.stringify(step.state);
      step = await fresh().continueEnrollment(request, parseTransactionState(JSON.parse(annotation)));
      rounds += 1;
    }
    assert.equal(step.status, 'issued');
    assert.ok(rounds >= 1);
    await ca.stop();
  });
});
