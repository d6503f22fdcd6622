// Our CmpClient against OpenSSL's mock CMP server (`openssl cmp -port 0 …`): ir, cr, p10cr, kur
// (signature-protected server), polling and resuming from a stored state, implicit confirm, error
// answers, a wrong shared secret, and a certificate for another key (refused with a rejecting certConf).
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodePKIMessage, type PKIMessage } from '../../../src/cmp/asn1/PKIMessage.js';
import { CmpClient, type EnrollmentRequest, parseTransactionState } from '../../../src/cmp/client.js';
import { CmpProtocolError, CmpRejectedError } from '../../../src/cmp/errors.js';
import type { ProtectionCredentials } from '../../../src/cmp/protection.js';
import { type CmpTransport, HttpTransport } from '../../../src/cmp/transport.js';
import { hex, type KeyPair, makeCertificate, makeCsr, makeKey } from '../../cmp/fixtures.js';
import { type OpenSslServer, startOpenSslServer, TempFiles } from './opensslServerHelpers.js';

const SECRET = 'peer-secret-1';
const REF = 'peer-ref-1';
const pbm: ProtectionCredentials = { type: 'pbm', secret: new TextEncoder().encode(SECRET), reference: new TextEncoder().encode(REF) };

/** Records every message sent and received, decoded. */
class RecordingTransport implements CmpTransport {
  readonly sent: PKIMessage[] = [];
  readonly received: PKIMessage[] = [];
  constructor(private readonly inner: HttpTransport) {}
  async send(request: Uint8Array): Promise<Uint8Array> {
    this.sent.push(decodePKIMessage(request));
    const answer = await this.inner.send(request);
    this.received.push(decodePKIMessage(answer));
    return answer;
  }
  close(): void {
    this.inner.close();
  }
}

const pem = (key: KeyPair) => key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

describe('peer: our CMP client against openssl cmp mock server', function () {
  this.timeout(60_000);
  const files = new TempFiles();
  const servers: OpenSslServer[] = [];
  // A two-root CA: root1 → intermediate → issued certificates; root2 only published.
  const root1Key = makeKey('ec');
  const root1 = makeCertificate({ subject: 'CN=Peer Root 1,O=cmpv2-operator tests', key: root1Key, ca: true });
  const root2 = makeCertificate({ subject: 'CN=Peer Root 2,O=cmpv2-operator tests', key: makeKey('ec'), ca: true });
  const intermediateKey = makeKey('ec');
  const intermediate = makeCertificate({ subject: 'CN=Peer Intermediate', key: intermediateKey, issuer: { certificate: root1, key: root1Key }, ca: true });
  const issue = (subject: string, key: KeyPair, serial?: Uint8Array) =>
    makeCertificate({ subject, key, issuer: { certificate: intermediate, key: intermediateKey }, serial });

  async function server(extra: string[], responseCertificate: Uint8Array, { pbmServer = true } = {}): Promise<OpenSslServer> {
    const args = [
      ...(pbmServer ? ['-srv_ref', REF, '-srv_secret', `pass:${SECRET}`] : []),
      '-rsp_cert',
      files.certs(`rsp-${servers.length}.pem`, [responseCertificate]),
      '-rsp_extracerts',
      files.certs('extracerts.pem', [intermediate, root2]),
      '-rsp_capubs',
      files.certs('capubs.pem', [root1]),
      ...extra,
    ];
    const s = await startOpenSslServer(args);
    servers.push(s);
    return s;
  }

  function client(s: OpenSslServer, options: Partial<ConstructorParameters<typeof CmpClient>[0]> = {}) {
    const transport = new RecordingTransport(new HttpTransport({ url: s.url, timeoutMs: 20_000 }));
    return { transport, client: new CmpClient({ transport, protection: pbm, ...options }) };
  }

  function request(type: 'ir' | 'cr' | 'p10cr', key: KeyPair): EnrollmentRequest {
    const csr = makeCsr({ subject: 'CN=peer-client,O=cmpv2-operator tests', key, dns: ['peer.example'], ips: ['127.0.0.1'], keyUsage: true });
    return type === 'p10cr' ? { type, csr } : { type, csr, privateKey: key.privateKey };
  }

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    files.remove();
  });

  for (const type of ['ir', 'cr', 'p10cr'] as const) {
    it(`${type} with PBM: issued, certConf/pkiconf, chain and every root`, async () => {
      const key = makeKey('ec');
      const leaf = issue('CN=peer-client', key);
      const s = await server([], leaf);
      const { client: c, transport } = client(s);
      const result = await c.enroll(request(type, key));
      assert.equal(hex(result.certificate), hex(leaf));
      assert.deepEqual(result.chain.map(hex), [leaf, intermediate].map(hex));
      // OpenSSL's mock server sends caPubs only in ip; root2 comes as a self-signed extraCert, which
      // is outside the protection and so never a trusted root (SPEC §3, issue 10): it is set apart.
      // Its genm answer names no CA certificates, so a cp has no root to write.
      assert.deepEqual(result.trustedRoots.map(hex), (type === 'ir' ? [root1] : []).map(hex));
      assert.deepEqual(result.extraRoots.map(hex), [hex(root2)]);
      assert.equal(result.implicitConfirmGranted, false);
      assert.deepEqual(
        transport.sent.map((m) => m.body.type),
        [type, 'certConf'],
      );
      assert.deepEqual(
        transport.received.map((m) => m.body.type),
        [{ ir: 'ip', cr: 'cp', p10cr: 'cp' }[type], 'pkiconf'],
      );
    });
  }

  it('RSA-2048 and Ed25519 keys enrol with ir', async () => {
    for (const kind of ['rsa', 'ed25519'] as const) {
      const key = makeKey(kind);
      const s = await server([], issue(`CN=peer-${kind}`, key));
      const result = await client(s).client.enroll(request('ir', key));
      assert.ok(result.certificate.byteLength > 0, kind);
    }
  });

  // OpenSSL 3.0 (this machine's peer) predates cmp2021: it cannot parse a certConf with hashAlg and
  // answers "wrong tag". RFC 9810 and SPEC §3 ask for that form for EdDSA-signed certificates, so
  // this records the peer's refusal, and that we send the form the SPEC names, reported as the CA's words.
  it('certConf for an Ed25519-signed certificate is sent in the cmp2021 form (hashAlg SHA-512, pvno 3); OpenSSL 3.0 refuses to parse it', async () => {
    // An Ed25519 intermediate under root1 issues the certificate: its signature names no hash of its own.
    const edKey = makeKey('ed25519');
    const edIntermediate = makeCertificate({ subject: 'CN=Peer Ed25519 Intermediate', key: edKey, issuer: { certificate: root1, key: root1Key }, ca: true });
    const key = makeKey('ec');
    const leaf = makeCertificate({ subject: 'CN=peer-client', key, issuer: { certificate: edIntermediate, key: edKey } });
    const s = await startOpenSslServer([
      '-srv_ref',
      REF,
      '-srv_secret',
      `pass:${SECRET}`,
      '-rsp_cert',
      files.certs('ed-leaf.pem', [leaf]),
      '-rsp_extracerts',
      files.certs('ed-chain.pem', [edIntermediate]),
      '-rsp_capubs',
      files.certs('ed-capubs.pem', [root1]),
    ]);
    servers.push(s);
    const { client: c, transport } = client(s);
    // Depending on where its parser stops, OpenSSL answers an error message or a bare HTTP 400.
    await assert.rejects(
      c.enroll(request('ir', key)),
      /the CA refused our certConf: rejection \(badRequest\): "wrong tag"|HTTP 400 from http:\/\/127\.0\.0\.1/,
    );
    const confs = transport.sent.filter((m) => m.body.type === 'certConf');
    assert.equal(confs.length, 1);
    const conf = confs[0];
    if (conf.body.type !== 'certConf') throw new Error('unreachable');
    assert.equal(conf.header.pvno, 3);
    assert.equal(conf.body.content[0].hashAlg?.algorithmId, '2.16.840.1.101.3.4.2.3');
    assert.equal(hex(conf.body.content[0].certHash), createHash('sha512').update(leaf).digest('hex'));
  });

  it('a certificate signed with RSA-PSS (made by openssl): certConf hashes it with the digest its PSS parameters name; OpenSSL accepts it', async () => {
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: files.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    run('genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'pss-root.key');
    run(
      'req',
      '-x509',
      '-new',
      '-key',
      'pss-root.key',
      '-subj',
      '/CN=PSS Root',
      '-days',
      '1',
      '-sigopt',
      'rsa_pss_saltlen:32',
      '-sha384',
      '-out',
      'pss-root.pem',
    );
    const key = makeKey('ec');
    writeFileSync(path.join(files.dir, 'pss-leaf.key'), pem(key));
    run('req', '-new', '-key', 'pss-leaf.key', '-subj', '/CN=peer-client', '-out', 'pss-leaf.csr');
    run(
      'x509',
      '-req',
      '-in',
      'pss-leaf.csr',
      '-CA',
      'pss-root.pem',
      '-CAkey',
      'pss-root.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-sha384',
      '-sigopt',
      'rsa_padding_mode:pss',
      '-sigopt',
      'rsa_pss_saltlen:32',
      '-out',
      'pss-leaf.pem',
    );
    const leafPem = readFileSync(path.join(files.dir, 'pss-leaf.pem'), 'utf8');
    const leaf = new Uint8Array(new X509Certificate(leafPem).raw);
    const s = await startOpenSslServer([
      '-srv_ref',
      REF,
      '-srv_secret',
      `pass:${SECRET}`,
      '-rsp_cert',
      path.join(files.dir, 'pss-leaf.pem'),
      '-rsp_capubs',
      path.join(files.dir, 'pss-root.pem'),
    ]);
    servers.push(s);
    const { client: c, transport } = client(s);
    const result = await c.enroll(request('ir', key));
    assert.equal(hex(result.certificate), hex(leaf));
    const conf = transport.sent[1];
    if (conf.body.type !== 'certConf') throw new Error(`expected certConf, got ${conf.body.type}`);
    assert.equal(hex(conf.body.content[0].certHash), createHash('sha384').update(leaf).digest('hex'), 'SHA-384, from the PSS parameters');
    assert.equal(conf.body.content[0].hashAlg, undefined);
    assert.equal(transport.received[1].body.type, 'pkiconf', 'OpenSSL checked the certHash and confirmed');
  });

  it('kur against a signature-protected server: signed with the old key, old cert in extraCerts, oldCertID', async () => {
    const serverKey = makeKey('ec');
    const serverCert = makeCertificate({ subject: 'CN=Peer CMP Server', key: serverKey, issuer: { certificate: root1, key: root1Key } });
    const oldKey = makeKey('ec');
    // OpenSSL 3.0's mock server checks oldCertID against the issuer and serial of -rsp_cert, so the
    // prepared new certificate shares the old one's serial number.
    const serial = Uint8Array.from([0x42, 0x01, 0x02, 0x03]);
    const oldCert = issue('CN=peer-client', oldKey, serial);
    const newKey = makeKey('ec');
    const newCert = issue('CN=peer-client', newKey, serial);
    const s = await server(
      [
        '-srv_cert',
        files.certs('srv.pem', [serverCert]),
        '-srv_key',
        files.key('srv.key', pem(serverKey)),
        '-srv_trusted',
        files.certs('srv-trusted.pem', [root1]),
      ],
      newCert,
      { pbmServer: false },
    );
    const { client: c, transport } = client(s, { trusted: [root1] });
    const csr = makeCsr({ subject: 'CN=peer-client', key: newKey });
    const result = await c.enroll({
      type: 'kur',
      csr,
      privateKey: newKey.privateKey,
      oldCertificate: oldCert,
      oldPrivateKey: oldKey.privateKey,
      oldChain: [intermediate],
    });
    assert.equal(hex(result.certificate), hex(newCert));
    const kur = transport.sent[0];
    assert.equal(kur.body.type, 'kur');
    assert.equal(hex(kur.extraCerts![0]), hex(oldCert));
    if (kur.body.type !== 'kur') throw new Error('unreachable');
    assert.equal(kur.body.content[0].certReq.controls?.[0].type, '1.3.6.1.5.5.7.5.1.5');
    assert.deepEqual(
      transport.received.map((m) => m.body.type),
      ['kup', 'pkiconf'],
    );
    assert.notEqual(transport.received[0].header.protectionAlg?.algorithmId, '1.2.840.113533.7.66.13');
  });

  it('ir signed with a client certificate against a signature-protected server', async () => {
    const serverKey = makeKey('ec');
    const serverCert = makeCertificate({ subject: 'CN=Peer CMP Server', key: serverKey, issuer: { certificate: root1, key: root1Key } });
    const raKey = makeKey('ec');
    const raCert = issue('CN=Peer RA', raKey);
    const key = makeKey('ec');
    const s = await server(
      [
        '-srv_cert',
        files.certs('srv2.pem', [serverCert]),
        '-srv_key',
        files.key('srv2.key', pem(serverKey)),
        '-srv_trusted',
        files.certs('srv2-trusted.pem', [root1]),
      ],
      issue('CN=peer-client', key),
      { pbmServer: false },
    );
    const { client: c } = client(s, { protection: { type: 'signature', key: raKey.privateKey, certificate: raCert, chain: [intermediate] }, trusted: [root1] });
    assert.ok((await c.enroll(request('ir', key))).certificate);
  });

  it('polling: -poll_count 2 -check_after 1 is honoured by enroll()', async () => {
    const key = makeKey('ec');
    const s = await server(['-poll_count', '2', '-check_after', '1'], issue('CN=peer-client', key));
    const waits: number[] = [];
    const { client: c, transport } = client(s, { sleep: async (ms) => void waits.push(ms) });
    await c.enroll(request('ir', key));
    // OpenSSL counts the waiting ip as the first of the two polls: ip(waiting) → pollReq → pollRep
    // (checkAfter 1) → wait → pollReq → ip.
    assert.deepEqual(waits, [1000]);
    assert.deepEqual(
      transport.sent.map((m) => m.body.type),
      ['ir', 'pollReq', 'pollReq', 'certConf'],
    );
  });

  it('polling: the step API stops at waiting and a new client resumes from the stored state', async () => {
    const key = makeKey('ec');
    const s = await server(['-poll_count', '2', '-check_after', '1'], issue('CN=peer-client', key));
    const req = request('cr', key);
    // OpenSSL 3.0's mock server forgets a transaction when its connection closes, so the resuming
    // clients share the connection; each knows nothing but the stored state.
    const { transport } = client(s);
    const fresh = () => new CmpClient({ transport, protection: pbm, keepConnectionWhileWaiting: true });
    const first = await fresh().startEnrollment(req);
    assert.equal(first.status, 'waiting');
    if (first.status !== 'waiting') return;
    assert.equal(first.checkAfterSeconds, 1);
    // What a controller would write to and read back from an annotation.
    const stored = JSON.parse(JSON.stringify(first.state)) as unknown;
    const step = await fresh().continueEnrollment(req, parseTransactionState(stored));
    assert.equal(step.status, 'issued');
    assert.deepEqual(
      transport.sent.map((m) => m.body.type),
      ['cr', 'pollReq', 'pollReq', 'certConf'],
    );
  });

  it('implicit confirm: granted by -grant_implicitconf, no certConf sent', async () => {
    const key = makeKey('ec');
    const s = await server(['-grant_implicitconf'], issue('CN=peer-client', key));
    const { client: c, transport } = client(s, { implicitConfirm: true });
    const result = await c.enroll(request('ir', key));
    assert.equal(result.implicitConfirmGranted, true);
    assert.deepEqual(
      transport.sent.map((m) => m.body.type),
      ['ir'],
    );
  });

  it('implicit confirm asked but not granted: certConf is sent', async () => {
    const key = makeKey('ec');
    const s = await server([], issue('CN=peer-client', key));
    const { client: c, transport } = client(s, { implicitConfirm: true });
    assert.equal((await c.enroll(request('ir', key))).implicitConfirmGranted, false);
    assert.deepEqual(
      transport.sent.map((m) => m.body.type),
      ['ir', 'certConf'],
    );
  });

  it("-send_error: a CA rejection with the CA's text, verified", async () => {
    const key = makeKey('ec');
    const s = await server(['-send_error'], issue('CN=peer-client', key));
    await assert.rejects(client(s).client.enroll(request('ir', key)), (err: unknown) => {
      assert.ok(err instanceof CmpRejectedError, String(err));
      assert.equal(err.retryable, false);
      assert.equal(err.rejection.verified, true);
      assert.equal(err.rejection.status, 'rejection');
      assert.match(err.message, /the CA rejected the request: rejection/);
      return true;
    });
  });

  it('-pkistatus 2 -failure 9 -statusstring: rejection with failInfo badPOP and the text', async () => {
    const key = makeKey('ec');
    const s = await server(['-pkistatus', '2', '-failure', '9', '-statusstring', 'no certificate for you'], issue('CN=peer-client', key));
    await assert.rejects(client(s).client.enroll(request('p10cr', key)), (err: unknown) => {
      assert.ok(err instanceof CmpRejectedError, String(err));
      assert.deepEqual(err.rejection.failInfo, ['badPOP']);
      assert.deepEqual(err.rejection.statusString, ['no certificate for you']);
      assert.match(err.message, /rejection \(badPOP\): "no certificate for you"/);
      return true;
    });
  });

  it("wrong shared secret: the CA's error is reported, marked unverified", async () => {
    const key = makeKey('ec');
    const s = await server([], issue('CN=peer-client', key));
    const wrong: ProtectionCredentials = { type: 'pbm', secret: new TextEncoder().encode('not-the-secret'), reference: new TextEncoder().encode(REF) };
    await assert.rejects(client(s, { protection: wrong }).client.enroll(request('ir', key)), (err: unknown) => {
      assert.ok(err instanceof CmpRejectedError, String(err));
      assert.equal(err.rejection.verified, false);
      assert.match(err.message, /unverified answer/);
      assert.ok(err.rejection.failInfo.length > 0 || err.rejection.statusString.length > 0);
      return true;
    });
  });

  it('a certificate for a different key is refused and a rejecting certConf is sent', async () => {
    const key = makeKey('ec');
    const s = await server([], issue('CN=someone-else', makeKey('ec')));
    const { client: c, transport } = client(s);
    await assert.rejects(c.enroll(request('ir', key)), (err: unknown) => err instanceof CmpProtocolError && /different public key/.test(err.message));
    assert.deepEqual(
      transport.sent.map((m) => m.body.type),
      ['ir', 'certConf'],
    );
    const conf = transport.sent[1];
    if (conf.body.type !== 'certConf') throw new Error('unreachable');
    assert.equal(conf.body.content[0].statusInfo?.status, 'rejection');
    // OpenSSL read it: it answered the certConf (pkiconf, or an error about the rejected certificate).
    assert.equal(transport.received.length, 2);
    assert.ok(['pkiconf', 'error'].includes(transport.received[1].body.type));
  });

  it('genm for CA certificates is answered by genp', async () => {
    const s = await server([], issue('CN=x', makeKey('ec')));
    const { client: c, transport } = client(s);
    const certs = await c.getCaCertificates();
    assert.ok(Array.isArray(certs));
    assert.deepEqual(
      transport.received.map((m) => m.body.type),
      ['genp'],
    );
  });
});
