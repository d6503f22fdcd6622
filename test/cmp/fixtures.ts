// Test material made with node's crypto and pkijs: keys, certificates (roots, intermediates, leaves)
// and CSRs with extensions. Independent of the development CA under test elsewhere.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseDistinguishedName } from '../../src/cmp/names.js';
import { signData } from '../../src/cmp/signature.js';

export type KeyKind = 'ec' | 'rsa' | 'ed25519';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  spki: Uint8Array;
}

export function makeKey(kind: KeyKind = 'ec'): KeyPair {
  const pair =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : kind === 'ed25519'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { ...pair, spki: new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' })) };
}

function extension(oid: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID: oid, critical, extnValue: value.toBER(false) });
}

export interface CertificateSpec {
  subject: string;
  key: KeyPair;
  /** Issuer certificate DER and key; absent = self-signed. */
  issuer?: { certificate: Uint8Array; key: KeyPair };
  ca?: boolean;
  notBefore?: Date;
  notAfter?: Date;
  /** Leave out the subjectKeyIdentifier extension. */
  noSki?: boolean;
  /** Serial number content octets; default random. */
  serial?: Uint8Array;
  /** subjectAltName IPv4 addresses (e.g. for a TLS server on 127.0.0.1). */
  ipAddresses?: string[];
}

export function makeCertificate(spec: CertificateSpec): Uint8Array {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: spec.serial ?? Uint8Array.from([0x01, ...randomBytes(8)]) });
  const subject = parseDistinguishedName(spec.subject);
  cert.subject = subject;
  cert.issuer = spec.issuer ? pkijs.Certificate.fromBER(spec.issuer.certificate).subject : subject;
  cert.notBefore = new pkijs.Time({ type: 0, value: spec.notBefore ?? new Date(Date.now() - 3600_000) });
  cert.notAfter = new pkijs.Time({ type: 0, value: spec.notAfter ?? new Date(Date.now() + 86400_000) });
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(spec.key.spki);
  const extensions: pkijs.Extension[] = [];
  if (spec.ca) {
    extensions.push(extension('2.5.29.19', true, new asn1js.Sequence({ value: [new asn1js.Boolean({ value: true })] })));
  }
  if (spec.ipAddresses?.length) {
    const names = spec.ipAddresses.map(
      (ip) => new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: Uint8Array.from(ip.split('.').map(Number)) }) }),
    );
    extensions.push(extension('2.5.29.17', false, new pkijs.GeneralNames({ names }).toSchema()));
  }
  if (!spec.noSki) {
    const ski = createHash('sha1').update(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).digest();
    extensions.push(extension('2.5.29.14', false, new asn1js.OctetString({ valueHex: ski })));
  }
  if (extensions.length) cert.extensions = extensions;
  const signer = spec.issuer?.key ?? spec.key;
  const alg = signData(signer.privateKey, new Uint8Array(0)).algorithm;
  cert.signature = alg;
  cert.signatureAlgorithm = alg;
  const tbs = new Uint8Array(cert.encodeTBS().toBER(false));
  cert.tbsView = tbs;
  cert.signatureValue = new asn1js.BitString({ valueHex: signData(signer.privateKey, tbs).signature });
  return new Uint8Array(cert.toSchema().toBER(false));
}

/** A root, an intermediate under it, and a leaf under the intermediate. */
export function makeChain(kind: KeyKind = 'ec') {
  const rootKey = makeKey(kind);
  const root = makeCertificate({ subject: 'CN=Test Root,O=cmpv2-operator tests', key: rootKey, ca: true });
  const intermediateKey = makeKey(kind);
  const intermediate = makeCertificate({
    subject: 'CN=Test Intermediate,O=cmpv2-operator tests',
    key: intermediateKey,
    issuer: { certificate: root, key: rootKey },
    ca: true,
  });
  const leafKey = makeKey(kind);
  const leaf = makeCertificate({ subject: 'CN=Test Leaf', key: leafKey, issuer: { certificate: intermediate, key: intermediateKey } });
  return { rootKey, root, intermediateKey, intermediate, leafKey, leaf };
}

export interface CsrSpec {
  subject: string;
  key: KeyPair;
  dns?: string[];
  ips?: string[];
  emails?: string[];
  uris?: string[];
  keyUsage?: boolean;
  extendedKeyUsage?: string[];
}

/** A PKCS#10 CSR with a SAN (all four types), KU digitalSignature and EKU when asked. */
export function makeCsr(spec: CsrSpec): Uint8Array {
  const csr = new pkijs.CertificationRequest();
  csr.version = 0;
  csr.subject = parseDistinguishedName(spec.subject);
  csr.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(spec.key.spki);
  const names: pkijs.GeneralName[] = [
    ...(spec.dns ?? []).map((value) => new pkijs.GeneralName({ type: 2, value })),
    ...(spec.emails ?? []).map((value) => new pkijs.GeneralName({ type: 1, value })),
    ...(spec.uris ?? []).map((value) => new pkijs.GeneralName({ type: 6, value })),
    ...(spec.ips ?? []).map(
      (ip) => new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: Uint8Array.from(ip.split('.').map(Number)) }) }),
    ),
  ];
  const extensions: pkijs.Extension[] = [];
  if (names.length) extensions.push(extension('2.5.29.17', false, new pkijs.GeneralNames({ names }).toSchema()));
  if (spec.keyUsage) extensions.push(extension('2.5.29.15', true, new asn1js.BitString({ valueHex: Uint8Array.from([0x80]), unusedBits: 7 })));
  if (spec.extendedKeyUsage?.length) {
    extensions.push(
      extension('2.5.29.37', false, new asn1js.Sequence({ value: spec.extendedKeyUsage.map((value) => new asn1js.ObjectIdentifier({ value })) })),
    );
  }
  if (extensions.length) {
    csr.attributes = [new pkijs.Attribute({ type: '1.2.840.113549.1.9.14', values: [new pkijs.Extensions({ extensions }).toSchema()] })];
  }
  const alg = signData(spec.key.privateKey, new Uint8Array(0)).algorithm;
  csr.signatureAlgorithm = alg;
  const tbs = new Uint8Array((csr as unknown as { encodeTBS(): asn1js.Sequence }).encodeTBS().toBER(false));
  csr.tbsView = tbs;
  csr.signatureValue = new asn1js.BitString({ valueHex: signData(spec.key.privateKey, tbs).signature });
  return new Uint8Array(csr.toSchema().toBER(false));
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
