// Recognises ONAP's CertService client and post-processor init containers and reads the client's
// env into what the Certificate needs. Values only: an env that comes from a ConfigMap or Secret
// (`valueFrom`, `envFrom`) is reported, never guessed.
import type { StoreFormat } from '../keystore/index.js';
import {
  CERTIFICATE_ENV,
  CLIENT_ENV,
  CLIENT_IMAGE_MARKER,
  CONNECTION_ENV,
  DEFAULT_OUTPUT_TYPE,
  OUTPUT_TYPES,
  POST_PROCESSOR_ENV,
  POST_PROCESSOR_IMAGE_MARKER,
} from './onapClient.js';
import type { Container } from './podSpec.js';
import { typeSans, type TypedSans } from './sans.js';

export interface CertificateSubject {
  organizations?: string[];
  organizationalUnits?: string[];
  localities?: string[];
  provinces?: string[];
  countries?: string[];
}

export interface ClientRequest {
  outputPath: string;
  outputType: string;
  format: StoreFormat;
  commonName: string;
  subject: CertificateSubject;
  sans: Omit<TypedSans, 'invalid'>;
  /** CA_NAME, when set: the issuer now decides the CA. */
  caName?: string;
}

export type ClientRead = { ok: true; value: ClientRequest } | { ok: false; reasons: string[] };

const envNames = (container: Container): Set<string> => new Set((container.env ?? []).map((e) => e.name));

/** ONAP's image, or an init container carrying the client's own env (OUTPUT_PATH, COMMON_NAME and CA_NAME or REQUEST_URL). */
export function isClientContainer(container: Container): boolean {
  if (container.image?.includes(CLIENT_IMAGE_MARKER)) return true;
  const names = envNames(container);
  return names.has(CLIENT_ENV.outputPath) && names.has(CLIENT_ENV.commonName) && (names.has(CLIENT_ENV.caName) || names.has(CLIENT_ENV.requestUrl));
}

/** ONAP's post-processor image, or an init container with TRUSTSTORES_PATHS. */
export function isPostProcessorContainer(container: Container): boolean {
  if (container.image?.includes(POST_PROCESSOR_IMAGE_MARKER)) return true;
  return envNames(container).has(POST_PROCESSOR_ENV.truststores);
}

/** Literal env values; names whose value comes from elsewhere are listed in `fromElsewhere`. */
export function literalEnv(container: Container): { values: Map<string, string>; fromElsewhere: Map<string, string> } {
  const values = new Map<string, string>();
  const fromElsewhere = new Map<string, string>();
  for (const env of container.env ?? []) {
    if (env.valueFrom !== undefined) {
      const source = Object.entries(env.valueFrom)[0];
      const ref = source?.[1] as { name?: unknown; key?: unknown } | undefined;
      const named = typeof ref?.name === 'string' ? ` ${ref.name}${typeof ref.key === 'string' ? `/${ref.key}` : ''}` : '';
      fromElsewhere.set(env.name, `${source?.[0] ?? 'valueFrom'}${named}`);
      values.delete(env.name);
    } else {
      values.set(env.name, env.value === undefined ? '' : String(env.value));
      fromElsewhere.delete(env.name);
    }
  }
  return { values, fromElsewhere };
}

const present = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

/** Reads the client's env as the client does (empty = unset; OUTPUT_TYPE defaults to P12). */
export function readClient(container: Container): ClientRead {
  const { values, fromElsewhere } = literalEnv(container);
  const reasons: string[] = [];
  for (const name of CERTIFICATE_ENV) {
    const source = fromElsewhere.get(name);
    if (source)
      reasons.push(
        `env ${name} of ${container.name} comes from ${source}; migrate does not guess it: set it as a value, or write the Certificate's field by hand`,
      );
  }
  if (container.envFrom && container.envFrom.length > 0) {
    reasons.push(`${container.name} takes env from envFrom (a ConfigMap or Secret); migrate does not guess it: list the env as values`);
  }
  if (reasons.length > 0) return { ok: false, reasons };

  const outputPath = present(values.get(CLIENT_ENV.outputPath));
  const commonName = present(values.get(CLIENT_ENV.commonName));
  if (!outputPath) reasons.push(`${container.name} has no ${CLIENT_ENV.outputPath}; the client would not start`);
  if (!commonName) reasons.push(`${container.name} has no ${CLIENT_ENV.commonName}; the client would not start`);
  const outputType = present(values.get(CLIENT_ENV.outputType)) ?? DEFAULT_OUTPUT_TYPE;
  const format = OUTPUT_TYPES[outputType];
  if (!format) reasons.push(`${container.name}: ${CLIENT_ENV.outputType} '${outputType}' is not JKS, P12 or PEM; the client would not start`);
  const typed = typeSans(values.get(CLIENT_ENV.sans) ?? '');
  if (typed.invalid.length > 0) {
    reasons.push(`${container.name}: SANS ${typed.invalid.map((s) => `'${s}'`).join(', ')} is not an e-mail, IP, DNS name or URI; the client would refuse it`);
  }
  if (!outputPath || !commonName || !format || reasons.length > 0) return { ok: false, reasons };

  const one = (name: string): string[] | undefined => {
    const value = present(values.get(name));
    return value === undefined ? undefined : [value];
  };
  const subject: CertificateSubject = {
    organizations: one(CLIENT_ENV.organization),
    organizationalUnits: one(CLIENT_ENV.organizationUnit),
    localities: one(CLIENT_ENV.location),
    provinces: one(CLIENT_ENV.state),
    countries: one(CLIENT_ENV.country),
  };
  const { invalid: _invalid, ...sans } = typed;
  return { ok: true, value: { outputPath, outputType, format, commonName, subject, sans, caName: present(values.get(CLIENT_ENV.caName)) } };
}

/** The client's connection env present on the container (dropped with it: the issuer replaces it). */
export function connectionEnv(container: Container): string[] {
  const names = envNames(container);
  return CONNECTION_ENV.filter((n) => names.has(n));
}
