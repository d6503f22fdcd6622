// The facts of ONAP's CertService client and post-processor that migrate relies on, taken from
// their public sources (oom-platform-cert-service certServiceClient / certServicePostProcessor)
// and OOM's `common.certServiceClient.initContainer` template: env names, defaults, the files
// written per OUTPUT_TYPE, and the images that identify the init containers.
import { STORE_FILES_BY_FORMAT, type StoreFormat } from '../keystore/index.js';

/** Image name parts of the two init containers (`…/onap/org.onap.oom.platform.cert-service.oom-certservice-client:2.5.0`). */
export const CLIENT_IMAGE_MARKER = 'oom-certservice-client';
export const POST_PROCESSOR_IMAGE_MARKER = 'oom-certservice-post-processor';

/** The client's env: connection (REQUEST_* and the KEYSTORE_* and TRUSTSTORE_* pairs are its TLS to CertService), output, CSR. */
export const CLIENT_ENV = {
  requestUrl: 'REQUEST_URL',
  requestTimeout: 'REQUEST_TIMEOUT',
  outputPath: 'OUTPUT_PATH',
  outputType: 'OUTPUT_TYPE',
  caName: 'CA_NAME',
  commonName: 'COMMON_NAME',
  sans: 'SANS',
  organization: 'ORGANIZATION',
  organizationUnit: 'ORGANIZATION_UNIT',
  location: 'LOCATION',
  state: 'STATE',
  country: 'COUNTRY',
  keystorePath: 'KEYSTORE_PATH',
  keystorePassword: 'KEYSTORE_PASSWORD',
  truststorePath: 'TRUSTSTORE_PATH',
  truststorePassword: 'TRUSTSTORE_PASSWORD',
} as const;

/** Env whose value becomes part of the Certificate: a `valueFrom` here cannot be migrated blindly. */
export const CERTIFICATE_ENV: readonly string[] = [
  CLIENT_ENV.outputPath,
  CLIENT_ENV.outputType,
  CLIENT_ENV.commonName,
  CLIENT_ENV.sans,
  CLIENT_ENV.organization,
  CLIENT_ENV.organizationUnit,
  CLIENT_ENV.location,
  CLIENT_ENV.state,
  CLIENT_ENV.country,
];

/** Env of the client's own connection to CertService: the issuer replaces it, so it is dropped. */
export const CONNECTION_ENV: readonly string[] = [
  CLIENT_ENV.requestUrl,
  CLIENT_ENV.requestTimeout,
  CLIENT_ENV.caName,
  CLIENT_ENV.keystorePath,
  CLIENT_ENV.keystorePassword,
  CLIENT_ENV.truststorePath,
  CLIENT_ENV.truststorePassword,
];

/** The post-processor's env: paths separated by ':' (empty entries kept: a PEM has no password). */
export const POST_PROCESSOR_ENV = {
  truststores: 'TRUSTSTORES_PATHS',
  truststorePasswords: 'TRUSTSTORES_PASSWORDS_PATHS',
  keystoreSources: 'KEYSTORE_SOURCE_PATHS',
  keystoreDestinations: 'KEYSTORE_DESTINATION_PATHS',
} as const;

export const POST_PROCESSOR_DELIMITER = ':';

/** OUTPUT_TYPE values the client accepts (exact, upper case) and the keystore format each becomes. */
export const OUTPUT_TYPES: Readonly<Record<string, StoreFormat>> = { JKS: 'jks', P12: 'pkcs12', PEM: 'pem' };

/** The client's default OUTPUT_TYPE. */
export const DEFAULT_OUTPUT_TYPE = 'P12';

/** The client's SANS separator (current client; very old ones used ':' and could not carry IPv6 or URIs). */
export const SANS_DELIMITER = ',';

/** Files the client writes into OUTPUT_PATH for a format: the same names the keystore loop writes (SPEC §4). */
export function clientFiles(format: StoreFormat): readonly string[] {
  return STORE_FILES_BY_FORMAT[format];
}

/** The post-processor picks a truststore's type by its extension. */
export function truststoreTypeOf(path: string): 'jks' | 'pkcs12' | 'pem' | undefined {
  if (path.endsWith('.jks')) return 'jks';
  if (path.endsWith('.p12')) return 'pkcs12';
  if (path.endsWith('.pem')) return 'pem';
  return undefined;
}
