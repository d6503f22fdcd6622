// Compute, then write (trust-manager's split): from the request, the target Secret's data and
// the referenced password Secrets and trust sources, the keys the target Secret should hold,
// their input hash and the warnings to report — or a typed failure whose message says how to
// fix it. Pure: no API calls; the password generator is injected.
import { FAILURE_REASON, WARNING_REASON, type FailureReason } from '../../api/keystoreAnnotations.js';
import { createHash } from 'node:crypto';
import type { EventRecord } from '../../k8s/events.js';
import type { ConfigMap, Secret } from '../../k8s/meta.js';
import {
  buildStoreFiles,
  KeyMismatchError,
  readJks,
  readPkcs12,
  StoreReadError,
  type ReadEntry,
  KeystoreInputError,
  NoCertificateError,
  NoTrustedCertificatesError,
  PkiInputError,
  storeInputHash,
  UnreadablePrivateKeyError,
  UnsupportedKeyTypeError,
  type StoreFormat,
  type StoreInput,
  type StoreSettings,
} from '../../keystore/index.js';
import { KEYSTORE_ANNOTATIONS, MANAGED_LABEL, type KeystoreRequest, type SecretKeyRef, type TrustSourceRef } from '../../api/keystoreAnnotations.js';
import { toPem } from '../../pki/pem.js';

/** Formats whose keys cert-manager itself writes (`spec.keystores.<format>.create: true`). */
export type CertManagerFormat = 'jks' | 'pkcs12';

/** The store keys cert-manager writes for a format it creates: the operator leaves them alone. */
export const CERT_MANAGER_KEYS: Record<CertManagerFormat, readonly string[]> = {
  jks: ['keystore.jks', 'truststore.jks'],
  pkcs12: ['keystore.p12', 'truststore.p12'],
};

/** Failure reasons (Event reason and metric label). */

export interface DesiredInput {
  request: KeystoreRequest;
  /** Formats cert-manager was asked to create on the same Secret. */
  certManagerFormats: readonly CertManagerFormat[];
  /** The target Secret, full content. */
  target: Secret;
  /** Referenced Secrets by name (undefined: not found). */
  secrets: ReadonlyMap<string, Secret | undefined>;
  /** Referenced ConfigMaps by name (undefined: not found). */
  configMaps: ReadonlyMap<string, ConfigMap | undefined>;
  /** Makes a new store password (only called when none is kept in the target). */
  newPassword: () => string;
}

export interface DesiredStores {
  status: 'ready';
  hash: string;
  /** Formats built (requested minus those cert-manager creates). */
  formats: StoreFormat[];
  /** Data keys the operator owns after this build, sorted. */
  keys: string[];
  /** True when the target already holds exactly this build: nothing to write. */
  unchanged: boolean;
  /** base64 data to write; empty when unchanged. */
  data: Record<string, string>;
  /** Keys we wrote earlier and no longer want (removed format). */
  remove: string[];
  warnings: EventRecord[];
}

export type DesiredResult =
  | DesiredStores
  /** The target has no certificate yet (cert-manager has not issued): nothing to do, no Event. */
  | { status: 'waiting'; why: string }
  /** Nothing is written; the old stores stay; a Warning Event carries the message. */
  | { status: 'failed'; reason: FailureReason; message: string; warnings: EventRecord[] };

const decode = (value: string | undefined): Buffer | undefined => (value === undefined ? undefined : Buffer.from(value, 'base64'));

/** The keys we recorded as written (annotation), sorted. */
export function recordedKeys(target: Secret): string[] {
  const value = target.metadata.annotations?.[KEYSTORE_ANNOTATIONS.keys];
  if (!value) return [];
  return [
    ...new Set(
      value
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k.length > 0),
    ),
  ].sort();
}

function failed(reason: FailureReason, message: string, warnings: EventRecord[] = []): DesiredResult {
  return { status: 'failed', reason, message, warnings };
}

// A password file written with `echo` ends in a newline nobody meant as part of the password.
function readPassword(input: DesiredInput, ref: SecretKeyRef, what: string, annotation: string): string | DesiredResult {
  const namespace = input.target.metadata.namespace ?? '';
  const secret = input.secrets.get(ref.name);
  if (!secret) {
    return failed(
      FAILURE_REASON.passwordSecretMissing,
      `the ${what} Secret ${namespace}/${ref.name} does not exist; create it with the key '${ref.key}', or remove the ${annotation} annotation to use a generated password; the old stores stay until then`,
    );
  }
  const value = decode(secret.data?.[ref.key])
    ?.toString('utf8')
    .replace(/\r?\n$/, '');
  if (value === undefined || value.length === 0) {
    return failed(
      FAILURE_REASON.passwordSecretMissing,
      `the ${what} Secret ${namespace}/${ref.name} has no (or an empty) key '${ref.key}'; add it, or name the right key in the ${annotation.replace(/secret$/, 'key')} annotation; the old stores stay until then`,
    );
  }
  return value;
}

/** The bytes of a key of a referenced Secret or ConfigMap (`data` or `binaryData`); undefined when absent. */
function sourceBytes(input: DesiredInput, kind: 'secret' | 'configmap', name: string, key: string): Buffer | undefined {
  if (kind === 'secret') return decode(input.secrets.get(name)?.data?.[key]);
  const configMap = input.configMaps.get(name);
  if (configMap?.data?.[key] !== undefined) return Buffer.from(configMap.data[key], 'utf8');
  return decode(configMap?.binaryData?.[key]);
}

type SourceText = { pem: string } | { failure: DesiredResult };

/**
 * A trust source as PEM text. A JKS or PKCS#12 truststore (named with `?password-key=`) is read
 * with the keystore library's readers; its trusted certificates, in store order, become PEM
 * blocks, so they join the truststores like a PEM bundle's (de-duplicated, in order).
 */
function trustSourceText(input: DesiredInput, source: TrustSourceRef, warnings: EventRecord[]): SourceText {
  const namespace = input.target.metadata.namespace ?? '';
  const kind = source.kind === 'secret' ? 'Secret' : 'ConfigMap';
  const label = trustSourceLabel(source);
  const bytes = sourceBytes(input, source.kind, source.name, source.key);
  if (bytes === undefined) {
    return {
      failure: failed(
        FAILURE_REASON.trustSourceMissing,
        `trust source ${label}: ${kind} ${namespace}/${source.name} or its key '${source.key}' does not exist; create it or remove it from the ${KEYSTORE_ANNOTATIONS.trustSources} annotation; the old stores stay until then`,
        warnings,
      ),
    };
  }
  const store = storeKind(bytes);
  if (source.passwordKey === undefined) {
    if (store === undefined) return { pem: bytes.toString('utf8') };
    return {
      failure: failed(
        FAILURE_REASON.trustSourceUnreadable,
        `trust source ${label}: ${kind} ${namespace}/${source.name} key '${source.key}' holds a ${store} truststore, not PEM; name its password as ${label}?password-key=<key> in the ${KEYSTORE_ANNOTATIONS.trustSources} annotation; the old stores stay until then`,
        warnings,
      ),
    };
  }
  if (store === undefined && bytes.includes('-----BEGIN')) return { pem: bytes.toString('utf8') };
  const password = sourceBytes(input, source.kind, source.name, source.passwordKey)
    ?.toString('utf8')
    .replace(/\r?\n$/, '');
  if (password === undefined) {
    return {
      failure: failed(
        FAILURE_REASON.trustSourceMissing,
        `trust source ${label}: ${kind} ${namespace}/${source.name} has no key '${source.passwordKey}' with the truststore's password; add it or name the right key in password-key; the old stores stay until then`,
        warnings,
      ),
    };
  }
  let entries: ReadEntry[];
  try {
    entries = store === 'JKS' ? readJks(bytes, password) : readPkcs12(bytes, password).entries;
  } catch (err) {
    if (!(err instanceof StoreReadError)) throw err;
    return {
      failure: failed(
        FAILURE_REASON.trustSourceUnreadable,
        `trust source ${label}: cannot read ${kind} ${namespace}/${source.name} key '${source.key}' as ${store ?? 'JKS or PKCS#12'} (${err.message}); check the password in key '${source.passwordKey}' and the store; the old stores stay until then`,
        warnings,
      ),
    };
  }
  const trusted = entries.flatMap((e) => (e.kind === 'trustedCertificate' ? [e.certificate] : []));
  if (trusted.length === 0) {
    return {
      failure: failed(
        FAILURE_REASON.trustSourceUnreadable,
        `trust source ${label}: the ${store ?? 'PKCS#12'} truststore in ${kind} ${namespace}/${source.name} key '${source.key}' holds no trusted certificate entry; put the CA certificates in it as trusted entries; the old stores stay until then`,
        warnings,
      ),
    };
  }
  return { pem: trusted.map((der) => toPem('CERTIFICATE', der)).join('') };
}

/** `JKS` by its magic number, `PKCS#12` for DER (a SEQUENCE), undefined for anything else (PEM text). */
function storeKind(bytes: Buffer): 'JKS' | 'PKCS#12' | undefined {
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0xfeedfeed) return 'JKS';
  if (bytes.length >= 2 && bytes[0] === 0x30 && bytes[1] >= 0x80) return 'PKCS#12';
  return undefined;
}

/** The trust source as the annotation names it. */
function trustSourceLabel(source: TrustSourceRef): string {
  const base = `${source.kind}:${source.name}/${source.key}`;
  return source.passwordKey === undefined ? base : `${base}?password-key=${source.passwordKey}`;
}

function failureOf(err: KeystoreInputError | PkiInputError): FailureReason {
  if (err instanceof KeyMismatchError) return FAILURE_REASON.keyMismatch;
  if (err instanceof NoTrustedCertificatesError) return FAILURE_REASON.noTrustedCertificates;
  if (err instanceof UnreadablePrivateKeyError || err instanceof UnsupportedKeyTypeError) return FAILURE_REASON.unreadableKey;
  if (err instanceof NoCertificateError) return FAILURE_REASON.noCertificate;
  return FAILURE_REASON.invalidInput;
}

/** The hash of an empty build (every requested format left to cert-manager). */
function emptyBuildHash(skipped: readonly string[]): string {
  return createHash('sha256')
    .update(`cmpv2-operator/stores/none:${[...skipped].sort().join(',')}`)
    .digest('hex');
}

export async function computeDesired(input: DesiredInput): Promise<DesiredResult> {
  const { request, target } = input;
  const namespace = target.metadata.namespace ?? '';
  const name = target.metadata.name ?? '';
  const data = target.data ?? {};
  const previous = recordedKeys(target);

  // 1. Formats cert-manager creates itself are its own: skip them, say so. cert-manager 1.21
  // also insists (SecretKeystoreFormatMismatch) that a binary format it was not asked for is
  // absent once spec.keystores creates one: it rewrites the Secret while such keys exist, and
  // its JKS (creation time = now) differs on every rewrite — an endless write loop. So the other
  // binary format is left out too, with its own Warning.
  const created = request.formats.filter((f): f is CertManagerFormat => f !== 'pem' && input.certManagerFormats.includes(f));
  const blocked =
    input.certManagerFormats.length === 0
      ? []
      : request.formats.filter((f): f is CertManagerFormat => f !== 'pem' && !created.includes(f as CertManagerFormat));
  const skipped = [...created, ...blocked];
  const formats = request.formats.filter((f) => !skipped.includes(f as CertManagerFormat));
  const createdBy = input.certManagerFormats.map((f) => `spec.keystores.${f}.create`).join(' and ');
  const warnings: EventRecord[] = [
    ...created.map((format): EventRecord => ({
      type: 'Warning',
      reason: WARNING_REASON.formatConflict,
      message: `spec.keystores.${format}.create is true, so cert-manager writes ${CERT_MANAGER_KEYS[format].join(' and ')} in Secret ${namespace}/${name}; the operator leaves the ${format} format to cert-manager. To have the operator build it (every root its own entry, SPEC passwords), set spec.keystores.${format}.create to false; otherwise remove ${format} from the ${KEYSTORE_ANNOTATIONS.formats} annotation`,
    })),
    ...blocked.map((format): EventRecord => ({
      type: 'Warning',
      reason: WARNING_REASON.formatConflict,
      message: `${createdBy} is true, and cert-manager then rewrites Secret ${namespace}/${name} for as long as it holds ${CERT_MANAGER_KEYS[format].join(' or ')}, which it was not asked for; the operator leaves the ${format} format out. Set ${createdBy} to false to get ${format} (and the other formats) from the operator`,
    })),
  ];
  // Keys cert-manager now owns are never removed by us, even if we wrote them before.
  const certManagerKeys = new Set(created.flatMap((f) => CERT_MANAGER_KEYS[f]));

  // 2. Nothing of ours to build: drop what we wrote before.
  if (formats.length === 0) {
    const hash = emptyBuildHash(skipped);
    const remove = previous.filter((k) => !certManagerKeys.has(k) && k in data);
    const unchanged = target.metadata.annotations?.[KEYSTORE_ANNOTATIONS.hash] === hash && previous.length === 0;
    return { status: 'ready', hash, formats, keys: [], unchanged, data: {}, remove, warnings: unchanged ? [] : warnings };
  }

  // 3. The issued certificate: absent until cert-manager has written it.
  const tlsCrt = decode(data['tls.crt'])?.toString('utf8');
  const tlsKey = decode(data['tls.key'])?.toString('utf8');
  if (!tlsCrt || !tlsKey) return { status: 'waiting', why: `Secret ${namespace}/${name} has no tls.crt and tls.key yet` };

  // 4. Passwords: a referenced Secret, else the one we generated before, else a new one.
  const needsPassword = formats.includes('jks') || formats.includes('pkcs12');
  let keystorePassword: string | undefined;
  let truststorePassword: string | undefined;
  if (needsPassword) {
    if (request.password) {
      const read = readPassword(input, request.password, 'keystore password', KEYSTORE_ANNOTATIONS.passwordSecret);
      if (typeof read !== 'string') return read;
      keystorePassword = read;
    } else {
      const kept = previous.includes('keystore.pass') ? decode(data['keystore.pass'])?.toString('utf8') : undefined;
      keystorePassword = kept && kept.length > 0 ? kept : input.newPassword();
    }
    if (request.truststorePassword) {
      const read = readPassword(input, request.truststorePassword, 'truststore password', KEYSTORE_ANNOTATIONS.truststorePasswordSecret);
      if (typeof read !== 'string') return read;
      truststorePassword = read;
    }
  }

  // 5. Trust sources, each a PEM bundle or a JKS / PKCS#12 truststore that must exist and be readable.
  const trustSources: { name: string; pem: string }[] = [];
  for (const source of request.trustSources) {
    const text = trustSourceText(input, source, warnings);
    if ('failure' in text) return text.failure;
    trustSources.push({ name: `${source.kind}:${source.name}/${source.key}`, pem: text.pem });
  }

  const storeInput: StoreInput = { tlsCrt, tlsKey, caCrt: decode(data['ca.crt'])?.toString('utf8'), trustSources };
  const settings: StoreSettings = { formats, keystorePassword, truststorePassword, alias: request.alias, pkcs12Profile: request.pkcs12Profile };
  let hash: string;
  try {
    hash = storeInputHash(storeInput, settings);
  } catch (err) {
    if (err instanceof KeystoreInputError || err instanceof PkiInputError) return failed(failureOf(err), err.message, warnings);
    throw err;
  }

  // 6. Same inputs as the stores in the Secret, and those stores all there: nothing to write.
  const annotations = target.metadata.annotations ?? {};
  if (
    annotations[KEYSTORE_ANNOTATIONS.hash] === hash &&
    target.metadata.labels?.[MANAGED_LABEL] === 'true' &&
    previous.length > 0 &&
    previous.every((k) => k in data)
  ) {
    return { status: 'ready', hash, formats, keys: previous, unchanged: true, data: {}, remove: [], warnings: [] };
  }

  // 7. Build; bad input keeps the old stores.
  let built: Awaited<ReturnType<typeof buildStoreFiles>>;
  try {
    built = await buildStoreFiles(storeInput, settings);
  } catch (err) {
    if (err instanceof KeystoreInputError || err instanceof PkiInputError) return failed(failureOf(err), `${err.message}; the old stores stay`, warnings);
    throw err;
  }
  for (const line of built.warnings) {
    warnings.push({
      type: 'Warning',
      reason: WARNING_REASON.unreadableBlocks,
      message: `${line}; the stores were built from the readable certificates — fix or remove those blocks`,
    });
  }
  const written: Record<string, string> = {};
  for (const [key, bytes] of Object.entries(built.files)) if (bytes) written[key] = bytes.toString('base64');
  const keys = Object.keys(written).sort();
  const remove = previous.filter((k) => !keys.includes(k) && !certManagerKeys.has(k) && k in data);
  return { status: 'ready', hash, formats, keys, unchanged: false, data: written, remove, warnings };
}
