// The boundary of the keystore library: inputs and settings validated with zod, turned into
// one-line InvalidStoreSettingsError messages that never echo a password.
import { z } from 'zod';
import { InvalidStoreSettingsError } from './errors.js';
import { DEFAULT_KEY_ALIAS } from './composition.js';
import { PKCS12_PROFILES } from './formats/pkcs12Profiles.js';

export const STORE_FORMATS = ['jks', 'pkcs12', 'pem'] as const;
export type StoreFormat = (typeof STORE_FORMATS)[number];

const password = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, { error: `${what} must not be empty` })
    .max(1024, { error: `${what} is longer than 1024 characters` });

export const storeSettingsSchema = z.object({
  formats: z
    .array(z.enum(STORE_FORMATS, { error: (issue) => `unknown format '${String(issue.input)}'; use jks, pkcs12 or pem` }))
    .min(1, { error: 'no format given; use jks, pkcs12 or pem' }),
  keystorePassword: password('the keystore password').optional(),
  truststorePassword: password('the truststore password').optional(),
  alias: z.string().min(1, { error: 'the alias must not be empty' }).max(255, { error: 'the alias is longer than 255 characters' }).default(DEFAULT_KEY_ALIAS),
  pkcs12Profile: z
    .enum(PKCS12_PROFILES, { error: (issue) => `unknown PKCS#12 profile '${String(issue.input)}'; use ${PKCS12_PROFILES.join(', ')}` })
    .default('Modern2023'),
});
export type StoreSettings = z.input<typeof storeSettingsSchema>;
export type ValidStoreSettings = z.output<typeof storeSettingsSchema>;

export const storeInputSchema = z.object({
  /** tls.crt: the leaf, then its chain. */
  tlsCrt: z.string({ error: 'tls.crt must be PEM text' }),
  /** tls.key: the private key. */
  tlsKey: z.string({ error: 'tls.key must be PEM text' }),
  /** ca.crt: CA bundle, first source of the truststore. */
  caCrt: z.string({ error: 'ca.crt must be PEM text' }).optional(),
  /** Extra trusted bundles merged after ca.crt, named for warnings (e.g. "configmap:roots/ca.pem"). */
  trustSources: z.array(z.object({ name: z.string(), pem: z.string() })).default([]),
});
export type StoreInput = z.input<typeof storeInputSchema>;
export type ValidStoreInput = z.output<typeof storeInputSchema>;

function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue.path.length > 0 && !issue.message.includes(String(issue.path[0])) ? `${issue.path.join('.')}: ` : '';
  throw new InvalidStoreSettingsError(`${where}${issue.message}`);
}

export const validateStoreSettings = (value: unknown): ValidStoreSettings => validate(storeSettingsSchema, value);
export const validateStoreInput = (value: unknown): ValidStoreInput => validate(storeInputSchema, value);
