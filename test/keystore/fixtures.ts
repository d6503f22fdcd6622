// Test PKI made at run time: keys with node's crypto, certificates signed by the real OpenSSL.
// Shared by the unit, CLI, peer and bench code; everything lives in one temp dir per Pki.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TestKeyType = 'rsa' | 'ec-p256' | 'ec-p384' | 'ec-p521' | 'ed25519';
export type TestKeyEncoding = 'pkcs8' | 'pkcs1' | 'sec1';

export interface Issued {
  name: string;
  certPem: string;
  keyPem: string;
  certPath: string;
  keyPath: string;
  key: KeyObject;
}

function newKey(type: TestKeyType): KeyObject {
  switch (type) {
    case 'rsa':
      return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    case 'ec-p256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    case 'ec-p384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    case 'ec-p521':
      return generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey;
    case 'ed25519':
      return generateKeyPairSync('ed25519').privateKey;
  }
}

/** The key in PEM: PKCS#8, or the traditional PKCS#1 (RSA) / SEC1 (EC) form. */
export function keyPem(key: KeyObject, encoding: TestKeyEncoding = 'pkcs8'): string {
  return key.export({ format: 'pem', type: encoding as 'pkcs8' }).toString();
}

const CA_EXTENSIONS = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
const LEAF_EXTENSIONS = [
  '-addext',
  'basicConstraints=critical,CA:FALSE',
  '-addext',
  'subjectAltName=DNS:localhost,IP:127.0.0.1',
  '-addext',
  'extendedKeyUsage=serverAuth,clientAuth',
];

/** A temp folder of keys and certificates; call `dispose()` in `after`. */
export class Pki {
  readonly dir = mkdtempSync(join(tmpdir(), 'cmpv2-pki-'));
  private serial = 0;

  /** A certificate for `name`, self-signed when `issuer` is absent. */
  issue(name: string, options: { issuer?: Issued; ca?: boolean; keyType?: TestKeyType; days?: number } = {}): Issued {
    const key = newKey(options.keyType ?? 'ec-p256');
    this.serial += 1;
    const base = join(this.dir, `${this.serial}-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`);
    const keyPath = `${base}.key`;
    const certPath = `${base}.pem`;
    writeFileSync(keyPath, keyPem(key), { mode: 0o600 });
    const args = [
      'req',
      '-x509',
      '-new',
      '-key',
      keyPath,
      '-subj',
      `/CN=${name}/O=cmpv2-operator tests`,
      '-days',
      String(options.days ?? 30),
      '-out',
      certPath,
    ];
    if (options.issuer) args.push('-CA', options.issuer.certPath, '-CAkey', options.issuer.keyPath);
    args.push(...((options.ca ?? !options.issuer) ? CA_EXTENSIONS : LEAF_EXTENSIONS));
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    return { name, certPem: readFileSync(certPath, 'utf8'), keyPem: keyPem(key), certPath, keyPath, key };
  }

  /** root → intermediate → leaf; tls.crt is leaf + intermediate. */
  chain(prefix: string, keyType: TestKeyType = 'ec-p256'): { root: Issued; intermediate: Issued; leaf: Issued; tlsCrt: string } {
    const root = this.issue(`${prefix} root`);
    const intermediate = this.issue(`${prefix} intermediate`, { issuer: root, ca: true });
    const leaf = this.issue(`${prefix} leaf`, { issuer: intermediate, keyType });
    return { root, intermediate, leaf, tlsCrt: leaf.certPem + intermediate.certPem };
  }

  /** `n` self-signed CAs. */
  roots(prefix: string, n: number): Issued[] {
    return Array.from({ length: n }, (_, i) => this.issue(`${prefix} root ${i + 1}`));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Junk people leave in CA bundles: comments, a damaged block, a key block. */
export const BUNDLE_JUNK = [
  '# exported by some tool\r\nsubject=CN=whatever\r\n',
  '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU*\n-----END CERTIFICATE-----\n',
  '-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQh\n-----END CERTIFICATE-----\n',
];

/**
 * A bundle of the given CAs with junk between them and `duplicates` earlier certificates
 * repeated (CRLF in places), so exactly `cas.length` distinct certificates are readable.
 */
export function messyBundle(cas: Issued[], duplicates = 1): string {
  const parts: string[] = [];
  cas.forEach((ca, i) => {
    parts.push(BUNDLE_JUNK[i % BUNDLE_JUNK.length]);
    parts.push(i % 2 === 0 ? ca.certPem.replace(/\n/g, '\r\n') : ca.certPem);
  });
  for (let d = 0; d < duplicates; d++) parts.push('text between\n', cas[d % cas.length].certPem);
  return parts.join('');
}
