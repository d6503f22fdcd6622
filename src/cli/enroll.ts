// `cmpv2-operator enroll`: a CMP client on the command line, flag names after `openssl cmp`.
// Parses flags, reads files, calls CmpClient, writes PEM files. Nothing else lives here.
import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import * as z from 'zod';
import { parseCertificate } from '../cmp/certificates.js';
import { CmpClient, type EnrollmentRequest } from '../cmp/client.js';
import { buildCsr, parseSubjectAltName } from '../cmp/csr.js';
import { parseDistinguishedName } from '../cmp/names.js';
import type { ProtectionCredentials } from '../cmp/protection.js';
import { HttpTransport } from '../cmp/transport.js';
import { subjectLine } from '../pki/certificate.js';
import { parseCertificateBundle, parsePemBundle, toPem } from '../pki/pem.js';
import { loadPrivateKey } from '../pki/privateKey.js';
import { readInputFile, readInputText, readSecret } from './inputs.js';

const EnrollFlags = z
  .object({
    server: z.string().url('--server must be an http:// or https:// URL'),
    cmd: z.enum(['p10cr', 'ir', 'cr', 'kur'], { error: '--cmd must be p10cr, ir, cr or kur' }),
    csr: z.string().min(1).optional(),
    newkey: z.string().min(1).optional(),
    subject: z.string().optional(),
    san: z.array(z.string()).default([]),
    secret: z.string().min(1).optional(),
    ref: z.string().optional(),
    sender: z.string().min(1, '--sender must not be empty').optional(),
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    recipient: z.string().optional(),
    trusted: z.string().min(1).optional(),
    tlsCa: z.string().min(1).optional(),
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    implicitConfirm: z.boolean().default(false),
    timeout: z.coerce.number().int().min(1).max(3600).default(30),
    totalTimeout: z.coerce.number().int().min(1).max(86400).default(600),
    certout: z.string().min(1).optional(),
    chainout: z.string().min(1).optional(),
    cacertsout: z.string().min(1).optional(),
  })
  .refine((f) => (f.cert === undefined) === (f.key === undefined), { message: '--cert and --key go together' })
  .refine((f) => (f.tlsCert === undefined) === (f.tlsKey === undefined), { message: '--tls-cert and --tls-key go together' })
  .refine((f) => f.secret !== undefined || f.cert !== undefined, {
    message: 'give --secret (password-based MAC) or --cert/--key (signature) to protect requests',
  })
  .refine((f) => f.cmd !== 'kur' || f.cert !== undefined, { message: '--cmd kur needs --cert/--key: the certificate being updated and its key' })
  .refine((f) => f.newkey !== undefined || (f.cmd === 'p10cr' && f.csr !== undefined), {
    message: '--newkey is required (only p10cr with --csr works without a key)',
  })
  .refine((f) => f.csr !== undefined || f.subject !== undefined || f.cmd === 'kur', {
    message: 'give --csr, or --subject (and --san) to build a CSR from --newkey',
  })
  .refine((f) => f.secret === undefined || f.cert !== undefined || (f.ref !== undefined && f.ref !== '') || f.sender !== undefined, {
    message: '--secret (password-based MAC) needs an identity: give --ref (sent as senderKID) or --sender (a DN for header.sender)',
  });
type EnrollFlags = z.infer<typeof EnrollFlags>;

/** "the --cert file", how a flag's file is named in errors. */
const fileOf = (flag: string): string => `the ${flag} file`;

function readCertificates(path: string, flag: string): Uint8Array[] {
  const { certificates } = parseCertificateBundle(readInputText(path, fileOf(flag)));
  if (certificates.length === 0) throw new Error(`${flag}: no certificate in ${path}`);
  return certificates.map((c) => new Uint8Array(c));
}

function readKey(path: string, flag: string) {
  const pem = readInputText(path, fileOf(flag));
  try {
    return loadPrivateKey(pem).key;
  } catch (err) {
    throw new Error(`${flag}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function readCsr(path: string): Uint8Array {
  const bytes = readInputFile(path, fileOf('--csr'));
  const block = parsePemBundle(bytes.toString('latin1')).blocks.find((b) => b.label === 'CERTIFICATE REQUEST' || b.label === 'NEW CERTIFICATE REQUEST');
  return new Uint8Array(block ? block.der : bytes);
}

async function enroll(flags: EnrollFlags): Promise<void> {
  const newKey = flags.newkey ? readKey(flags.newkey, '--newkey') : undefined;
  const signer = flags.cert && flags.key ? { certificates: readCertificates(flags.cert, '--cert'), key: readKey(flags.key, '--key') } : undefined;
  let csr: Uint8Array;
  if (flags.csr) {
    csr = readCsr(flags.csr);
  } else {
    if (!newKey) throw new Error('--newkey is required to build a CSR');
    // kur without --subject keeps the old certificate's subject.
    const subject = flags.subject !== undefined ? parseDistinguishedName(flags.subject) : parseCertificate(signer!.certificates[0]).subject;
    csr = buildCsr({ key: newKey, subject, subjectAltNames: flags.san.map(parseSubjectAltName) });
  }
  const protection: ProtectionCredentials =
    flags.secret !== undefined
      ? {
          type: 'pbm',
          secret: new TextEncoder().encode(readSecret(flags.secret, '--secret')),
          ...(flags.ref ? { reference: new TextEncoder().encode(flags.ref) } : {}),
          ...(flags.sender !== undefined ? { sender: parseDistinguishedName(flags.sender) } : {}),
        }
      : { type: 'signature', key: signer!.key, certificate: signer!.certificates[0], chain: signer!.certificates.slice(1) };
  const transport = new HttpTransport({
    url: flags.server,
    timeoutMs: flags.timeout * 1000,
    ...(flags.tlsCa ? { tlsCa: readInputText(flags.tlsCa, fileOf('--tls-ca')) } : {}),
    ...(flags.tlsCert && flags.tlsKey
      ? { tlsCert: readInputText(flags.tlsCert, fileOf('--tls-cert')), tlsKey: readInputText(flags.tlsKey, fileOf('--tls-key')) }
      : {}),
  });
  const client = new CmpClient({
    transport,
    protection,
    implicitConfirm: flags.implicitConfirm,
    pollTimeoutMs: flags.totalTimeout * 1000,
    ...(flags.trusted ? { trusted: readCertificates(flags.trusted, '--trusted') } : {}),
    ...(flags.recipient !== undefined ? { recipient: parseDistinguishedName(flags.recipient) } : {}),
  });
  let request: EnrollmentRequest;
  if (flags.cmd === 'p10cr') request = { type: 'p10cr', csr };
  else if (flags.cmd === 'kur') {
    request = {
      type: 'kur',
      csr,
      privateKey: newKey!,
      oldCertificate: signer!.certificates[0],
      oldPrivateKey: signer!.key,
      oldChain: signer!.certificates.slice(1),
    };
  } else request = { type: flags.cmd, csr, privateKey: newKey! };
  const result = await client.enroll(request);
  for (const warning of result.warnings) process.stderr.write(`enroll: ${warning}\n`);
  const pem = (ders: Uint8Array[]) => ders.map((d) => toPem('CERTIFICATE', d)).join('');
  if (flags.certout) await writeFile(flags.certout, pem([result.certificate]));
  if (flags.chainout) await writeFile(flags.chainout, pem(result.chain));
  if (flags.cacertsout) await writeFile(flags.cacertsout, pem(result.trustedRoots));
  const leaf = new X509Certificate(Buffer.from(result.certificate));
  process.stdout.write(
    `enrolled "${subjectLine(leaf)}" serial ${leaf.serialNumber} until ${new Date(leaf.validTo).toISOString()}; ` +
      `chain ${result.chain.length}, trusted roots ${result.trustedRoots.length}${result.implicitConfirmGranted ? ', implicitly confirmed' : ''}\n`,
  );
}

export function registerEnrollCommand(program: Command): void {
  program
    .command('enroll')
    .description('enrol a certificate from a CMPv2 CA (option names after openssl cmp)')
    .requiredOption('--server <url>', 'CMP endpoint, http:// or https://, e.g. http://127.0.0.1:8080/.well-known/cmp')
    .option('--cmd <type>', 'request type: p10cr (send the CSR as it is), ir, cr (CRMF from the CSR), kur (update --cert)', 'p10cr')
    .option('--csr <file>', 'PKCS#10 CSR (PEM or DER); default: built from --newkey, --subject and --san')
    .option('--newkey <file>', 'private key (PKCS#1, PKCS#8 or SEC1 PEM) of the new certificate; signs the POP for ir/cr/kur')
    .option('--subject <dn>', 'subject when building the CSR, "CN=x,O=y" or "/CN=x/O=y" (kur: default the old subject)')
    .option(
      '--san <name>',
      'subjectAltName when building the CSR: DNS name, IP address, email (a@b) or URI (x://y); repeatable',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option('--secret <source>', 'shared secret for password-based MAC protection: pass:TEXT, env:VARIABLE or file:PATH')
    .option('--ref <value>', 'reference value (senderKID) sent with --secret; --secret needs --ref or --sender')
    .option('--sender <dn>', 'header.sender of --secret protected requests, e.g. "CN=ra-operator,O=Example"')
    .option('--cert <file>', 'certificate (+ chain) for signature protection; with --cmd kur, the certificate to update')
    .option('--key <file>', 'private key of --cert')
    .option('--recipient <dn>', 'header.recipient, e.g. "CN=ManagementCA"; default NULL-DN (kur: issuer of --cert)')
    .option('--trusted <file>', 'PEM trust anchors for signature-protected answers')
    .option('--tls-ca <file>', 'PEM CA bundle for the HTTPS server certificate')
    .option('--tls-cert <file>', 'PEM client certificate for mutual TLS')
    .option('--tls-key <file>', 'PEM key of --tls-cert')
    .option('--implicit-confirm', 'ask the CA for implicit confirmation (no certConf when granted)', false)
    .option('--timeout <seconds>', 'timeout per CMP message round trip', '30')
    .option('--total-timeout <seconds>', 'overall time including polling', '600')
    .option('--certout <file>', 'write the issued certificate (PEM)')
    .option('--chainout <file>', 'write the chain: issued certificate followed by its intermediates (PEM)')
    .option('--cacertsout <file>', 'write the trusted roots: caPubs of the verified answer and the anchor of the chain (PEM)')
    .action(async (options: Record<string, unknown>) => {
      const parsed = EnrollFlags.safeParse(options);
      if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'invalid flags');
      await enroll(parsed.data);
    });
}
