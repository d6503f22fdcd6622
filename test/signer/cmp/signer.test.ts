// The CMP signer against the development CA in-process (real CMP messages, real protection,
// real certificates): each outcome lands on the right signer error, with the CMP error as its
// cause; the shutdown signal reaches the transport.
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import { CmpDecodeError, CmpProtocolError, CmpRejectedError, CmpTransportError } from '../../../src/cmp/errors.js';
import { buildCsr, parseSubjectAltName } from '../../../src/cmp/csr.js';
import { formatDistinguishedName, parseDistinguishedName } from '../../../src/cmp/names.js';
import { rejectedError } from '../../../src/cmp/status.js';
import type { CmpTransport, HttpTransportOptions } from '../../../src/cmp/transport.js';
import { decodePKIMessage } from '../../../src/cmp/asn1/PKIMessage.js';
import { parseIssuerSpec } from '../../../src/api/cmpv2Issuer.js';
import { toPem } from '../../../src/pki/pem.js';
import { CmpSigner, cmpSignerError } from '../../../src/signer/cmp/signer.js';
import { failureDetails, IssuerError, PendingError, PermanentError } from '../../../src/signer/errors.js';
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

function issuerView(cmp: Record<string, unknown>): IssuerView {
  const parsed = parseIssuerSpec({
    cmp: {
      url: 'http://in-process.invalid/.well-known/cmp',
      protection: { passwordBasedMac: { secretRef: { name: 'iak', key: 'password' }, reference: 'rv-1' } },
      ...cmp,
    },
  });
  if (!parsed.ok) throw new Error(parsed.error);
  return { kind: 'CMPv2Issuer', name: 'ca', namespace: 'apps', secretsNamespace: 'apps', generation: 1, spec: parsed.value };
}

function newKey(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

function view(key: { publicKey: KeyObject; privateKey: KeyObject }, extra: Partial<RequestView> = {}): RequestView {
  const csr = buildCsr({ key: key.privateKey, subject: parseDistinguishedName('CN=web.apps'), subjectAltNames: [parseSubjectAltName('web.apps.svc')] });
  return {
    namespace: 'apps',
    name: 'web-1',
    csrPem: toPem('CERTIFICATE REQUEST', csr),
    issuerRef: { name: 'ca', kind: 'CMPv2Issuer', group: 'certmanager.onap.org' },
    isCA: false,
    usages: [],
    annotations: {},
    ...extra,
  };
}

const spkiOf = (pem: string) => new X509Certificate(pem).publicKey.export({ format: 'der', type: 'spki' });

describe('signer/cmp/signer (against the development CA, in process)', function () {
  let ca: DevelopmentCa;
  let secrets: MemorySecrets;
  let signer: CmpSigner;

  before(async function () {
    ca = await startDevelopmentCa({ secret: 'iak-secret', reference: 'rv-1' });
  });
  after(async () => ca.stop());
  beforeEach(() => {
    secrets = new MemorySecrets();
    secrets.secrets.set('apps/iak', { password: Buffer.from('iak-secret') });
    signer = new CmpSigner({ secrets, transport: () => ({ send: (m) => ca.handle(m) }) });
  });

  it('p10cr with PBM: the chain for our key, and both roots', async function () {
    const key = newKey();
    const result = await signer.sign(view(key), issuerView({}));
    const chain = result.chainPem.match(/-----BEGIN CERTIFICATE-----/g) ?? [];
    assert.equal(chain.length, 2, 'leaf and intermediate');
    assert.deepEqual(spkiOf(result.chainPem), key.publicKey.export({ format: 'der', type: 'spki' }));
    assert.equal((result.caPem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length, 2, 'both roots');
    assert.equal(result.caPem, ca.rootsPem.replace(/\r/g, ''));
  });

  it('ir with the private key from the cert-manager key Secret', async function () {
    const key = newKey();
    secrets.secrets.set('apps/web-key', { 'tls.key': Buffer.from(key.privateKey.export({ format: 'pem', type: 'sec1' })) });
    const before = ca.stats.requests.get('ir') ?? 0;
    const result = await signer.sign(view(key, { privateKeySecretName: 'web-key' }), issuerView({ messageType: 'ir' }));
    assert.deepEqual(spkiOf(result.chainPem), key.publicKey.export({ format: 'der', type: 'spki' }));
    assert.equal(ca.stats.requests.get('ir'), before + 1);
  });

  it('ir without the key Secret: a retryable error, not a failure', async function () {
    await assert.rejects(signer.sign(view(newKey(), { privateKeySecretName: 'absent' }), issuerView({ messageType: 'cr' })), (err: unknown) => {
      assert.ok(!(err instanceof PermanentError) && !(err instanceof PendingError) && !(err instanceof IssuerError));
      assert.match((err as Error).message, /needs the private key/);
      return true;
    });
  });

  it('a key Secret already holding another key than the CSR (cert-manager re-issuing): retryable, and nothing reaches the CA', async function () {
    secrets.secrets.set('apps/web-key-moved', { 'tls.key': Buffer.from(newKey().privateKey.export({ format: 'pem', type: 'pkcs8' })) });
    const before = ca.stats.requests.get('ir') ?? 0;
    const sent: string[] = [];
    await assert.rejects(
      signer.sign(view(newKey(), { privateKeySecretName: 'web-key-moved' }), issuerView({ messageType: 'ir' }), undefined, {
        beforeSend: async (intent) => void sent.push(intent.kind),
      }),
      (err: unknown) => {
        assert.ok(!(err instanceof PermanentError) && !(err instanceof PendingError) && !(err instanceof IssuerError));
        assert.match((err as Error).message, /the private key in Secret apps\/web-key-moved is not the one this request's CSR was made with/);
        return true;
      },
    );
    assert.deepEqual(sent, [], 'not even recorded as sent');
    assert.equal(ca.stats.requests.get('ir') ?? 0, before);
  });

  it("renewal: kur signed with the old key from the Certificate's Secret", async function () {
    const oldKey = newKey();
    const first = await signer.sign(view(oldKey), issuerView({}));
    secrets.certificates.set('apps/web', 'web-tls');
    secrets.secrets.set('apps/web-tls', {
      'ca.crt': Buffer.from(first.caPem),
      'tls.crt': Buffer.from(first.chainPem),
      'tls.key': Buffer.from(oldKey.privateKey.export({ format: 'pem', type: 'pkcs8' })),
    });
    const nextKey = newKey();
    secrets.secrets.set('apps/web-key-next', { 'tls.key': Buffer.from(nextKey.privateKey.export({ format: 'pem', type: 'pkcs8' })) });
    const renewal = view(nextKey, { revision: 2, certificateName: 'web', privateKeySecretName: 'web-key-next' });
    // The Secret's ca.crt is our own output, never trust for the signed kup (SPEC §3): without the issuer's genm roots it is refused.
    await assert.rejects(
      signer.sign(renewal, issuerView({})),
      /the CA's answer failed a check: message is signature-protected but no trusted certificates are configured/,
    );
    // With the roots the issuer check learned from the verified genm (status.caCertificates), the kup verifies.
    const checked = await signer.check(issuerView({}));
    const before = ca.stats.requests.get('kur') ?? 0;
    const renewed = await signer.sign(renewal, { ...issuerView({}), caCertificatesPem: checked.caCertificatesPem });
    assert.equal(ca.stats.requests.get('kur'), before + 1);
    assert.deepEqual(spkiOf(renewed.chainPem), nextKey.publicKey.export({ format: 'der', type: 'spki' }));
  });

  it('check: the self-signed certificates of the verified genm answer (the intermediate left out)', async function () {
    const checked = await signer.check(issuerView({}));
    assert.equal(checked.caCertificatesPem, ca.rootsPem.replace(/\r/g, ''));
  });

  it('a CA that sends no caPubs in cp: both roots still arrive, from the issuer check (genm)', async function () {
    const quiet = await startDevelopmentCa({ secret: 'iak-secret', reference: 'rv-1', noCaPubs: true });
    try {
      const quietSigner = new CmpSigner({ secrets, transport: () => ({ send: (m) => quiet.handle(m) }) });
      const without = await quietSigner.sign(view(newKey()), issuerView({}));
      // No caPubs, no root in extraCerts and no genm roots: nothing can be trusted, so nothing is written.
      assert.equal(without.caPem, '');
      const checked = await quietSigner.check(issuerView({}));
      const withRoots = await quietSigner.sign(view(newKey()), { ...issuerView({}), caCertificatesPem: checked.caCertificatesPem });
      assert.equal(withRoots.caPem, quiet.rootsPem.replace(/\r/g, ''));
    } finally {
      await quiet.stop();
    }
  });

  it('a PBM issuer without reference and without sender is refused; with a sender it works', async function () {
    const noIdentity = parseIssuerSpec({
      cmp: { url: 'http://x.invalid/', protection: { passwordBasedMac: { secretRef: { name: 'iak', key: 'password' } } } },
    });
    assert.equal(noIdentity.ok, false);
    if (!noIdentity.ok) assert.match(noIdentity.error, /passwordBasedMac needs an identity/);
    const open = await startDevelopmentCa({ secret: 'iak-secret' });
    try {
      const openSigner = new CmpSigner({ secrets, transport: () => ({ send: (m) => open.handle(m) }) });
      const spec = parseIssuerSpec({
        cmp: {
          url: 'http://x.invalid/',
          sender: 'CN=ra-operator,O=Example',
          protection: { passwordBasedMac: { secretRef: { name: 'iak', key: 'password' } } },
        },
      });
      if (!spec.ok) throw new Error(spec.error);
      const result = await openSigner.sign(view(newKey()), {
        kind: 'CMPv2Issuer',
        name: 'ca',
        namespace: 'apps',
        secretsNamespace: 'apps',
        generation: 1,
        spec: spec.value,
      });
      assert.ok(result.chainPem);
    } finally {
      await open.stop();
    }
  });

  it('spec.cmp.recipient, timeout and tls reach the message header and the transport', async function () {
    secrets.secrets.set('apps/tls-ca', { 'ca.crt': Buffer.from('-----BEGIN CERTIFICATE-----\nTLSCA\n-----END CERTIFICATE-----\n') });
    secrets.secrets.set('apps/tls-client', { 'tls.crt': Buffer.from('CLIENT-CERT'), 'tls.key': Buffer.from('CLIENT-KEY') });
    const seen: { options?: HttpTransportOptions; recipient?: string } = {};
    const capturing = new CmpSigner({
      secrets,
      transport: (options) => {
        seen.options = options;
        return {
          send: async (m) => {
            const header = decodePKIMessage(m).header;
            seen.recipient = formatDistinguishedName(header.recipient.value as Parameters<typeof formatDistinguishedName>[0]);
            return ca.handle(m);
          },
        };
      },
    });
    await capturing.sign(
      view(newKey()),
      issuerView({
        recipient: 'CN=ManagementCA,O=Example',
        timeout: '2s',
        tls: { caBundleSecretRef: { name: 'tls-ca', key: 'ca.crt' }, clientCertSecretRef: { name: 'tls-client' } },
      }),
    );
    assert.equal(seen.recipient, 'CN=ManagementCA, O=Example');
    assert.equal(seen.options?.timeoutMs, 2000);
    assert.match(seen.options?.tlsCa ?? '', /TLSCA/);
    assert.deepEqual([seen.options?.tlsCert, seen.options?.tlsKey], ['CLIENT-CERT', 'CLIENT-KEY']);
  });

  it('renewal without old material falls back to an initial request', async function () {
    const before = ca.stats.requests.get('kur') ?? 0;
    const result = await signer.sign(view(newKey(), { revision: 3, certificateName: 'gone' }), issuerView({}));
    assert.ok(result.chainPem);
    assert.equal(ca.stats.requests.get('kur') ?? 0, before);
  });

  it("a wrong shared secret: Failed for good, with the CA's words", async function () {
    secrets.secrets.set('apps/iak', { password: Buffer.from('not-the-iak-9f3c') });
    await assert.rejects(signer.sign(view(newKey()), issuerView({})), (err: unknown) => {
      assert.ok(err instanceof PermanentError, String(err));
      assert.match(err.message, /badMessageCheck/);
      assert.doesNotMatch(err.message, /not-the-iak-9f3c|iak-secret/, 'no secret is quoted');
      return true;
    });
  });

  it('a wrong shared secret through the real CA: caused by the CmpRejectedError, described as unverified badMessageCheck', async function () {
    secrets.secrets.set('apps/iak', { password: Buffer.from('not-the-iak-9f3c') });
    await assert.rejects(signer.sign(view(newKey()), issuerView({})), (err: unknown) => {
      assert.ok(err instanceof PermanentError && err.cause instanceof CmpRejectedError, String(err));
      const details = failureDetails(err);
      assert.ok(details.failInfo?.includes('badMessageCheck'), String(details.failInfo));
      assert.equal(details.verified, false);
      assert.equal(details.message, err.message);
      return true;
    });
  });

  it('a CA that cannot be reached: retryable', async function () {
    signer = new CmpSigner({
      secrets,
      transport: () => ({
        send: async () => {
          throw new CmpTransportError('connect ECONNREFUSED 127.0.0.1:9');
        },
      }),
    });
    await assert.rejects(signer.sign(view(newKey()), issuerView({})), (err: unknown) => {
      assert.ok(!(err instanceof PermanentError) && !(err instanceof PendingError));
      assert.match((err as Error).message, /cannot reach the CMP server: connect ECONNREFUSED/);
      return true;
    });
  });

  it("a missing issuer Secret is the issuer's fault", async function () {
    secrets.secrets.delete('apps/iak');
    await assert.rejects(signer.sign(view(newKey()), issuerView({})), IssuerError);
  });

  it('probe: genm answers; a refused MAC is permanent', async function () {
    await signer.check(issuerView({}));
    secrets.secrets.set('apps/iak', { password: Buffer.from('wrong') });
    await assert.rejects(signer.check(issuerView({})), PermanentError);
  });
});

describe('signer/cmp/signer with a CA that answers waiting', function () {
  let ca: DevelopmentCa;
  before(async function () {
    // The client polls once at once on `waiting`; the second waiting answer ends the step.
    ca = await startDevelopmentCa({ secret: 'iak-secret', poll: 2, checkAfterSeconds: 2 });
  });
  after(async () => ca.stop());

  it('Pending with checkAfter and the transaction; resumed, it completes the same transaction', async function () {
    const secrets = new MemorySecrets();
    secrets.secrets.set('apps/iak', { password: Buffer.from('iak-secret') });
    const signer = new CmpSigner({ secrets, transport: () => ({ send: (m) => ca.handle(m) }) });
    const key = newKey();
    const request = view(key);
    let pending: PendingError | undefined;
    try {
      await signer.sign(request, issuerView({}));
    } catch (err) {
      pending = err as PendingError;
    }
    assert.ok(pending instanceof PendingError, String(pending));
    assert.equal(pending.retryAfterMs, 2000);
    assert.ok(pending.resumeState);
    const enrollments = ca.stats.enrollments;
    const result = await signer.sign({ ...request, resumeState: pending.resumeState }, issuerView({}));
    assert.deepEqual(spkiOf(result.chainPem), key.publicKey.export({ format: 'der', type: 'spki' }));
    assert.equal(ca.stats.enrollments, enrollments, 'resuming polled; it did not enroll again');
    assert.equal(Math.max(...ca.stats.enrollmentsByTransaction.values()), 1, 'no transaction enrolled twice');
    const tid = Buffer.from((JSON.parse(pending.resumeState) as { transactionID: string }).transactionID, 'base64').toString('hex');
    assert.equal(ca.stats.enrollmentsByTransaction.get(tid), 1, 'the saved transaction is the one that completed');
  });
});

describe('signer/cmp/signer error mapping (the cause chain)', function () {
  let secrets: MemorySecrets;
  beforeEach(() => {
    secrets = new MemorySecrets();
    secrets.secrets.set('apps/iak', { password: Buffer.from('iak-secret') });
  });
  /** A signer whose transport throws `err` at the first message. */
  const failingWith = (err: Error) => new CmpSigner({ secrets, transport: () => ({ send: async () => Promise.reject(err) }) });

  it('a CA rejection (badPOP, unverified): PermanentError caused by the CmpRejectedError; the described failure carries badPOP and the unverified mark', async function () {
    const rejection = rejectedError('the CA rejected the request', { status: 'rejection', failInfo: ['badPOP'], statusString: ['signature invalid'] }, false, {
      unverifiedReason: 'no shared secret',
    });
    await assert.rejects(failingWith(rejection).sign(view(newKey()), issuerView({})), (err: unknown) => {
      assert.ok(err instanceof PermanentError, String(err));
      assert.equal(err.cause, rejection);
      assert.equal(err.message, rejection.message, "the CA's words as the library put them");
      const details = failureDetails(err);
      assert.deepEqual(details.failInfo, ['badPOP']);
      assert.equal(details.verified, false);
      assert.deepEqual(details.statusString, ['signature invalid']);
      assert.match(details.message, /badPOP/);
      assert.match(details.message, /unverified/);
      assert.equal(details.message, err.message, 'the message already names both: unchanged');
      return true;
    });
  });

  it('the facts come from the cause, not the text: a terse rejection still gets its failInfo and unverified mark', function () {
    const terse = new CmpRejectedError('the CA said no', { status: 'rejection', statusString: [], failInfo: ['badPOP', 'badRequest'], verified: false });
    const mapped = cmpSignerError(terse);
    assert.ok(mapped instanceof PermanentError);
    assert.equal(mapped.cause, terse);
    assert.equal(failureDetails(mapped).message, 'the CA said no (failInfo: badPOP, badRequest) [unverified answer]');
    const verified = new CmpRejectedError('rejection (badPOP)', { status: 'rejection', statusString: [], failInfo: ['badPOP'], verified: true });
    assert.deepEqual(failureDetails(cmpSignerError(verified)), { message: 'rejection (badPOP)', failInfo: ['badPOP'], statusString: [], verified: true });
  });

  it('a transport error stays retryable (not Permanent, Pending or IssuerError) with its cause', async function () {
    const refused = new CmpTransportError('connect ECONNREFUSED 127.0.0.1:9');
    await assert.rejects(failingWith(refused).sign(view(newKey()), issuerView({})), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.ok(!(err instanceof PermanentError) && !(err instanceof PendingError) && !(err instanceof IssuerError));
      assert.equal(err.cause, refused);
      assert.match(err.message, /cannot reach the CMP server: connect ECONNREFUSED/);
      assert.deepEqual(failureDetails(err), { message: err.message });
      return true;
    });
    await assert.rejects(
      failingWith(refused).check(issuerView({})),
      (err: unknown) => err instanceof Error && !(err instanceof PermanentError) && err.cause === refused,
    );
  });

  it('an answer that fails a check (not retryable) is permanent, with its cause', function () {
    for (const failure of [new CmpProtocolError('recipNonce does not match'), new CmpDecodeError('not a PKIMessage')]) {
      const mapped = cmpSignerError(failure);
      assert.ok(mapped instanceof PermanentError);
      assert.equal(mapped.cause, failure);
      assert.equal(mapped.message, `the CA's answer failed a check: ${failure.message}`);
    }
    const other = new Error('something else');
    assert.equal(cmpSignerError(other), other, 'not a CMP error: returned as it is');
  });

  it('a refused MAC on the probe is permanent, caused by the rejection', async function () {
    const refusal = new CmpRejectedError('the CA refused the genm: rejection (badMessageCheck)', {
      status: 'rejection',
      statusString: [],
      failInfo: ['badMessageCheck'],
      verified: false,
    });
    await assert.rejects(failingWith(refusal).check(issuerView({})), (err: unknown) => {
      assert.ok(err instanceof PermanentError);
      assert.equal(err.cause, refusal);
      assert.match(err.message, /^the CA refused our message protection: /);
      return true;
    });
  });
});

describe('signer/cmp/signer passes the abort signal to the transport', function () {
  /** A transport that never answers, until its signal aborts. */
  const hanging = (seen: (AbortSignal | undefined)[]): CmpTransport => ({
    send: (_m, signal) => {
      seen.push(signal);
      return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new CmpTransportError('request aborted')), { once: true }));
    },
  });

  for (const call of ['sign', 'check'] as const) {
    it(`${call}: an abort ends a pending exchange promptly, retryable, with the transport error as cause`, async function () {
      const secrets = new MemorySecrets();
      secrets.secrets.set('apps/iak', { password: Buffer.from('iak-secret') });
      const seen: (AbortSignal | undefined)[] = [];
      const signer = new CmpSigner({ secrets, transport: () => hanging(seen) });
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(new Error('shutting down')), 50);
      const pending = call === 'sign' ? signer.sign(view(newKey()), issuerView({}), controller.signal) : signer.check(issuerView({}), controller.signal);
      await assert.rejects(pending, (err: unknown) => {
        assert.ok(err instanceof Error && !(err instanceof PermanentError), String(err));
        assert.ok(err.cause instanceof CmpTransportError);
        return true;
      });
      assert.deepEqual(seen, [controller.signal], "the controller's signal reached the transport");
      assert.ok(Date.now() - started < 2000, 'promptly');
    });
  }
});
