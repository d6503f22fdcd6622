// The development CA's stated policy: requested validity honoured (capped by maxValidity and the
// CA's own notAfter), 90 days when none is asked with notAfter moving with the backdated
// notBefore, and CA certificates only with allowCa (refused with badCertTemplate and the reason).
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { CertificateAuthority } from '../../../src/cmp/server/ca.js';
import { CaRefusal } from '../../../src/cmp/server/caRefusal.js';
import { encodeName } from '../../../src/cmp/server/distinguishedName.js';
import { endEntityValidity, type CertificateOrder } from '../../../src/cmp/server/issuancePolicy.js';

const DAY = 24 * 3600 * 1000;
const order = (extra: Partial<CertificateOrder> = {}): CertificateOrder => ({
  subject: encodeName([['CN', 'policy.example']]),
  publicKeyInfo: new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' })),
  extensions: [],
  ...extra,
});
const length = (cert: X509Certificate) => Date.parse(cert.validTo) - Date.parse(cert.validFrom);
// basicConstraints cA=TRUE (critical), as cert-manager puts it into the CSR for isCA.
const caConstraints = { oid: '2.5.29.19', critical: true, value: new Uint8Array([0x30, 0x03, 0x01, 0x01, 0xff]) };

describe('development CA issuance policy', () => {
  const now = new Date('2026-01-10T12:00:00Z');
  const caEnd = new Date('2030-01-01T00:00:00Z');

  it('keeps a requested validity exactly', () => {
    const notAfter = new Date(now.getTime() + 3 * 3600 * 1000);
    assert.deepEqual(endEntityValidity(order({ notBefore: now, notAfter }), caEnd, now), { notBefore: now, notAfter });
  });

  it('without a request: 90 days from a notBefore backdated by 5 minutes (notAfter moves with it)', () => {
    const { notBefore, notAfter } = endEntityValidity(order(), caEnd, now);
    assert.equal(notBefore.getTime(), now.getTime() - 5 * 60 * 1000);
    assert.equal(notAfter.getTime() - notBefore.getTime(), 90 * DAY);
  });

  it('only notAfter asked: from now to it; only notBefore asked: 90 days from it', () => {
    const notAfter = new Date(now.getTime() + DAY);
    assert.deepEqual(endEntityValidity(order({ notAfter }), caEnd, now), { notBefore: now, notAfter });
    const later = new Date(now.getTime() + DAY);
    assert.equal(endEntityValidity(order({ notBefore: later }), caEnd, now).notAfter.getTime(), later.getTime() + 90 * DAY);
  });

  it('shortens a request longer than maxValidity (825 days by default, or as configured) and never passes the CA', () => {
    const long = order({ notBefore: now, notAfter: new Date(now.getTime() + 1000 * DAY) });
    assert.equal(endEntityValidity(long, caEnd, now).notAfter.getTime(), now.getTime() + 825 * DAY);
    assert.equal(endEntityValidity(long, caEnd, now, { allowCa: false, maxValidityMs: 10 * DAY }).notAfter.getTime(), now.getTime() + 10 * DAY);
    const nearEnd = new Date(now.getTime() + 30 * DAY);
    assert.equal(endEntityValidity(long, nearEnd, now).notAfter.getTime(), nearEnd.getTime());
  });

  it('refuses a validity that ends before it begins', () => {
    assert.throws(
      () => endEntityValidity(order({ notBefore: now, notAfter: new Date(now.getTime() - 1000) }), caEnd, now),
      (err: unknown) => err instanceof CaRefusal && err.failInfo === 'badCertTemplate' && /ends before it begins/.test(err.message),
    );
  });

  it('refuses cA=TRUE by default with badCertTemplate and the reason', async () => {
    const ca = await CertificateAuthority.open({ roots: 1 });
    assert.throws(
      () => ca.issue(order({ extensions: [caConstraints] })),
      (err: unknown) =>
        err instanceof CaRefusal &&
        err.failInfo === 'badCertTemplate' &&
        err.message.includes('end-entity certificates only (cA=TRUE asked; start it with --allow-ca'),
    );
  });

  it('issues a CA certificate with allowCa, and a requested validity to the second', async () => {
    const ca = await CertificateAuthority.open({ roots: 1, policy: { allowCa: true } });
    const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000);
    const cert = new X509Certificate(ca.issue(order({ extensions: [caConstraints], notBefore, notAfter: new Date(notBefore.getTime() + 7 * DAY) })));
    assert.equal(cert.ca, true);
    assert.equal(length(cert), 7 * DAY);
    assert.ok(cert.verify(ca.intermediate.x509.publicKey));
  });
});
