// The opt-in of SPEC §4: annotations under keystore.certmanager.onap.org/ on a Certificate or a
// kubernetes.io/tls Secret, read into a typed request. Bad annotations become one-line errors
// that say what to write instead (they end up in Warning Events).
import { PKCS12_PROFILES, STORE_FORMATS, type Pkcs12ProfileName, type StoreFormat } from '../keystore/index.js';

export const ANNOTATION_PREFIX = 'keystore.certmanager.onap.org/';

export const KEYSTORE_ANNOTATIONS = {
  formats: `${ANNOTATION_PREFIX}formats`,
  passwordSecret: `${ANNOTATION_PREFIX}password-secret`,
  passwordKey: `${ANNOTATION_PREFIX}password-key`,
  truststorePasswordSecret: `${ANNOTATION_PREFIX}truststore-password-secret`,
  truststorePasswordKey: `${ANNOTATION_PREFIX}truststore-password-key`,
  alias: `${ANNOTATION_PREFIX}alias`,
  pkcs12Profile: `${ANNOTATION_PREFIX}pkcs12-profile`,
  trustSources: `${ANNOTATION_PREFIX}trust-sources`,
  /** Written by the operator on the target Secret: the input hash of the stores in it. */
  hash: `${ANNOTATION_PREFIX}hash`,
  /** Written by the operator: the data keys it wrote, so removing a format removes exactly those. */
  keys: `${ANNOTATION_PREFIX}keys`,
} as const;

/** Label on every Secret the operator writes stores into. */
export const MANAGED_LABEL = `${ANNOTATION_PREFIX}managed`;

/** The key read from a password Secret when `password-key` / `truststore-password-key` is absent. */
export const DEFAULT_PASSWORD_KEY = 'password';

export interface SecretKeyRef {
  name: string;
  key: string;
}

export interface TrustSourceRef {
  kind: 'secret' | 'configmap';
  name: string;
  key: string;
  /**
   * Set for a JKS or PKCS#12 truststore: the key of the same object that holds its password
   * (`?password-key=<key>`). Absent: the key holds a PEM bundle.
   */
  passwordKey?: string;
}

export interface KeystoreRequest {
  formats: StoreFormat[];
  password?: SecretKeyRef;
  truststorePassword?: SecretKeyRef;
  alias?: string;
  pkcs12Profile?: Pkcs12ProfileName;
  trustSources: TrustSourceRef[];
}

export type ParsedRequest = { ok: true; value: KeystoreRequest } | { ok: false; error: string };

// RFC 1123 subdomain names (Secrets, ConfigMaps) and data keys ([-._a-zA-Z0-9]+).
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DATA_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/** True when the object opts in (has the `formats` annotation). */
export function optsIn(annotations: Record<string, string> | undefined): boolean {
  return annotations !== undefined && KEYSTORE_ANNOTATIONS.formats in annotations;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function secretRef(annotations: Record<string, string>, secretAnnotation: string, keyAnnotation: string): SecretKeyRef | string | undefined {
  const name = annotations[secretAnnotation]?.trim();
  const key = annotations[keyAnnotation]?.trim();
  if (name === undefined || name === '') {
    return key === undefined ? undefined : `${keyAnnotation} is set but ${secretAnnotation} is not; name the Secret holding the password`;
  }
  if (!OBJECT_NAME.test(name)) return `${secretAnnotation} '${name}' is not a Secret name`;
  const k = key === undefined || key === '' ? DEFAULT_PASSWORD_KEY : key;
  if (!DATA_KEY.test(k)) return `${keyAnnotation} '${k}' is not a valid Secret key`;
  return { name, key: k };
}

// `secret:<name>/<key>`, `configmap:<name>/<key>`, each optionally `?password-key=<key>`.
const TRUST_SOURCE = /^(secret|configmap):([^/?]+)\/([^?]+)(?:\?(.*))?$/;
const PASSWORD_QUERY = /^password-key=([^&=]*)$/;

function trustSource(entry: string): TrustSourceRef | string {
  const match = TRUST_SOURCE.exec(entry);
  if (!match) {
    return `trust source '${entry}' is not 'secret:<name>/<key>' or 'configmap:<name>/<key>' (add '?password-key=<key>' for a JKS or PKCS#12 truststore)`;
  }
  const [, kind, name, key, query] = match;
  if (!OBJECT_NAME.test(name)) return `trust source '${entry}': '${name}' is not an object name`;
  if (!DATA_KEY.test(key)) return `trust source '${entry}': '${key}' is not a valid data key`;
  const ref: TrustSourceRef = { kind: kind as 'secret' | 'configmap', name, key };
  if (query === undefined) return ref;
  const option = PASSWORD_QUERY.exec(query);
  if (!option) return `trust source '${entry}': the only option is '?password-key=<key>' (the key of the same object that holds the truststore's password)`;
  const passwordKey = option[1];
  if (!DATA_KEY.test(passwordKey)) return `trust source '${entry}': password-key '${passwordKey}' is not a valid data key`;
  if (passwordKey === key) return `trust source '${entry}': password-key names the truststore itself; name the key that holds its password`;
  return { ...ref, passwordKey };
}

/** Reads the annotations; undefined when the object does not opt in. */
export function parseKeystoreRequest(annotations: Record<string, string> | undefined): ParsedRequest | undefined {
  if (!annotations || !optsIn(annotations)) return undefined;
  const formats: StoreFormat[] = [];
  for (const format of list(annotations[KEYSTORE_ANNOTATIONS.formats]).map((f) => f.toLowerCase())) {
    if (!(STORE_FORMATS as readonly string[]).includes(format)) {
      return { ok: false, error: `${KEYSTORE_ANNOTATIONS.formats}: unknown format '${format}'; use a comma list of jks, pkcs12, pem` };
    }
    if (!formats.includes(format as StoreFormat)) formats.push(format as StoreFormat);
  }
  if (formats.length === 0) return { ok: false, error: `${KEYSTORE_ANNOTATIONS.formats} is empty; use a comma list of jks, pkcs12, pem` };

  const password = secretRef(annotations, KEYSTORE_ANNOTATIONS.passwordSecret, KEYSTORE_ANNOTATIONS.passwordKey);
  if (typeof password === 'string') return { ok: false, error: password };
  const truststorePassword = secretRef(annotations, KEYSTORE_ANNOTATIONS.truststorePasswordSecret, KEYSTORE_ANNOTATIONS.truststorePasswordKey);
  if (typeof truststorePassword === 'string') return { ok: false, error: truststorePassword };

  const alias = annotations[KEYSTORE_ANNOTATIONS.alias];
  if (alias !== undefined && (alias.trim() === '' || alias.length > 255)) {
    return { ok: false, error: `${KEYSTORE_ANNOTATIONS.alias} must be 1 to 255 characters` };
  }
  const profile = annotations[KEYSTORE_ANNOTATIONS.pkcs12Profile]?.trim();
  if (profile !== undefined && !(PKCS12_PROFILES as readonly string[]).includes(profile)) {
    return { ok: false, error: `${KEYSTORE_ANNOTATIONS.pkcs12Profile}: unknown profile '${profile}'; use ${PKCS12_PROFILES.join(', ')}` };
  }
  const trustSources: TrustSourceRef[] = [];
  for (const entry of list(annotations[KEYSTORE_ANNOTATIONS.trustSources] ?? '')) {
    const ref = trustSource(entry);
    if (typeof ref === 'string') return { ok: false, error: `${KEYSTORE_ANNOTATIONS.trustSources}: ${ref}` };
    if (!trustSources.some((t) => t.kind === ref.kind && t.name === ref.name && t.key === ref.key)) trustSources.push(ref);
  }
  return {
    ok: true,
    value: {
      formats,
      password,
      truststorePassword,
      alias: alias?.trim(),
      pkcs12Profile: profile as Pkcs12ProfileName | undefined,
      trustSources,
    },
  };
}

/** `secret:<name>` / `configmap:<name>` of every object the request reads besides its target. */
export function referencedObjects(request: KeystoreRequest): string[] {
  const refs = new Set<string>();
  if (request.password) refs.add(`secret:${request.password.name}`);
  if (request.truststorePassword) refs.add(`secret:${request.truststorePassword.name}`);
  for (const source of request.trustSources) refs.add(`${source.kind}:${source.name}`);
  return [...refs];
}

/** Event reasons when no stores can be built (the old stores stay). */
export const FAILURE_REASON = {
  invalidAnnotations: 'InvalidKeystoreAnnotations',
  notTlsSecret: 'NotATlsSecret',
  passwordSecretMissing: 'PasswordSecretMissing',
  trustSourceMissing: 'TrustSourceMissing',
  trustSourceUnreadable: 'TrustSourceUnreadable',
  keyMismatch: 'KeyMismatch',
  noTrustedCertificates: 'NoTrustedCertificates',
  unreadableKey: 'UnreadablePrivateKey',
  noCertificate: 'NoCertificate',
  invalidInput: 'InvalidKeystoreInput',
} as const;
export type FailureReason = (typeof FAILURE_REASON)[keyof typeof FAILURE_REASON];

/** Event reasons of warnings that do not stop a build. */
export const WARNING_REASON = {
  unreadableBlocks: 'UnreadableCertificates',
  formatConflict: 'KeystoreFormatConflict',
} as const;

/** Event reason of a successful build. */
export const BUILT_REASON = 'StoresBuilt';

/** The Secret type the annotations work on when put on a Secret directly. */
export const TLS_SECRET_TYPE = 'kubernetes.io/tls';
