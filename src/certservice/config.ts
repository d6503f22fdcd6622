// ONAP CertService's `cmpServers.json`, exactly as ONAP writes it, checked with zod, plus the
// optional extensions of SPEC §5.1 (messageType, tls, trustExtraCertsRoots). Loading also reads
// the TLS files a server names, so a config that points at a missing file is refused as a whole
// and the last good one stays in use.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { parseDistinguishedName } from '../cmp/names.js';

const nonEmpty = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .trim()
    .min(1, `${what} must not be empty`);

const cmpUrl = nonEmpty('url').refine(
  (text) => {
    try {
      const url = new URL(text);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { message: 'url must be an http:// or https:// URL' },
);

const distinguishedName = nonEmpty('issuerDN').refine(
  (text) => {
    try {
      parseDistinguishedName(text);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'issuerDN is not a distinguished name (e.g. CN=ManagementCA)' },
);

export const cmpv2ServerSchema = z
  .object({
    caName: nonEmpty('caName').max(128, 'caName must be at most 128 characters'),
    url: cmpUrl,
    issuerDN: distinguishedName,
    /** ONAP's CLIENT / RA; accepted and not needed (the protection is the same). */
    caMode: z.enum(['CLIENT', 'RA']).optional(),
    authentication: z.object({ iak: nonEmpty('authentication.iak'), rv: nonEmpty('authentication.rv') }).strict(),
    // Extensions (SPEC §5.1), all optional.
    messageType: z.enum(['ir', 'cr', 'p10cr']).default('ir'),
    tls: z
      .object({
        caBundleFile: nonEmpty('tls.caBundleFile').optional(),
        clientCertFile: nonEmpty('tls.clientCertFile').optional(),
        clientKeyFile: nonEmpty('tls.clientKeyFile').optional(),
      })
      .strict()
      .refine((t) => (t.clientCertFile === undefined) === (t.clientKeyFile === undefined), {
        message: 'tls.clientCertFile and tls.clientKeyFile go together',
      })
      .optional(),
    trustExtraCertsRoots: z.boolean().default(false),
  })
  .strict();

export const cmpServersFileSchema = z
  .object({ cmpv2Servers: z.array(cmpv2ServerSchema).min(1, 'cmpv2Servers must list at least one server') })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.cmpv2Servers.forEach((server, index) => {
      if (seen.has(server.caName))
        ctx.addIssue({ code: 'custom', path: ['cmpv2Servers', index, 'caName'], message: `caName "${server.caName}" is listed twice` });
      seen.add(server.caName);
    });
  });

export type Cmpv2ServerEntry = z.infer<typeof cmpv2ServerSchema>;

/** One CA as the server uses it: the file's entry with its TLS files read. */
export interface Cmpv2Server {
  caName: string;
  url: string;
  issuerDN: string;
  iak: string;
  rv: string;
  messageType: 'ir' | 'cr' | 'p10cr';
  trustExtraCertsRoots: boolean;
  tls?: { ca?: string; cert?: string; key?: string };
}

export interface CertServiceConfig {
  servers: Map<string, Cmpv2Server>;
  /** When it was loaded, for /ready and the log. */
  loadedAt: Date;
}

/** The file could not be used; the message says why (never a secret's value). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
    .join('; ');
}

/** Parses the file's text (JSON) into a config; relative TLS paths are taken from `baseDir`. */
export async function parseConfig(text: string, baseDir: string): Promise<CertServiceConfig> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`the configuration is not JSON: ${(err as Error).message}`);
  }
  const parsed = cmpServersFileSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(`the configuration is invalid: ${describeIssues(parsed.error)}`);
  const servers = new Map<string, Cmpv2Server>();
  for (const entry of parsed.data.cmpv2Servers) {
    const server: Cmpv2Server = {
      caName: entry.caName,
      url: entry.url,
      issuerDN: entry.issuerDN,
      iak: entry.authentication.iak,
      rv: entry.authentication.rv,
      messageType: entry.messageType,
      trustExtraCertsRoots: entry.trustExtraCertsRoots,
    };
    if (entry.tls) {
      const read = async (file: string | undefined, what: string) => {
        if (file === undefined) return undefined;
        try {
          return await readFile(resolve(baseDir, file), 'utf8');
        } catch (err) {
          throw new ConfigError(`server "${entry.caName}": cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
      };
      server.tls = {
        ca: await read(entry.tls.caBundleFile, 'tls.caBundleFile'),
        cert: await read(entry.tls.clientCertFile, 'tls.clientCertFile'),
        key: await read(entry.tls.clientKeyFile, 'tls.clientKeyFile'),
      };
    }
    servers.set(entry.caName, server);
  }
  return { servers, loadedAt: new Date() };
}

/** Reads and parses the file. */
export async function loadConfig(file: string): Promise<CertServiceConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the configuration ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseConfig(text, dirname(resolve(file)));
}

/**
 * The config in use and the last load's problem. `reload()` keeps the last good config when the
 * file is bad; before any good load, `current` is undefined and requests answer 503.
 */
export class ConfigStore {
  private good: CertServiceConfig | undefined;
  private lastError: string | undefined;

  constructor(private readonly file: string) {}

  get current(): CertServiceConfig | undefined {
    return this.good;
  }

  /** Why the last load failed, undefined when it succeeded. */
  get problem(): string | undefined {
    return this.lastError;
  }

  /** Loads the file; on failure keeps the previous config and throws the ConfigError. */
  async reload(): Promise<CertServiceConfig> {
    try {
      this.good = await loadConfig(this.file);
      this.lastError = undefined;
      return this.good;
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      throw err instanceof ConfigError ? err : new ConfigError(this.lastError);
    }
  }
}
