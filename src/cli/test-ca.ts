// `cmpv2-operator test-ca`: runs the development CMP CA until SIGINT/SIGTERM.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { startDevelopmentCa } from '../cmp/server/index.js';

const integer = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`);

const TestCaFlags = z
  .object({
    port: integer('--port', 0, 65535),
    host: z.string().min(1, '--host must not be empty'),
    secret: z.string().min(1, '--secret must not be empty').optional(),
    ref: z.string().min(1, '--ref must not be empty').optional(),
    roots: integer('--roots', 1, 16).optional(),
    stateDir: z.string().min(1).optional(),
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    poll: integer('--poll', 0, 100),
  })
  .refine((flags) => (flags.tlsCert === undefined) === (flags.tlsKey === undefined), {
    message: '--tls-cert and --tls-key go together',
  });

/** `pass:TEXT`, `env:VAR`, `file:PATH` (first line), or the text itself. */
async function readSecret(spec: string): Promise<string> {
  if (spec.startsWith('pass:')) return spec.slice(5);
  if (spec.startsWith('env:')) {
    const value = process.env[spec.slice(4)];
    if (value === undefined || value === '') throw new Error(`--secret: environment variable ${spec.slice(4)} is not set`);
    return value;
  }
  if (spec.startsWith('file:')) {
    const text = await readFile(spec.slice(5), 'utf8').catch(() => {
      throw new Error(`--secret: cannot read ${spec.slice(5)}`);
    });
    return text.split(/\r?\n/)[0];
  }
  return spec;
}

/** Resolves once the process is asked to stop. */
function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export function registerTestCaCommand(program: Command): void {
  program
    .command('test-ca')
    .description('run the development CMPv2 CA (multi-root, issues what is asked) until SIGINT/SIGTERM')
    .option('--port <n>', 'TCP port; 0 picks a free one and prints it', '0')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--secret <secret>', 'shared secret for password-based MAC: pass:TEXT, env:VAR, file:PATH or TEXT')
    .option('--ref <reference>', 'reference value (senderKID) PBM requests must carry; any when absent')
    .option('--roots <n>', 'number of self-signed roots (default 2, or what --state-dir holds)')
    .option('--state-dir <dir>', 'keep the CA keys and certificates here so they survive restarts')
    .option('--tls-cert <file>', 'PEM certificate (chain) for HTTPS; with --tls-key')
    .option('--tls-key <file>', 'PEM private key for HTTPS; with --tls-cert')
    .option('--poll <n>', 'answer `waiting` this many times before sending the certificate', '0')
    .action(async (raw: Record<string, string | undefined>) => {
      const parsed = TestCaFlags.safeParse(raw);
      if (!parsed.success) throw new Error(parsed.error.issues[0].message);
      const flags = parsed.data;
      const tls =
        flags.tlsCert && flags.tlsKey
          ? {
              cert: await readFile(flags.tlsCert).catch(() => {
                throw new Error(`--tls-cert: cannot read ${flags.tlsCert}`);
              }),
              key: await readFile(flags.tlsKey).catch(() => {
                throw new Error(`--tls-key: cannot read ${flags.tlsKey}`);
              }),
            }
          : undefined;
      const ca = await startDevelopmentCa({
        port: flags.port,
        host: flags.host,
        ...(flags.secret !== undefined ? { secret: await readSecret(flags.secret) } : {}),
        ...(flags.ref !== undefined ? { reference: flags.ref } : {}),
        ...(flags.roots !== undefined ? { roots: flags.roots } : {}),
        ...(flags.stateDir !== undefined ? { stateDir: flags.stateDir } : {}),
        ...(tls ? { tls } : {}),
        poll: flags.poll,
      });
      const stopped = untilStopped();
      process.stdout.write(`${ca.url}\n`);
      process.stdout.write(
        `test-ca: ${ca.roots.length} roots, issuing intermediate "${subjectLine(ca.intermediatePem)}"` +
          `${flags.stateDir ? `, state in ${flags.stateDir}` : ', state in memory'}` +
          `${flags.secret ? '' : '; no --secret: only requests signed with certificates this CA issued are accepted'}\n`,
      );
      const signal = await stopped;
      await ca.stop();
      process.stdout.write(`test-ca: stopped on ${signal} after ${ca.stats.enrollments} enrollments\n`);
    });
}

function subjectLine(pem: string): string {
  return new X509Certificate(pem).subject.replace(/\n/g, ', ');
}
