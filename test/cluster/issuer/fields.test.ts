// Issue 13 on the bed: every field of a cert-manager Certificate reaches the development CA
// through a CMPv2Issuer (ir, cr, p10cr) and comes back in the Secret. For each row the issued
// certificate is read with node's X.509 parser and `openssl x509`: duration (ir/cr: asked ±30 s;
// p10cr: the CA's 90 days and a DurationNotSent Event), CA flag, key usage and extended key
// usage (as asked, and byte-equal to the CSR's), every SAN type, the subject byte-equal to the
// CSR's (a literal subject in its order), key type and size; ca.crt holds the CA's roots and
// `openssl verify` chains tls.crt to them. A CA without --allow-ca refuses isCA with its reason;
// a kur renewal keeps the duration.
import type { RunningIssuerLoop } from '../../controllers/loops.js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as pkijs from 'pkijs';
import { startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import type { KubeApi } from '../../../src/k8s/apiClient.js';
import type { CertificateRequest } from '../../../src/api/certManager.js';
import type { KubeList, Secret } from '../../../src/k8s/meta.js';
import { parseDuration } from '../../../src/k8s/duration.js';
import { parseCertificateBundle } from '../../../src/pki/pem.js';
import { TempFiles } from '../../peer/cmp/opensslServerHelpers.js';
import { useNamespace } from '../bed.js';
import { certificateFor, ROWS, type FieldRow, type KeyType } from './fieldsTable.js';
import { derBase64, issuerTestApi, listRequests, pbmCmpSpec, readyCertificate, requestWhen, startIssuerLoop } from './support.js';

const SECRET = 'fields-iak';
const REFERENCE = 'fields-rv';
const DEFAULT_VALIDITY_MS = 90 * 24 * 3600 * 1000;
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** What node and `openssl x509 -text` say of each key type. */
const KEY_FACTS: Record<KeyType, { type: string; detail: string; openssl: RegExp }> = {
  'RSA-2048': { type: 'rsa', detail: '2048', openssl: /Public Key Algorithm: rsaEncryption\s+Public-Key: \(2048 bit\)/ },
  'RSA-3072': { type: 'rsa', detail: '3072', openssl: /Public Key Algorithm: rsaEncryption\s+Public-Key: \(3072 bit\)/ },
  'RSA-4096': { type: 'rsa', detail: '4096', openssl: /Public Key Algorithm: rsaEncryption\s+Public-Key: \(4096 bit\)/ },
  'P-256': { type: 'ec', detail: 'prime256v1', openssl: /Public-Key: \(256 bit\)[\s\S]*NIST CURVE: P-256/ },
  'P-384': { type: 'ec', detail: 'secp384r1', openssl: /Public-Key: \(384 bit\)[\s\S]*NIST CURVE: P-384/ },
  'P-521': { type: 'ec', detail: 'secp521r1', openssl: /Public-Key: \(521 bit\)[\s\S]*NIST CURVE: P-521/ },
  Ed25519: { type: 'ed25519', detail: '', openssl: /Public Key Algorithm: ED25519/ },
};
/** cert-manager usage names → OpenSSL's names, key usage in bit order. */
const KEY_USAGE: [string, string][] = [
  ['digital signature', 'Digital Signature'],
  ['content commitment', 'Non Repudiation'],
  ['key encipherment', 'Key Encipherment'],
  ['data encipherment', 'Data Encipherment'],
  ['key agreement', 'Key Agreement'],
  ['cert sign', 'Certificate Sign'],
  ['crl sign', 'CRL Sign'],
];
const EXT_KEY_USAGE: Record<string, string> = { 'server auth': 'TLS Web Server Authentication', 'client auth': 'TLS Web Client Authentication' };

/** OpenSSL's text for an IP SAN (IPv6 as eight uppercase groups). */
function opensslIp(ip: string): string {
  if (!ip.includes(':')) return `IP Address:${ip}`;
  const [head, tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `IP Address:${groups.map((g) => parseInt(g, 16).toString(16).toUpperCase()).join(':')}`;
}

function expectedSans(row: FieldRow): string[] {
  return [
    ...(row.dnsNames ?? []).map((d) => `DNS:${d}`),
    ...(row.ipAddresses ?? []).map(opensslIp),
    ...(row.emailAddresses ?? []).map((e) => `email:${e}`),
    ...(row.uris ?? []).map((u) => `URI:${u}`),
  ].sort();
}

/** The extension's extnValue bytes (hex) by OID. */
function extensionHex(list: pkijs.Extension[] | undefined, oid: string): string | undefined {
  const found = list?.find((e) => e.extnID === oid);
  return found ? Buffer.from(found.extnValue.valueBlock.valueHexView).toString('hex') : undefined;
}

interface IssuedFacts {
  secret: Secret;
  leaf: X509Certificate;
  request: CertificateRequest;
}

/** Checks one row's issued certificate; throws an AssertionError naming what differs. */
function checkRow(row: FieldRow, facts: IssuedFacts, roots: Uint8Array[], files: TempFiles): void {
  const { secret, leaf, request } = facts;
  const text = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
  const file = (suffix: string, content: string) => {
    const p = path.join(files.dir, `${row.name}-${suffix}`);
    writeFileSync(p, content);
    return p;
  };
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const chain = parseCertificateBundle(text('tls.crt')).certificates;
  const leafFile = file('leaf.pem', `${leaf.toString()}`);
  // Duration: ir/cr as asked, p10cr (cannot carry it) and no duration: the CA's 90 days.
  const lifetime = Date.parse(leaf.validTo) - Date.parse(leaf.validFrom);
  const asked = row.duration && row.messageType !== 'p10cr' ? parseDuration(row.duration) : DEFAULT_VALIDITY_MS;
  assert.ok(Math.abs(lifetime - asked) <= 30_000, `${row.name}: lifetime ${lifetime} ms, asked ${asked} ms`);
  // CA flag.
  assert.equal(leaf.ca, row.isCA === true, `${row.name}: CA flag`);
  const ext = openssl('x509', '-in', leafFile, '-noout', '-ext', 'basicConstraints,keyUsage,extendedKeyUsage,subjectAltName');
  const section = (title: string) => new RegExp(`${title}:(?: critical)? *\\n\\s+(.*)`).exec(ext)?.[1];
  // cert-manager asks for basicConstraints only with isCA (then CA:TRUE).
  assert.equal(section('X509v3 Basic Constraints'), row.isCA ? 'CA:TRUE' : undefined, `${row.name}: basicConstraints`);
  // Key usage in OpenSSL's bit order; extended key usage as a set.
  const ku = KEY_USAGE.filter(([name]) => row.usages.includes(name)).map(([, label]) => label);
  assert.equal(section('X509v3 Key Usage'), ku.join(', '), `${row.name}: key usage`);
  const eku = row.usages.filter((u) => u in EXT_KEY_USAGE).map((u) => EXT_KEY_USAGE[u]);
  assert.deepEqual((section('X509v3 Extended Key Usage') ?? '').split(', ').filter(Boolean).sort(), eku.sort(), `${row.name}: extended key usage`);
  // Every SAN of every type.
  assert.deepEqual((section('X509v3 Subject Alternative Name') ?? '').split(', ').filter(Boolean).sort(), expectedSans(row), `${row.name}: SANs`);
  // The CSR's subject and extensions, byte for byte.
  const csrPem = Buffer.from(request.spec?.request ?? '', 'base64').toString('utf8');
  const csr = pkijs.CertificationRequest.fromBER(Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
  const csrExtensions = new pkijs.Extensions({ schema: csr.attributes!.find((a) => a.type === '1.2.840.113549.1.9.14')!.values[0] }).extensions;
  const cert = pkijs.Certificate.fromBER(chain[0]);
  assert.equal(
    Buffer.from(cert.subject.toSchema().toBER()).toString('hex'),
    Buffer.from(csr.subject.toSchema().toBER()).toString('hex'),
    `${row.name}: subject DER equals the CSR's`,
  );
  for (const oid of ['2.5.29.17', '2.5.29.15', '2.5.29.37']) {
    assert.equal(extensionHex(cert.extensions, oid), extensionHex(csrExtensions, oid), `${row.name}: extension ${oid} equals the CSR's`);
  }
  // basicConstraints: the CSR's when it has one, else cA=TRUE (SEQUENCE { BOOLEAN TRUE }) added for isCA.
  const constraints = extensionHex(csrExtensions, '2.5.29.19') ?? (row.isCA ? '30030101ff' : undefined);
  assert.equal(extensionHex(cert.extensions, '2.5.29.19'), constraints, `${row.name}: basicConstraints`);
  if (row.literalSubject) {
    const subject = openssl('x509', '-in', leafFile, '-noout', '-subject', '-nameopt', 'RFC2253').trim();
    assert.equal(subject, `subject=${row.literalSubject}`, `${row.name}: literal subject in order`);
  }
  if (row.subject) {
    const many = Object.values(row.subject).flat();
    const subject = openssl('x509', '-in', leafFile, '-noout', '-subject', '-nameopt', 'RFC2253');
    for (const value of many) assert.ok(subject.includes(`=${value}`), `${row.name}: subject holds ${value}: ${subject}`);
  }
  // Key type and size.
  const facts2 = KEY_FACTS[row.key];
  assert.equal(leaf.publicKey.asymmetricKeyType, facts2.type, `${row.name}: key type`);
  const details = leaf.publicKey.asymmetricKeyDetails;
  assert.equal(String(details?.modulusLength ?? details?.namedCurve ?? ''), facts2.detail, `${row.name}: key size/curve`);
  assert.match(openssl('x509', '-in', leafFile, '-noout', '-text'), facts2.openssl, `${row.name}: openssl key`);
  // ca.crt holds the CA's roots and the chain verifies to one of them.
  assert.deepEqual(
    parseCertificateBundle(text('ca.crt')).certificates.map((der) => derBase64(der)),
    roots.map(derBase64),
    `${row.name}: ca.crt`,
  );
  const untrusted = file(
    'chain.pem',
    chain
      .slice(1)
      .map((der) => new X509Certificate(der).toString())
      .join(''),
  );
  const verified = openssl('verify', '-CAfile', file('ca.crt', text('ca.crt')), '-untrusted', untrusted, leafFile);
  assert.equal(verified.trim(), `${leafFile}: OK`, `${row.name}: openssl verify`);
}

describe('issuer loop: every field of a Certificate reaches the development CA and comes back (real cert-manager)', function () {
  const ns = useNamespace('issuer-fields');
  const files = new TempFiles();
  let api: KubeApi;
  let loop: RunningIssuerLoop | undefined;
  const cas: DevelopmentCa[] = [];

  before(async function () {
    api = await issuerTestApi();
  });
  after(async function () {
    await Promise.all(cas.map((ca) => ca.stop()));
    files.remove();
    api?.close();
  });
  afterEach(async function () {
    await loop?.shutdown();
    loop = undefined;
  });

  const requestOf = async (namespace: string, certificate: string) => {
    const found = (await listRequests(api, namespace)).filter((r) => r.metadata.annotations?.['cert-manager.io/certificate-name'] === certificate);
    return found.sort(
      (a, b) =>
        Number(b.metadata.annotations?.['cert-manager.io/certificate-revision']) - Number(a.metadata.annotations?.['cert-manager.io/certificate-revision']),
    )[0];
  };
  const issued = async (namespace: string, row: FieldRow): Promise<IssuedFacts> => {
    const secret = await api.request<Secret>('GET', `/api/v1/namespaces/${namespace}/secrets/${row.name}-tls`);
    return { secret, leaf: new X509Certificate(Buffer.from(secret.data?.['tls.crt'] ?? '', 'base64')), request: await requestOf(namespace, row.name) };
  };
  const events = async (namespace: string) =>
    (
      await api.request<KubeList<{ reason?: string; message?: string; type?: string; involvedObject: { kind?: string; name?: string } }>>(
        'GET',
        `/api/v1/namespaces/${namespace}/events`,
      )
    ).items;

  it('the table: ir, cr and p10cr rows through a CA with --allow-ca; isCA refused by a CA without it', async function () {
    this.timeout(240_000);
    const ca = await startDevelopmentCa({ port: 0, secret: SECRET, reference: REFERENCE, allowCa: true });
    const strict = await startDevelopmentCa({ port: 0, secret: SECRET, reference: REFERENCE });
    cas.push(ca, strict);
    const { name: namespace } = ns();
    await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cmp-iak' }, type: 'Opaque', stringData: { password: SECRET } });
    for (const messageType of ['ir', 'cr', 'p10cr'] as const) {
      await ns().create({
        apiVersion: 'certmanager.onap.org/v1',
        kind: 'CMPv2Issuer',
        metadata: { name: `ca-${messageType}` },
        spec: pbmCmpSpec(ca.url!, 'cmp-iak', REFERENCE, { messageType }),
      });
    }
    await ns().create({
      apiVersion: 'certmanager.onap.org/v1',
      kind: 'CMPv2Issuer',
      metadata: { name: 'ca-strict' },
      spec: pbmCmpSpec(strict.url!, 'cmp-iak', REFERENCE, { messageType: 'ir' }),
    });
    for (const row of ROWS) await ns().create(certificateFor(row, `ca-${row.messageType}`));
    const refused: FieldRow = { name: 'refused-ca', messageType: 'ir', key: 'P-256', isCA: true, usages: ['cert sign'], commonName: 'Refused CA' };
    await ns().create(certificateFor(refused, 'ca-strict'));
    const p10Ca: FieldRow = { name: 'p10cr-ca', messageType: 'p10cr', key: 'P-256', isCA: true, usages: ['cert sign'], commonName: 'P10 CA' };
    await ns().create(certificateFor(p10Ca, 'ca-p10cr'));
    loop = await startIssuerLoop(api, namespace);

    const outcome = await Promise.all(
      ROWS.map(async (row) => {
        try {
          await readyCertificate(api, namespace, row.name, 1, 180_000);
          checkRow(row, await issued(namespace, row), ca.roots, files);
          return { row: row.name, ok: true, why: '' };
        } catch (err) {
          return { row: row.name, ok: false, why: (err as Error).message };
        }
      }),
    );
    console.log(outcome.map((o) => `      ${o.ok ? 'pass' : 'FAIL'} ${o.row}${o.ok ? '' : `: ${o.why}`}`).join('\n'));
    // The p10cr row with a duration: an Event on its request says why the CA's default applies.
    const p10Request = await requestOf(namespace, 'p10cr-p256');
    const warning = (await events(namespace)).find((e) => e.reason === 'DurationNotSent' && e.involvedObject.name === p10Request.metadata.name);
    assert.equal(warning?.type, 'Warning');
    assert.match(
      warning?.message ?? '',
      /^spec\.duration 4h0m0s was not sent: a p10cr \(PKCS#10\) request cannot carry a validity, so the CA's default applies/,
    );
    assert.ok(
      !(await events(namespace)).some((e) => e.reason === 'DurationNotSent' && e.involvedObject.name !== p10Request.metadata.name),
      'only the p10cr row with a duration warns',
    );
    assert.deepEqual(
      (await events(namespace)).filter((e) => e.reason === 'DurationNotHonoured'),
      [],
      'the development CA issued every asked duration',
    );
    // isCA on a CA without --allow-ca: Failed with the CA's reason, no certificate.
    const failedMessage = async (certificate: string) => {
      const failed = await requestWhen(
        api,
        namespace,
        `the ${certificate} request Failed`,
        (ready, r) => r.metadata.annotations?.['cert-manager.io/certificate-name'] === certificate && ready?.reason === 'Failed',
        90_000,
      );
      assert.equal(failed.status?.certificate, undefined, `${certificate}: no certificate`);
      return failed.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '';
    };
    const refusedMessage = await failedMessage('refused-ca');
    assert.match(
      refusedMessage,
      /this development CA issues end-entity certificates only \(cA=TRUE asked; start it with --allow-ca to issue CA certificates\)/,
    );
    assert.match(refusedMessage, /badCertTemplate/);
    assert.equal(strict.stats.enrollments, 0, 'the strict CA issued nothing');
    assert.match(
      await failedMessage('p10cr-ca'),
      /spec\.isCA is true but the CSR asks for no basicConstraints cA=TRUE, and a p10cr sends the CSR as it is: use messageType ir or cr/,
    );
    assert.deepEqual(
      outcome.filter((o) => !o.ok),
      [],
      'every row of the table',
    );
  });

  it('renewal (kur) keeps the duration', async function () {
    this.timeout(180_000);
    const ca = await startDevelopmentCa({ port: 0, secret: SECRET, reference: REFERENCE });
    cas.push(ca);
    const { name: namespace } = ns();
    await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cmp-iak' }, type: 'Opaque', stringData: { password: SECRET } });
    await ns().create({
      apiVersion: 'certmanager.onap.org/v1',
      kind: 'CMPv2Issuer',
      metadata: { name: 'ca-ir' },
      spec: pbmCmpSpec(ca.url!, 'cmp-iak', REFERENCE, { messageType: 'ir' }),
    });
    const row: FieldRow = {
      name: 'renewed',
      messageType: 'ir',
      key: 'P-256',
      duration: '7h',
      usages: ['digital signature', 'server auth'],
      dnsNames: ['renewed.example'],
    };
    await ns().create(certificateFor(row, 'ca-ir'));
    loop = await startIssuerLoop(api, namespace);
    await readyCertificate(api, namespace, row.name);
    const first = await issued(namespace, row);
    checkRow(row, first, ca.roots, files);
    const kurBefore = ca.stats.requests.get('kur') ?? 0;
    await api.request('PATCH', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates/${row.name}/status`, {
      contentType: 'application/merge-patch+json',
      body: {
        status: {
          conditions: [
            { type: 'Ready', status: 'True', reason: 'Ready', message: 'ok', lastTransitionTime: now() },
            { type: 'Issuing', status: 'True', reason: 'ManuallyTriggered', message: 'renewal asked by the test', lastTransitionTime: now() },
          ],
        },
      },
    });
    await readyCertificate(api, namespace, row.name, 2);
    assert.equal(ca.stats.requests.get('kur'), kurBefore + 1, 'the renewal was a kur');
    const renewed = await issued(namespace, row);
    assert.notEqual(renewed.leaf.serialNumber, first.leaf.serialNumber);
    checkRow(row, renewed, ca.roots, files);
  });
});
