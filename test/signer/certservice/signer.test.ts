// The CertService signer against the CertService double over real mTLS: the exact headers
// (base64 of PEM, PK as PKCS#8), renewal through the update endpoint, and every answer mapped
// onto the right signer error, the client's error kept as its cause.
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { buildCsr, parseSubjectAltName } from '../../../src/cmp/csr.js';
import { parseDistinguishedName } from '../../../src/cmp/names.js';
import { parseIssuerSpec } from '../../../src/api/cmpv2Issuer.js';
import { toPem } from '../../../src/pki/pem.js';
import { createSigners } from '../../../src/signer/backends.js';
import { CertServiceHttpError, CertServiceTransportError } from '../../../src/signer/certservice/errors.js';
import { CertServiceSigner } from '../../../src/signer/certservice/signer.js';
import { IssuerError, PendingError, PermanentError } from '../../../src/signer/errors.js';
import type { IssuerView } from '../../../src/signer/issuerView.js';
import type { RequestView } from '../../../src/signer/requestView.js';
import type { SecretSource } from '../../../src/signer/secretSource.js';
import { startCertServiceDouble, type CertServiceDouble } from '../../support/certServiceDouble.js';

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

function issuerView(double: { url: string; caName: string }, extra: Record<string, unknown> = {}, kind: IssuerView['kind'] = 'CMPv2Issuer'): IssuerView {
  const parsed = parseIssuerSpec({
    url: double.url,
    healthEndpoint: 'actuator/health',
    certEndpoint: 'v1/certificate',
    updateEndpoint: 'v1/certificate-update',
    caName: double.caName,
    certSecretRef: { name: 'cs-client', certRef: 'tls.crt', keyRef: 'tls.key', cacertRef: 'ca.crt' },
    ...extra,
  });
  if (!parsed.ok) throw new Error(parsed.error);
  return kind === 'CMPv2Issuer'
    ? { kind, name: 'cs', namespace: 'apps', secretsNamespace: 'apps', generation: 1, spec: parsed.value }
    : { kind, name: 'cs', secretsNamespace: 'operator', generation: 1, spec: parsed.value };
}

interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

const ecKey = (): KeyPair => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsaKey = (): KeyPair => generateKeyPairSync('rsa', { modulusLength: 2048 });

function csrPem(key: KeyPair): string {
  return toPem(
    'CERTIFICATE REQUEST',
    buildCsr({ key: key.privateKey, subject: parseDistinguishedName('CN=web.apps'), subjectAltNames: [parseSubjectAltName('web.apps.svc')] }),
  );
}

function view(key: KeyPair, extra: Partial<RequestView> = {}): RequestView {
  return {
    namespace: 'apps',
    name: 'web-1',
    csrPem: csrPem(key),
    issuerRef: { name: 'cs', kind: 'CMPv2Issuer', group: 'certmanager.onap.org' },
    isCA: false,
    usages: [],
    privateKeySecretName: 'web-key',
    annotations: {},
    ...extra,
  };
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string | undefined) => Buffer.from(text ?? '', 'base64').toString('utf8');
const pkcs8 = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
const spkiOf = (pem: string) => new X509Certificate(pem).publicKey.export({ format: 'der', type: 'spki' });
const spki = (key: KeyObject) => key.export({ format: 'der', type: 'spki' });

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof Error, 'an Error');
    return err;
  }
  assert.fail('expected a rejection');
}

describe('signer/certservice/signer (against the CertService double, mTLS)', function () {
  let double: CertServiceDouble;
  let secrets: MemorySecrets;
  let signer: CertServiceSigner;

  before(async function () {
    double = await startCertServiceDouble();
  });
  after(async () => double?.stop());
  beforeEach(() => {
    double.script(undefined);
    double.healthStatus = 200;
    double.requests.length = 0;
    secrets = new MemorySecrets();
    const tls = { 'tls.crt': Buffer.from(double.clientTls.cert), 'tls.key': Buffer.from(double.clientTls.key), 'ca.crt': Buffer.from(double.clientTls.ca) };
    secrets.secrets.set('apps/cs-client', tls);
    secrets.secrets.set('operator/cs-client', tls);
    signer = new CertServiceSigner({ secrets, timeoutMs: 2000 });
  });

  function withKey(key: KeyPair, format: 'pkcs1' | 'pkcs8' | 'sec1' = 'pkcs8'): void {
    secrets.secrets.set('apps/web-key', { 'tls.key': Buffer.from(key.privateKey.export({ type: format, format: 'pem' }).toString()) });
  }

  it('first request: GET {url}/v1/certificate/{caName} with CSR and PK as base64 of PEM; chain and both roots', async function () {
    const key = ecKey();
    withKey(key, 'sec1'); // cert-manager writes EC keys as SEC1; CertService wants PKCS#8
    const request = view(key);
    const result = await signer.sign(request, issuerView(double));
    assert.equal(double.requests.length, 1);
    const [sent] = double.requests;
    assert.equal(sent.method, 'GET');
    assert.equal(sent.path, '/v1/certificate/RA');
    assert.equal(sent.headers.CSR, b64(request.csrPem), 'CSR = base64 of the PEM text as cert-manager sent it');
    assert.equal(sent.headers.PK, b64(pkcs8(key.privateKey)), 'PK = base64 of the PKCS#8 PEM');
    assert.match(unb64(sent.headers.PK), /^-----BEGIN PRIVATE KEY-----\n/);
    assert.equal(sent.headers.OLD_CERT, undefined);
    assert.equal(sent.headers.OLD_PK, undefined);
    assert.equal(sent.clientSubject, 'CN=cmpv2-operator', 'the certSecretRef client certificate was presented');
    assert.equal((result.chainPem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length, 2, 'leaf and intermediate');
    assert.deepEqual(spkiOf(result.chainPem), spki(key.publicKey));
    assert.equal(result.caPem, double.rootsPem.join(''), 'every trusted certificate, in order');
  });

  it('RSA key in PKCS#1 is sent as PKCS#8 too', async function () {
    const key = rsaKey();
    withKey(key, 'pkcs1');
    const result = await signer.sign(view(key), issuerView(double));
    assert.equal(unb64(double.requests[0].headers.PK), pkcs8(key.privateKey));
    assert.deepEqual(spkiOf(result.chainPem), spki(key.publicKey));
  });

  it('renewal (revision 2): GET …/v1/certificate-update/RA with OLD_CERT and OLD_PK from the Certificate Secret', async function () {
    const oldKey = ecKey();
    withKey(oldKey);
    const first = await signer.sign(view(oldKey), issuerView(double));
    const oldLeaf = first.chainPem.slice(0, first.chainPem.indexOf('-----END CERTIFICATE-----') + 26);
    secrets.certificates.set('apps/web', 'web-tls');
    secrets.secrets.set('apps/web-tls', {
      'tls.crt': Buffer.from(first.chainPem),
      'tls.key': Buffer.from(oldKey.privateKey.export({ type: 'sec1', format: 'pem' }).toString()),
    });
    const newKey = ecKey();
    withKey(newKey);
    double.requests.length = 0;
    const second = await signer.sign(view(newKey, { revision: 2, certificateName: 'web' }), issuerView(double));
    const [sent] = double.requests;
    assert.equal(sent.path, '/v1/certificate-update/RA');
    assert.equal(unb64(sent.headers.OLD_CERT), oldLeaf, 'the old leaf, PEM');
    assert.equal(unb64(sent.headers.OLD_PK), pkcs8(oldKey.privateKey), 'the old key as PKCS#8 PEM');
    assert.equal(unb64(sent.headers.PK), pkcs8(newKey.privateKey));
    assert.deepEqual(spkiOf(second.chainPem), spki(newKey.publicKey));
  });

  it('renewal falls back to the first-request endpoint without old material or without updateEndpoint', async function () {
    const key = ecKey();
    withKey(key);
    secrets.certificates.set('apps/web', 'web-tls'); // the Secret itself is missing
    await signer.sign(view(key, { revision: 3, certificateName: 'web' }), issuerView(double));
    secrets.secrets.set('apps/web-tls', { 'tls.crt': Buffer.from('not a certificate'), 'tls.key': Buffer.from('nor a key') });
    await signer.sign(view(key, { revision: 3, certificateName: 'web' }), issuerView(double));
    await signer.sign(view(key, { revision: 3, certificateName: 'web' }), issuerView(double, { updateEndpoint: undefined }));
    assert.deepEqual(
      double.requests.map((r) => r.path),
      ['/v1/certificate/RA', '/v1/certificate/RA', '/v1/certificate/RA'],
    );
    assert.ok(double.requests.every((r) => r.headers.OLD_CERT === undefined && r.headers.OLD_PK === undefined));
  });

  it('ClusterCMPv2Issuer reads certSecretRef from the cluster resource namespace', async function () {
    const key = ecKey();
    withKey(key);
    secrets.secrets.delete('apps/cs-client');
    await signer.sign(view(key), issuerView(double, {}, 'ClusterCMPv2Issuer'));
    assert.equal(double.requests.length, 1);
  });

  describe('error answers', function () {
    const cases: Array<{ name: string; status: number; body: string | Record<string, unknown>; type: 'permanent' | 'retry'; message: RegExp }> = [
      {
        name: '400 wrong CSR',
        status: 400,
        body: { errorMessage: 'Wrong certificate signing request (CSR) format' },
        type: 'permanent',
        message: /HTTP 400\): Wrong certificate signing request \(CSR\) format$/,
      },
      {
        name: '400 wrong PK',
        status: 400,
        body: { errorMessage: 'Wrong key (PK) format' },
        type: 'permanent',
        message: /HTTP 400\): Wrong key \(PK\) format$/,
      },
      {
        name: '404 unknown CA',
        status: 404,
        body: { errorMessage: 'Certification authority not found for given CAName' },
        type: 'permanent',
        message: /HTTP 404\): Certification authority not found for given CAName$/,
      },
      {
        name: '400 without errorMessage (Spring default body)',
        status: 400,
        body: { status: 400, error: 'Bad Request' },
        type: 'permanent',
        message: /HTTP 400\): no errorMessage given/,
      },
      {
        name: '500 CMP trouble behind CertService',
        status: 500,
        body: { errorMessage: 'Exception occurred during call to cmp client: connection refused' },
        type: 'retry',
        message: /HTTP 500\): Exception occurred during call to cmp client/,
      },
      {
        name: '500 CA rejection relayed by CertService',
        status: 500,
        body: { errorMessage: 'CMPv2 server returned following error: badRequest' },
        type: 'permanent',
        message: /CA rejected the request \(HTTP 500\): CMPv2 server returned following error: badRequest$/,
      },
      { name: '503 not JSON', status: 503, body: '<html>unavailable</html>', type: 'retry', message: /HTTP 503\): no errorMessage given/ },
      { name: '429 rate limited', status: 429, body: { errorMessage: 'slow down' }, type: 'retry', message: /HTTP 429\): slow down/ },
      { name: '200 not JSON', status: 200, body: 'certificate?', type: 'permanent', message: /not JSON/ },
      { name: '200 wrong shape', status: 200, body: { certificate: 'x' }, type: 'permanent', message: /certificateChain/ },
      {
        name: '200 unreadable certificate',
        status: 200,
        body: { certificateChain: ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'], trustedCertificates: [] },
        type: 'permanent',
        message: /certificateChain\[0\]/,
      },
    ];
    for (const c of cases) {
      it(`${c.name} → ${c.type === 'permanent' ? 'PermanentError' : 'retryable Error'} with the message`, async function () {
        const key = ecKey();
        withKey(key);
        double.script({ status: c.status, body: c.body });
        const err = await rejection(signer.sign(view(key), issuerView(double)));
        if (c.type === 'permanent') assert.ok(err instanceof PermanentError, `${err.name}: ${err.message}`);
        else assert.ok(!(err instanceof PermanentError) && !(err instanceof PendingError) && !(err instanceof IssuerError), `plain Error, got ${err.name}`);
        assert.match(err.message, c.message);
        if (c.status !== 200) assert.ok(err.cause instanceof CertServiceHttpError && err.cause.status === c.status, `caused by the HTTP ${c.status} answer`);
      });
    }

    it('a 200 chain for another key → PermanentError', async function () {
      const key = ecKey();
      withKey(key);
      const other = ecKey();
      withKey(other);
      const foreign = await signer.sign(view(other), issuerView(double));
      withKey(key);
      double.script({ status: 200, body: { certificateChain: [foreign.chainPem], trustedCertificates: double.rootsPem } });
      const err = await rejection(signer.sign(view(key), issuerView(double)));
      assert.ok(err instanceof PermanentError);
      assert.match(err.message, /not for the requested key/);
    });

    it('a key Secret already holding another key than the CSR (cert-manager re-issuing): retryable, nothing recorded or sent (the double would refuse it for good with badPOP)', async function () {
      const key = ecKey();
      withKey(ecKey());
      const sent: string[] = [];
      const err = await rejection(signer.sign(view(key), issuerView(double), undefined, { beforeSend: async (intent) => void sent.push(intent.kind) }));
      assert.ok(!(err instanceof PermanentError) && !(err instanceof PendingError) && !(err instanceof IssuerError), `${err.name}: ${err.message}`);
      assert.match(err.message, /the private key in Secret apps\/web-key is not the one this request's CSR was made with/);
      assert.deepEqual(sent, [], 'not even recorded as sent');
      assert.equal(double.requests.length, 0, 'nothing reached CertService');
    });

    it('unknown caName against the double → Permanent 404 with its message', async function () {
      const key = ecKey();
      withKey(key);
      const err = await rejection(signer.sign(view(key), issuerView({ url: double.url, caName: 'NoSuchCA' })));
      assert.ok(err instanceof PermanentError);
      assert.match(err.message, /Certification authority not found for given CAName/);
      assert.equal(double.requests[0].path, '/v1/certificate/NoSuchCA');
    });

    it('no answer within the timeout → retryable', async function () {
      const key = ecKey();
      withKey(key);
      double.script({ hang: true });
      signer = new CertServiceSigner({ secrets, timeoutMs: 300 });
      const err = await rejection(signer.sign(view(key), issuerView(double)));
      assert.ok(!(err instanceof PermanentError));
      assert.match(err.message, /no answer .* within 300 ms/);
      assert.ok(err.cause instanceof CertServiceTransportError, 'caused by the transport error');
    });

    it('connection refused → retryable', async function () {
      const closed: Server = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const key = ecKey();
      withKey(key);
      const err = await rejection(signer.sign(view(key), issuerView({ url: `https://127.0.0.1:${port}`, caName: 'RA' })));
      assert.ok(!(err instanceof PermanentError));
      assert.match(err.message, /cannot reach CertService.*ECONNREFUSED/);
      assert.ok(
        err.cause instanceof CertServiceTransportError && err.cause.cause instanceof Error,
        'caused by the transport error, itself by the socket error',
      );
    });

    it('the double refuses a client certificate it does not trust (mTLS) → retryable, nothing signed', async function () {
      secrets.secrets.set('apps/cs-client', {
        'tls.crt': Buffer.from(double.strangerTls.cert),
        'tls.key': Buffer.from(double.strangerTls.key),
        'ca.crt': Buffer.from(double.clientTls.ca),
      });
      const key = ecKey();
      withKey(key);
      const err = await rejection(signer.sign(view(key), issuerView(double)));
      assert.ok(!(err instanceof PermanentError));
      assert.match(err.message, /cannot reach CertService|reading the answer/);
      assert.equal(double.requests.length, 0, 'no request reached the API');
    });

    it('no private key Secret yet → retryable; an unreadable one → Permanent; neither quotes the key', async function () {
      const key = ecKey();
      const missing = await rejection(signer.sign(view(key), issuerView(double)));
      assert.ok(!(missing instanceof PermanentError));
      assert.match(missing.message, /Secret apps\/web-key with tls.key not found/);
      secrets.secrets.set('apps/web-key', { 'tls.key': Buffer.from('-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ1dC1icm9rZW4=\n-----END PRIVATE KEY-----\n') });
      const broken = await rejection(signer.sign(view(key), issuerView(double)));
      assert.ok(broken instanceof PermanentError);
      assert.doesNotMatch(broken.message, /c2VjcmV0/);
      assert.equal(double.requests.length, 0);
    });

    it('issuer Secret missing, a key missing, or a key that does not match the certificate → IssuerError', async function () {
      const key = ecKey();
      withKey(key);
      secrets.secrets.delete('apps/cs-client');
      assert.ok((await rejection(signer.sign(view(key), issuerView(double)))) instanceof IssuerError);
      secrets.secrets.set('apps/cs-client', { 'tls.crt': Buffer.from(double.clientTls.cert), 'ca.crt': Buffer.from(double.clientTls.ca) });
      const noKey = await rejection(signer.check(issuerView(double)));
      assert.ok(noKey instanceof IssuerError);
      assert.match(noKey.message, /has no key tls.key/);
      secrets.secrets.set('apps/cs-client', {
        'tls.crt': Buffer.from(double.clientTls.cert),
        'tls.key': Buffer.from(double.strangerTls.key),
        'ca.crt': Buffer.from(double.clientTls.ca),
      });
      const mismatch = await rejection(signer.check(issuerView(double)));
      assert.ok(mismatch instanceof IssuerError, `${mismatch.name}: ${mismatch.message}`);
      assert.doesNotMatch(mismatch.message, /PRIVATE KEY/);
    });
  });

  describe('check (health endpoint over mTLS)', function () {
    it('200 → resolves; the request carried the client certificate', async function () {
      await signer.check(issuerView(double));
      assert.deepEqual(
        double.requests.map((r) => [r.path, r.clientSubject]),
        [['/actuator/health', 'CN=cmpv2-operator']],
      );
    });
    it('503 → retryable error naming the status', async function () {
      double.healthStatus = 503;
      const err = await rejection(signer.check(issuerView(double)));
      assert.ok(!(err instanceof PermanentError) && !(err instanceof IssuerError));
      assert.match(err.message, /health check failed: CertService answered HTTP 503/);
      assert.ok(err.cause instanceof CertServiceHttpError && err.cause.status === 503);
    });
    it('a server certificate from an untrusted CA → retryable, never signed', async function () {
      secrets.secrets.set('apps/cs-client', {
        'tls.crt': Buffer.from(double.clientTls.cert),
        'tls.key': Buffer.from(double.clientTls.key),
        'ca.crt': Buffer.from(double.rootsPem[0]),
      });
      const err = await rejection(signer.check(issuerView(double)));
      assert.match(err.message, /cannot reach CertService/);
      assert.equal(double.requests.length, 0);
    });
  });

  it('createSigners routes CertService issuers to this signer', async function () {
    const key = ecKey();
    withKey(key);
    const result = await createSigners({ secrets }).forIssuer(issuerView(double)).sign(view(key), issuerView(double));
    assert.deepEqual(spkiOf(result.chainPem), spki(key.publicKey));
    assert.ok(createPrivateKey(double.clientTls.key));
  });
});
