// A TLS Secret as `kubectl get secret -o yaml` prints it, read as the input of a store build
// (tls.crt, tls.key, ca.crt). Plain YAML parsing and zod; no Kubernetes client code.
import { parse } from 'yaml';
import * as z from 'zod';
import { KeystoreInputError } from './errors.js';

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;
const base64Field = (key: string) =>
  z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? `the Secret has no data.${key}`
          : `data.${key} must be a base64 string (found a ${typeof issue.input}); put the base64 text of the PEM there`,
    })
    .regex(BASE64, { error: `data.${key} is not valid base64` });

const secretSchema = z.object(
  {
    kind: z.literal('Secret', { error: 'the file is not a Secret (kind must be Secret)' }),
    data: z.object(
      {
        'tls.crt': base64Field('tls.crt'),
        'tls.key': base64Field('tls.key'),
        'ca.crt': base64Field('ca.crt').optional(),
      },
      { error: 'the Secret has no data with tls.crt and tls.key' },
    ),
  },
  { error: 'the file is not a Secret: expected a YAML or JSON object with kind: Secret (as `kubectl get secret NAME -o yaml` prints it)' },
);

/** The Secret file could not be read as a TLS Secret. */
export class InvalidSecretFileError extends KeystoreInputError {}

export interface TlsSecretContent {
  tlsCrt: string;
  tlsKey: string;
  caCrt?: string;
}

/** Reads tls.crt, tls.key and ca.crt (if present) from Secret YAML or JSON text. */
export function parseTlsSecret(text: string): TlsSecretContent {
  let document: unknown;
  try {
    document = parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new InvalidSecretFileError(`the Secret file is not valid YAML: ${reason}`);
  }
  const result = secretSchema.safeParse(document);
  if (!result.success) {
    throw new InvalidSecretFileError(result.error.issues[0].message);
  }
  const decode = (value: string): string => Buffer.from(value.replace(/\s+/g, ''), 'base64').toString('utf8');
  const { data } = result.data;
  return {
    tlsCrt: decode(data['tls.crt']),
    tlsKey: decode(data['tls.key']),
    caCrt: data['ca.crt'] === undefined ? undefined : decode(data['ca.crt']),
  };
}
