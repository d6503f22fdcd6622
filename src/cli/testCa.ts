// `cmpv2-operator test-ca`: runs the development CMP CA until SIGINT/SIGTERM.
import { untilStopped } from './signals.js';
import { X509Certificate } from 'node:crypto';
import type { Command } from 'commander';
import * as z from 'zod';
import { startDevelopmentCa } from '../cmp/server/index.js';
import { subjectLine } from '../pki/certificate.js';
import { readInputFile, readSecret } from './inputs.js';
import { integerFlag } from './flags.js';

const TestCaFlags = z
  .object({
    port: integerFlag('--port', 0, 65535),
    host: z.string().min(1, '--host must not be empty'),
    secret: z.string().min(1, '--secret must not be empty').optional(),
    ref: z.string().min(1, '--ref must not be empty').optional(),
    roots: integerFlag('--roots', 1, 16).optional(),
    stateDir: z.string().min(1).optional(),
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    poll: integerFlag('--poll', 0, 100),
    checkAfter: integerFlag('--check-after', 0, 3600),
    tlsClientCa: z.string().min(1).optional(),
    capubs: z.boolean().default(true),
    allowCa: z.boolean().default(false),
    maxValidity: integerFlag('--max-validity', 1, 36500),
  })
  .refine((flags) => (flags.tlsCert === undefined) === (flags.tlsKey === undefined), {
    message: '--tls-cert and --tls-key go together',
  })
  .refine((flags) => flags.tlsClientCa === undefined || flags.tlsCert !== undefined, {
    message: '--tls-client-ca needs HTTPS: give --tls-cert and --tls-key too',
  });

export function registerTestCaCommand(program: Command): void {
  program
    .command('test-ca')
    .description('run the development CMPv2 CA (multi-root, issues what is asked) until SIGINT/SIGTERM')
    .option('--port <n>', 'TCP port; 0 picks a free one and prints it', '0')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--secret <secret>', 'shared secret for password-based MAC: pass:TEXT, env:VAR, file:PATH or TEXT')
    .option('--ref <reference>', 'reference value (senderKID) PBM requests must carry; any when absent')
    .option('--roots <n>', 'number of self-signed roots (default 2, or what --state-dir holds)')
    .option(
      '--state-dir <dir>',
      'keep the CA keys, the open transactions and a log of every certificate issued (enrolments.jsonl) here, so they survive restarts',
    )
    .option('--tls-cert <file>', 'PEM certificate (chain) for HTTPS; with --tls-key')
    .option('--tls-key <file>', 'PEM private key for HTTPS; with --tls-cert')
    .option('--poll <n>', 'answer `waiting` this many times before sending the certificate', '0')
    .option('--check-after <seconds>', 'checkAfter of the `waiting` answers', '1')
    .option('--tls-client-ca <file>', 'PEM CA(s): require a client certificate issued by them (mTLS); with --tls-cert')
    .option('--no-capubs', 'leave caPubs out of cp and kup answers (ip keeps them), as OpenSSL and RFC 9483 servers do')
    .option('--allow-ca', 'issue CA certificates (basicConstraints cA=TRUE) when asked; refused with badCertTemplate otherwise')
    .option('--max-validity <days>', 'longest validity issued, in days; a longer request is shortened, none asked gives 90 days', '825')
    .action(async (raw: Record<string, string | boolean | undefined>) => {
      const parsed = TestCaFlags.safeParse(raw);
      if (!parsed.success) throw new Error(parsed.error.issues[0].message);
      const flags = parsed.data;
      const tls =
        flags.tlsCert && flags.tlsKey
          ? {
              cert: readInputFile(flags.tlsCert, 'the --tls-cert file'),
              key: readInputFile(flags.tlsKey, 'the --tls-key file'),
              ...(flags.tlsClientCa ? { clientCa: readInputFile(flags.tlsClientCa, 'the --tls-client-ca file') } : {}),
            }
          : undefined;
      const ca = await startDevelopmentCa({
        port: flags.port,
        host: flags.host,
        // The development CA also takes the secret's text as it is (`--secret s3cret`).
        ...(flags.secret !== undefined ? { secret: readSecret(flags.secret, '--secret', { plain: true }) } : {}),
        ...(flags.ref !== undefined ? { reference: flags.ref } : {}),
        ...(flags.roots !== undefined ? { roots: flags.roots } : {}),
        ...(flags.stateDir !== undefined ? { stateDir: flags.stateDir } : {}),
        ...(tls ? { tls } : {}),
        poll: flags.poll,
        checkAfterSeconds: flags.checkAfter,
        noCaPubs: !flags.capubs,
        allowCa: flags.allowCa,
        maxValidityDays: flags.maxValidity,
      });
      const stopped = untilStopped();
      process.stdout.write(`${ca.url}\n`);
      process.stdout.write(
        `test-ca: ${ca.roots.length} roots, issuing intermediate "${subjectLine(new X509Certificate(ca.intermediatePem))}"` +
          `${flags.stateDir ? `, state in ${flags.stateDir} (keys, open transactions, enrolments.jsonl)` : ', state in memory'}` +
          `${flags.secret ? '' : '; no --secret: only requests signed with certificates this CA issued are accepted'}\n`,
      );
      const signal = await stopped;
      await ca.stop();
      process.stdout.write(`test-ca: stopped on ${signal} after ${ca.stats.enrollments} enrollments\n`);
    });
}
