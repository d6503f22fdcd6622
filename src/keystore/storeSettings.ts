// The boundary of the keystore library: inputs and settings validated with zod, turned into
// one-line InvalidStoreSettingsError messages that never echo a password.
import * as z from 'zod';
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

// Java reads a PKCS#12 password through PBEKey, which refuses anything but printable ASCII
// ("Password is not ASCII"): a store written with another password cannot be opened by Java.
const PKCS12_PASSWORD = /^[\x20-\x7e]*$/;
// In no format is a control character, a byte-order mark or U+FFFD (what invalid UTF-8 decodes
// to) what the user meant: they come from editors, `echo -e` or a binary file.
const isSuspicious = (text: string): boolean => [...text].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f' || c === '\ufeff');

function checkPassword(value: string | undefined, what: string, pkcs12: boolean, ctx: z.RefinementCtx): void {
  if (value === undefined) return;
  if (value.includes('\ufffd')) {
    ctx.addIssue({ code: 'custom', message: `${what} is not valid UTF-8; save the password file as UTF-8 text` });
  } else if (isSuspicious(value)) {
    ctx.addIssue({
      code: 'custom',
      message: `${what} contains a control character (tab, newline, NUL…) or a byte-order mark; remove it (a password file may end with one newline only)`,
    });
  } else if (pkcs12 && !PKCS12_PASSWORD.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message: `${what} has a non-ASCII character, which Java cannot use for a PKCS#12 store; use printable ASCII only, or leave pkcs12 out of the formats`,
    });
  }
}

const settingsObject = z.object({
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
export const storeSettingsSchema = settingsObject.superRefine((settings, ctx) => {
  const pkcs12 = Array.isArray(settings.formats) && settings.formats.includes('pkcs12');
  checkPassword(settings.keystorePassword, 'the keystore password', pkcs12, ctx);
  checkPassword(settings.truststorePassword, 'the truststore password', pkcs12, ctx);
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

const FIELD_NAMES: Record<string, string> = {
  formats: 'formats',
  keystorePassword: 'the keystore password',
  truststorePassword: 'the truststore password',
  alias: 'the alias',
  pkcs12Profile: 'the PKCS#12 profile',
  tlsCrt: 'tls.crt',
  tlsKey: 'tls.key',
  caCrt: 'ca.crt',
  trustSources: 'the trust sources',
};

function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // Messages name their subject in words ("the keystore password …"); a field name is added only
  // to a message that does not (zod's own), and then as the user wrote it, never camelCase.
  const field = FIELD_NAMES[String(issue.path[0])];
  const selfDescribing =
    /^(the |unknown |no )/.test(issue.message) || (field !== undefined && issue.message.startsWith(field)) || issue.message.includes(String(issue.path[0]));
  const where = issue.path.length > 0 && !selfDescribing ? `${field ?? issue.path.join('.')}: ` : '';
  throw new InvalidStoreSettingsError(`${where}${issue.message}`);
}

export const validateStoreSettings = (value: unknown): ValidStoreSettings => validate(storeSettingsSchema, value);
export const validateStoreInput = (value: unknown): ValidStoreInput => validate(storeInputSchema, value);
