// spec.duration through the CMP signer to the development CA (in process): ir, cr and kur carry
// it as the CertTemplate's validity and the certificate lasts exactly that long; p10cr cannot
// carry it, so the CA's default (90 days) applies and a Warning note says why. spec.isCA without
// basicConstraints in the CSR (cert-manager's default) adds cA=TRUE to the template; a p10cr
// cannot, and fails with the reason.
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import { buildCsr, parseSubjectAltName } from '../../../src/cmp/csr.js';
import { parseDistinguishedName } from '../../../src/cmp/names.js';
import { decodePKIMessage } from '../../../src/cmp/asn1/PKIMessage.js';
import { parseIssuerSpec } from '../../../src/api/cmpv2Issuer.js';
import { toPem } from '../../../src/pki/pem.js';
import { CmpSigner } from '../../../src/signer/cmp/signer.js';
import { requestedValidity } from '../../../src/signer/cmp/enrollmentRequest.js';
import { PermanentError } from '../../../src/signer/errors.js';
import type { IssuerView } from '../../../src/signer/issuerView.js';
import type { RequestView } from '../../../src/signer/requestView.js';
import type { SecretSource } from '../../../src/signer/secretSource.js';

class MemorySecrets implements SecretSource {
  secrets = new Map<string, Record<string, Buffer>>();
  certificates = new Map<string, string>();
  async readSecret(namespace: string, name: string) {
    return this.secrets.get(`${namespace}/${name}`);
  }
  async certificateSecretName(namespace: string, name: string) {
    return this.certificates.get(`${namespace}/${name}`);
  }
}

function issuerView(cmp: Record<string, unknown>, caCertificatesPem?: string): IssuerView {
  const parsed = parseIssuerSpec({
    cmp: {
      url: 'http://in-process.invalid/.well-known/cmp',
      protection: { passwordBasedMac: { secretRef: { name: 'iak', key: 'password' }, reference: 'rv-1' } },
      ...cmp,
    },
  });
  if (!parsed.ok) throw new Error(parsed.error);
  return { kind: 'CMPv2Issuer', name: 'ca', namespace: 'apps', secretsNamespace: 'apps', generation: 1, spec: parsed.value, caCertificatesPem };
}

const pkcs8 = (key: KeyObject) => Buffer.from(key.export({ format: 'pem', type: 'pkcs8' }));
const lifetimeMs = (chainPem: string) => {
  const leaf = new X509Certificate(chainPem);
  return Date.parse(leaf.validTo) - Date.parse(leaf.validFrom);
};
const HOUR = 3600 * 1000;

describe('signer/cmp: spec.duration and spec.isCA reach the CertTemplate', function () {
  let ca: DevelopmentCa;
  let secrets: MemorySecrets;
  let signer: CmpSigner;
  const sent: string[] = [];

  before(async function () {
    ca = await startDevelopmentCa({ secret: 'iak-secret', reference: 'rv-1' });
  });
  after(async () => ca.stop());
  beforeEach(() => {
    secrets = new MemorySecrets();
    secrets.secrets.set('apps/iak', { password: Buffer.from('iak-secret') });
    sent.length = 0;
    signer = new CmpSigner({
      secrets,
      transport: () => ({
        send: (m) => {
          const body = decodePKIMessage(m).body;
          if (body.type === 'ir' || body.type === 'cr' || body.type === 'kur') {
            const v = body.content[0].certReq.certTemplate.validity;
            sent.push(`${body.type} ${v?.notBefore?.toISOString()}..${v?.notAfter?.toISOString()}`);
          } else sent.push(body.type);
          return ca.handle(m);
        },
      }),
    });
  });

  function view(name: string, duration: string | undefined, extra: Partial<RequestView> = {}) {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    secrets.secrets.set(`apps/${name}-key`, { 'tls.key': pkcs8(key.privateKey) });
    const csr = buildCsr({
      key: key.privateKey,
      subject: parseDistinguishedName(`CN=${name}.apps`),
      subjectAltNames: [parseSubjectAltName(`${name}.apps.svc`)],
    });
    const v: RequestView = {
      namespace: 'apps',
      name,
      csrPem: toPem('CERTIFICATE REQUEST', csr),
      issuerRef: { name: 'ca', kind: 'CMPv2Issuer', group: 'certmanager.onap.org' },
      isCA: false,
      usages: [],
      annotations: {},
      privateKeySecretName: `${name}-key`,
      ...(duration !== undefined ? { duration } : {}),
      ...extra,
    };
    return { key, view: v };
  }

  for (const messageType of ['ir', 'cr'] as const) {
    it(`${messageType}: the template asks for now..now+duration and the certificate lasts exactly that`, async function () {
      const { view: v } = view(`d-${messageType}`, '3h0m0s');
      const result = await signer.sign(v, issuerView({ messageType }));
      assert.equal(lifetimeMs(result.chainPem), 3 * HOUR);
      assert.match(sent.find((s) => s.startsWith(messageType)) ?? '', new RegExp(`^${messageType} \\S+\\.000Z\\.\\.\\S+\\.000Z$`));
      assert.equal(result.notes, undefined, 'nothing to say');
    });
  }

  it('ir without a duration: no validity asked, the CA default of 90 days exactly', async function () {
    const { view: v } = view('d-none', undefined);
    const result = await signer.sign(v, issuerView({ messageType: 'ir' }));
    assert.equal(lifetimeMs(result.chainPem), 90 * 24 * HOUR);
    assert.deepEqual(sent.slice(0, 1), ['ir undefined..undefined']);
  });

  it('p10cr with a duration: the CA default, and a Warning note says why', async function () {
    const { view: v } = view('d-p10', '2h');
    const result = await signer.sign(v, issuerView({ messageType: 'p10cr' }));
    assert.equal(lifetimeMs(result.chainPem), 90 * 24 * HOUR);
    assert.deepEqual(
      result.notes?.map((n) => `${n.type} ${n.reason}`),
      ['Warning DurationNotSent'],
    );
    assert.match(result.notes![0].message, /^spec\.duration 2h was not sent: a p10cr \(PKCS#10\) request cannot carry a validity/);
  });

  it('kur keeps the duration of the renewed request', async function () {
    const first = view('d-kur', '5h');
    const issued = await signer.sign(first.view, issuerView({ messageType: 'ir' }));
    secrets.certificates.set('apps/web', 'web-tls');
    secrets.secrets.set('apps/web-tls', { 'tls.crt': Buffer.from(issued.chainPem), 'tls.key': pkcs8(first.key.privateKey) });
    const renewal = view('d-kur2', '5h', { revision: 2, certificateName: 'web' });
    const checked = await signer.check(issuerView({}));
    const renewed = await signer.sign(renewal.view, issuerView({ messageType: 'ir' }, checked.caCertificatesPem));
    assert.ok(
      sent.some((s) => s.startsWith('kur ')),
      sent.join(', '),
    );
    assert.equal(lifetimeMs(renewed.chainPem), 5 * HOUR);
  });

  it('a CA that shortens the asked duration: issued, and a DurationNotHonoured Warning names both lifetimes', async function () {
    const capped = await startDevelopmentCa({ secret: 'iak-secret', reference: 'rv-1', maxValidityDays: 1 });
    try {
      const cappedSigner = new CmpSigner({ secrets, transport: () => ({ send: (m) => capped.handle(m) }) });
      const result = await cappedSigner.sign(view('d-capped', '72h').view, issuerView({ messageType: 'cr' }));
      assert.equal(lifetimeMs(result.chainPem), 24 * HOUR);
      assert.deepEqual(
        result.notes?.map((n) => `${n.type} ${n.reason}`),
        ['Warning DurationNotHonoured'],
      );
      assert.match(result.notes![0].message, /^spec\.duration 72h was asked but the CA issued a certificate valid for 24h \(/);
    } finally {
      await capped.stop();
    }
  });

  it('isCA with a CSR without basicConstraints: ir asks for cA=TRUE; a CA without allowCa refuses it, one with allowCa issues a CA certificate', async function () {
    const { view: v } = view('ca-ir', undefined, { isCA: true });
    await assert.rejects(signer.sign(v, issuerView({ messageType: 'ir' })), (err: unknown) => {
      assert.ok(err instanceof PermanentError);
      assert.match((err as Error).message, /end-entity certificates only \(cA=TRUE asked; start it with --allow-ca to issue CA certificates\)/);
      return true;
    });
    const allowing = await startDevelopmentCa({ secret: 'iak-secret', reference: 'rv-1', allowCa: true });
    try {
      const caSigner = new CmpSigner({ secrets, transport: () => ({ send: (m) => allowing.handle(m) }) });
      const result = await caSigner.sign(v, issuerView({ messageType: 'cr' }));
      assert.equal(new X509Certificate(result.chainPem).ca, true);
      const plain = await caSigner.sign(view('ee-ir', undefined).view, issuerView({ messageType: 'cr' }));
      assert.equal(new X509Certificate(plain.chainPem).ca, false, 'no basicConstraints added without isCA');
    } finally {
      await allowing.stop();
    }
  });

  it('isCA through p10cr with a CSR without basicConstraints: permanent, with the reason, nothing sent', async function () {
    const { view: v } = view('ca-p10', undefined, { isCA: true });
    await assert.rejects(signer.sign(v, issuerView({ messageType: 'p10cr' })), (err: unknown) => {
      assert.ok(err instanceof PermanentError);
      assert.match(
        (err as Error).message,
        /^spec\.isCA is true but the CSR asks for no basicConstraints cA=TRUE, and a p10cr sends the CSR as it is: use messageType ir or cr/,
      );
      return true;
    });
    assert.deepEqual(sent, []);
  });

  it('requestedValidity: whole seconds from now; an unreadable or zero duration is permanent', function () {
    const base = view('d-v', '90m').view;
    const now = new Date('2026-03-01T10:00:00.750Z');
    assert.deepEqual(requestedValidity(base, now), { notBefore: new Date('2026-03-01T10:00:00Z'), notAfter: new Date('2026-03-01T11:30:00Z') });
    assert.throws(
      () => requestedValidity({ ...base, duration: '3 days' }, now),
      (err: unknown) => err instanceof PermanentError && /^spec\.duration: "3 days" is not a duration/.test((err as Error).message),
    );
    assert.throws(
      () => requestedValidity({ ...base, duration: '0' }, now),
      (err: unknown) => err instanceof PermanentError && /must be positive/.test((err as Error).message),
    );
  });
});
