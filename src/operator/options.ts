// The options of `cmpv2-operator run`, validated once at the boundary: the command's flags (as
// commander hands them over) become an OperatorOptions or a one-line error naming the flag.
import * as z from 'zod';
import { parseDuration } from '../k8s/duration.js';

export const CONTROLLERS = ['issuer', 'keystore'] as const;
export type ControllerName = (typeof CONTROLLERS)[number];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'text';

/** Where a server listens; `undefined` host = every interface (as Go's ":8080"). */
export interface ListenAddress {
  host?: string;
  port: number;
}

export interface OperatorOptions {
  /** Empty = all namespaces. */
  namespaces: string[];
  controllers: ControllerName[];
  leaderElect: boolean;
  leaseNamespace: string;
  leaseName: string;
  /** `undefined` = disabled (`0`). */
  metricsAddr?: ListenAddress;
  healthAddr?: ListenAddress;
  logLevel: LogLevel;
  logFormat: LogFormat;
  clusterResourceNamespace: string;
  maxRetryDurationMs: number;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `:8080`, `0.0.0.0:8080`, `127.0.0.1:0`, `[::1]:8080`, `localhost:9090`; `0` disables. */
export function parseListenAddress(text: string, flag: string): ListenAddress | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return undefined;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]*)):(\d{1,5})$/.exec(trimmed);
  if (!match) throw new Error(`${flag} "${text}" is not an address (examples: :8080, 127.0.0.1:8080, 0 to disable)`);
  const port = Number(match[3]);
  if (port > 65535) throw new Error(`${flag} port ${port} is out of range (0-65535)`);
  const host = match[1] ?? (match[2] || undefined);
  return host === undefined ? { port } : { host, port };
}

const namespaceName = (flag: string) =>
  z.string().max(63, `${flag} names have at most 63 characters`).regex(DNS_LABEL, `${flag} must be a namespace name (lower-case letters, digits and '-')`);

/** The flags as commander passes them (strings; repeatable ones as arrays). */
export const RunFlagsSchema = z.object({
  namespace: z.array(namespaceName('--namespace')).default([]),
  controllers: z.string(),
  leaderElect: z.boolean().default(false),
  leaseNamespace: namespaceName('--lease-namespace').optional(),
  leaseName: z
    .string()
    .max(253)
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, '--lease-name must be a lower-case DNS name'),
  metricsAddr: z.string(),
  healthAddr: z.string(),
  logLevel: z.enum(LOG_LEVELS, { error: `--log-level must be one of ${LOG_LEVELS.join(', ')}` }),
  logFormat: z.enum(['json', 'text'], { error: '--log-format must be json or text' }).optional(),
  clusterResourceNamespace: namespaceName('--cluster-resource-namespace'),
  maxRetryDuration: z.string(),
});
export type RunFlags = z.input<typeof RunFlagsSchema>;

function parseControllers(text: string): ControllerName[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new Error(`--controllers must name at least one of ${CONTROLLERS.join(', ')}`);
  for (const name of names) {
    if (!(CONTROLLERS as readonly string[]).includes(name)) throw new Error(`--controllers: unknown controller "${name}" (known: ${CONTROLLERS.join(', ')})`);
  }
  return [...new Set(names)] as ControllerName[];
}

/** Where the pod runs: the ServiceAccount mount, then POD_NAMESPACE, else `default`. */
export function podNamespace(readServiceAccountNamespace: () => string | undefined, env: NodeJS.ProcessEnv): string {
  const fromFile = readServiceAccountNamespace()?.trim();
  if (fromFile && DNS_LABEL.test(fromFile)) return fromFile;
  const fromEnv = env.POD_NAMESPACE?.trim();
  if (fromEnv && DNS_LABEL.test(fromEnv)) return fromEnv;
  return 'default';
}

/**
 * Flags → options; throws an Error with a one-line message naming the bad flag. Without
 * --log-format, logs are text for a person at a terminal (`stderrIsTty`) and JSON otherwise.
 */
export function toOperatorOptions(flags: unknown, defaultNamespace: () => string, stderrIsTty = false): OperatorOptions {
  const parsed = RunFlagsSchema.safeParse(flags);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(issue.message);
  }
  const f = parsed.data;
  let maxRetryDurationMs: number;
  try {
    maxRetryDurationMs = parseDuration(f.maxRetryDuration);
  } catch (err) {
    throw new Error(`--max-retry-duration: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (maxRetryDurationMs <= 0) throw new Error('--max-retry-duration must be longer than 0');
  return {
    namespaces: [...new Set(f.namespace)],
    controllers: parseControllers(f.controllers),
    leaderElect: f.leaderElect,
    leaseNamespace: f.leaseNamespace ?? defaultNamespace(),
    leaseName: f.leaseName,
    metricsAddr: parseListenAddress(f.metricsAddr, '--metrics-addr'),
    healthAddr: parseListenAddress(f.healthAddr, '--health-addr'),
    logLevel: f.logLevel,
    logFormat: f.logFormat ?? (stderrIsTty ? 'text' : 'json'),
    clusterResourceNamespace: f.clusterResourceNamespace,
    maxRetryDurationMs,
  };
}
