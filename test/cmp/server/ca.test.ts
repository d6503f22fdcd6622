import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CertificateAuthority } from '../../../src/cmp/server/ca.js';
import { CaRefusal } from '../../../src/cmp/server/caRefusal.js';
import { encodeName } from '../../../src/cmp/server/distinguishedName.js';
import type { CertificateExtension } from '../../../src/cmp/server/certificateSigner.js';

const spki = (key: KeyObject) => new Uint8Array(key.export({ type: 'spki', format: 'der' }));

function subjectAltName(): CertificateExtension {
  const names = new pkijs.GeneralNames({
    names: [
      new pkijs.GeneralName({ type: 2, value: 'svc.example.org' }),
      new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: new Uint8Array([192, 0, 2, 7]) }) }),
      new pkijs.GeneralName({ type: 1, value: 'ops@example.org' }),
      new pkijs.GeneralName({ type: 6, value: 'spiffe://example.org/ns/a/sa/b' }),
    ],
  });
  return { oid: '2.5.29.17', critical: false, value: new Uint8Array(names.toSchema().toBER()) };
}

const keyUsage: CertificateExtension = { oid: '2.5.29.15', critical: true, value: new Uint8Array([0x03, 0x02, 0x05, 0xa0]) };
const extKeyUsage: CertificateExtension = {
  oid: '2.5.29.37',
  critical: false,
  value: new Uint8Array(new pkijs.ExtKeyUsage({ keyPurposes: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'] }).toSchema().toBER()),
};
const endEntityConstraints: CertificateExtension = { oid: '2.5.29.19', critical: true, value: new Uint8Array([0x30, 0x00]) };

describe('development CA core', () => {
  let ca: CertificateAuthority;
  before(async () => {
    ca = await CertificateAuthority.open();
  });

  it('has two distinct self-signed roots by default, the intermediate under the first', () => {
    assert.equal(ca.roots.length, 2);
    const [first, second] = ca.roots.map((der) => new X509Certificate(der));
    assert.notEqual(first.subject, second.subject);
    for (const root of [first, second]) assert.ok(root.verify(root.publicKey) && root.ca);
    assert.ok(ca.intermediate.x509.verify(first.publicKey));
    assert.ok(!ca.intermediate.x509.verify(second.publicKey));
  });

  for (const [type, options] of [
    ['rsa', { modulusLength: 2048 }],
    ['ec', { namedCurve: 'P-384' }],
    ['ed25519', {}],
  ] as const) {
    it(`issues what was asked for a ${type} key: subject, key, every SAN type, KU, EKU, BC`, () => {
      const { publicKey } = generateKeyPairSync(type as 'rsa', options as { modulusLength: number });
      const der = ca.issue({
        subject: encodeName([
          ['O', 'Example'],
          ['CN', `leaf-${type}`],
        ]),
        publicKeyInfo: spki(publicKey),
        extensions: [subjectAltName(), keyUsage, extKeyUsage, endEntityConstraints],
      });
      const leaf = new X509Certificate(der);
      assert.equal(leaf.subject, `O=Example\nCN=leaf-${type}`);
      assert.deepEqual(spki(leaf.publicKey), spki(publicKey));
      assert.equal(leaf.issuer, ca.intermediate.x509.subject);
      assert.ok(leaf.verify(ca.intermediate.x509.publicKey));
      assert.equal(leaf.ca, false);
      assert.equal(leaf.subjectAltName, 'DNS:svc.example.org, IP Address:192.0.2.7, email:ops@example.org, URI:spiffe://example.org/ns/a/sa/b');
      assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']); // node names EKU "keyUsage"
      const parsed = pkijs.Certificate.fromBER(der);
      const oids = (parsed.extensions ?? []).map((e) => `${e.extnID}${e.critical ? '!' : ''}`);
      assert.deepEqual(oids, ['2.5.29.17', '2.5.29.15!', '2.5.29.37', '2.5.29.19!', '2.5.29.14', '2.5.29.35']);
    });
  }

  it('gives every certificate its own random positive serial number', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const order = { subject: encodeName([['CN', 'same']]), publicKeyInfo: spki(publicKey), extensions: [] };
    const a = new X509Certificate(ca.issue(order));
    const b = new X509Certificate(ca.issue(order));
    assert.notEqual(a.serialNumber, b.serialNumber);
    assert.match(a.serialNumber, /^[0-7][0-9A-F]{31}$/);
  });

  it('makes the SAN critical when the subject is empty', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = ca.issue({ subject: new Uint8Array([0x30, 0x00]), publicKeyInfo: spki(publicKey), extensions: [subjectAltName()] });
    const san = pkijs.Certificate.fromBER(der).extensions?.find((e) => e.extnID === '2.5.29.17');
    assert.equal(san?.critical, true);
  });

  const refusals: Array<[string, () => Parameters<CertificateAuthority['issue']>[0], string]> = [
    [
      'a CA certificate',
      () => ({
        subject: encodeName([['CN', 'sub-ca']]),
        publicKeyInfo: spki(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey),
        extensions: [{ oid: '2.5.29.19', critical: true, value: new Uint8Array([0x30, 0x03, 0x01, 0x01, 0xff]) }],
      }),
      'badCertTemplate',
    ],
    [
      'neither subject nor SAN',
      () => ({ subject: new Uint8Array([0x30, 0x00]), publicKeyInfo: spki(generateKeyPairSync('ed25519').publicKey), extensions: [] }),
      'badCertTemplate',
    ],
    [
      'a public key that is not one',
      () => ({ subject: encodeName([['CN', 'x']]), publicKeyInfo: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]), extensions: [] }),
      'badCertTemplate',
    ],
    [
      'an unknown critical extension',
      () => ({
        subject: encodeName([['CN', 'x']]),
        publicKeyInfo: spki(generateKeyPairSync('ed25519').publicKey),
        extensions: [{ oid: '1.2.3.4', critical: true, value: new Uint8Array([0x05, 0x00]) }],
      }),
      'unacceptedExtension',
    ],
    [
      'a SAN that is not DER',
      () => ({
        subject: encodeName([['CN', 'x']]),
        publicKeyInfo: spki(generateKeyPairSync('ed25519').publicKey),
        extensions: [{ oid: '2.5.29.17', critical: false, value: new Uint8Array([0x30, 0x05, 0x82, 0x01]) }],
      }),
      'badCertTemplate',
    ],
  ];
  for (const [what, order, failInfo] of refusals) {
    it(`refuses ${what} with ${failInfo}`, () => {
      assert.throws(
        () => ca.issue(order()),
        (err: unknown) => err instanceof CaRefusal && err.failInfo === failInfo,
      );
    });
  }

  it('knows the certificates it issued and no others', async () => {
    const other = await CertificateAuthority.open({ roots: 1 });
    const order = {
      subject: encodeName([['CN', 'mine']]),
      publicKeyInfo: spki(generateKeyPairSync('ed25519').publicKey),
      extensions: [],
    };
    assert.equal(ca.issued(ca.issue(order)), true);
    assert.equal(ca.issued(other.issue(order)), false);
    assert.equal(ca.issued(ca.roots[0]), false);
    assert.equal(ca.issued(new Uint8Array([1, 2, 3])), false);
  });
});

describe('development CA state directory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cmp-ca-state-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the hierarchy once and reuses it after a restart, keys readable by the owner only', async () => {
    const first = await CertificateAuthority.open({ stateDir: dir, roots: 3 });
    const second = await CertificateAuthority.open({ stateDir: dir });
    assert.equal(second.roots.length, 3);
    assert.deepEqual(second.roots, first.roots);
    assert.deepEqual(second.intermediate.certificate, first.intermediate.certificate);
    const leaf = first.issue({
      subject: encodeName([['CN', 'before-restart']]),
      publicKeyInfo: spki(generateKeyPairSync('ed25519').publicKey),
      extensions: [],
    });
    assert.equal(second.issued(leaf), true);
    const files = (await readdir(dir)).sort();
    assert.deepEqual(files, [
      'intermediate.cert.pem',
      'intermediate.key.pem',
      'root-1.cert.pem',
      'root-1.key.pem',
      'root-2.cert.pem',
      'root-2.key.pem',
      'root-3.cert.pem',
      'root-3.key.pem',
    ]);
    assert.equal((await stat(join(dir, 'intermediate.key.pem'))).mode & 0o077, 0);
  });

  it('refuses a root count that differs from the saved state', async () => {
    await CertificateAuthority.open({ stateDir: dir });
    await assert.rejects(CertificateAuthority.open({ stateDir: dir, roots: 3 }), /holds 2 roots but 3 were asked for/);
  });

  it('refuses an absurd root count', async () => {
    await assert.rejects(CertificateAuthority.open({ roots: 0 }), /roots must be an integer/);
  });
});
