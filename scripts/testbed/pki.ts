// The test bed's keys and certificates, made with the openssl command (OpenSSL 3): one CA that
// signs the API server's serving certificate and every client certificate (kube-apiserver's
// --client-ca-file), and the service-account signing key. They persist in .testbed/pki so
// kubeconfigs issued earlier stay valid across `down`/`up`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs/promises';
import path from 'node:path';
import { layout } from './layout.js';

const run = promisify(execFile);

export interface KeyPair {
  readonly certFile: string;
  readonly keyFile: string;
}

export const caCertFile = path.join(layout.pkiDir, 'ca.crt');
const caKeyFile = path.join(layout.pkiDir, 'ca.key');
export const serviceAccountKeyFile = path.join(layout.pkiDir, 'service-account.key');
export const serviceAccountPublicKeyFile = path.join(layout.pkiDir, 'service-account.pub');
export const servingPair: KeyPair = {
  certFile: path.join(layout.pkiDir, 'apiserver.crt'),
  keyFile: path.join(layout.pkiDir, 'apiserver.key'),
};

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? String(err);
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim().split('\n').slice(-2).join(' ')}`);
  }
}

/** User and group names go into an openssl -subj string; keep them to characters that need no escaping. */
const subjectSafe = /^[A-Za-z0-9][A-Za-z0-9:._@-]*$/;

export function assertSubjectSafe(kind: string, value: string): void {
  if (!subjectSafe.test(value)) {
    throw new Error(`invalid ${kind} ${JSON.stringify(value)}: use letters, digits and : . _ @ -`);
  }
}

async function signed(pair: KeyPair, subject: string, extensions: string[]): Promise<void> {
  await openssl([
    'req', '-x509', ...ecKey, '-keyout', pair.keyFile, '-out', pair.certFile, '-subj', subject,
    '-CA', caCertFile, '-CAkey', caKeyFile, '-days', '3650',
    ...extensions.flatMap((e) => ['-addext', e]),
  ]);
  await fs.chmod(pair.keyFile, 0o600);
}

/** Creates the CA, the serving certificate and the service-account key if missing. */
export async function ensurePki(): Promise<void> {
  await fs.mkdir(layout.pkiDir, { recursive: true, mode: 0o700 });
  if (!(await exists(caCertFile)) || !(await exists(caKeyFile))) {
    await openssl([
      'req', '-x509', ...ecKey, '-keyout', caKeyFile, '-out', caCertFile, '-subj', '/CN=cmpv2-operator testbed CA',
      '-days', '3650', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await fs.chmod(caKeyFile, 0o600);
    // A new CA invalidates everything it signed before.
    await fs.rm(servingPair.certFile, { force: true });
    await fs.rm(layout.usersDir, { recursive: true, force: true });
  }
  if (!(await exists(servingPair.certFile)) || !(await exists(servingPair.keyFile))) {
    await signed(servingPair, '/CN=kube-apiserver', [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:kubernetes.default.svc',
    ]);
  }
  if (!(await exists(serviceAccountKeyFile)) || !(await exists(serviceAccountPublicKeyFile))) {
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', serviceAccountKeyFile]);
    await fs.chmod(serviceAccountKeyFile, 0o600);
    // --service-account-key-file reads public keys only, and not from a PKCS#8 private key file.
    await openssl(['pkey', '-in', serviceAccountKeyFile, '-pubout', '-out', serviceAccountPublicKeyFile]);
  }
}

/**
 * A client certificate for `user` in `groups`, signed by the bed's CA: kube-apiserver maps the
 * CN to the user name and each O to a group (O=system:masters is cluster-admin, bypassing RBAC).
 */
export async function clientCertificate(user: string, groups: readonly string[]): Promise<KeyPair> {
  assertSubjectSafe('user', user);
  groups.forEach((g) => assertSubjectSafe('group', g));
  await fs.mkdir(layout.usersDir, { recursive: true, mode: 0o700 });
  const base = path.join(layout.usersDir, [user, ...groups].join('+').replace(/:/g, '_'));
  const pair: KeyPair = { certFile: `${base}.crt`, keyFile: `${base}.key` };
  if (!(await exists(pair.certFile)) || !(await exists(pair.keyFile))) {
    const subject = [...groups.map((g) => `/O=${g}`), `/CN=${user}`].join('');
    await signed(pair, subject, [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=clientAuth',
    ]);
  }
  return pair;
}
