// PEM text ⇄ DER. Tolerates CRLF, text between blocks and long bundles; every block that
// cannot be read is reported with its position, never dropped silently.
import { X509Certificate } from 'node:crypto';
import { readCertificateFields } from './certificate.js';

/** One decoded PEM block; `index` is its 1-based position in the bundle. */
export interface PemBlock {
  label: string;
  der: Buffer;
  index: number;
}

/** A block that could not be used, with a reason a user can act on. */
export interface PemProblem {
  index: number;
  label: string;
  reason: string;
}

export interface PemBundle {
  blocks: PemBlock[];
  problems: PemProblem[];
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;

/** Splits PEM text into blocks; malformed blocks become problems. */
export function parsePemBundle(text: string): PemBundle {
  const blocks: PemBlock[] = [];
  const problems: PemProblem[] = [];
  let index = 0;
  for (const match of text.matchAll(BLOCK)) {
    index += 1;
    const [, label, rawBody, endLabel] = match;
    if (label !== endLabel) {
      problems.push({ index, label, reason: `BEGIN ${label} is closed by END ${endLabel}` });
      continue;
    }
    // RFC 7468 allows headers (e.g. Proc-Type) only in legacy blocks; we skip such lines.
    const lines = rawBody.includes(':')
      ? rawBody
          .split(/\r?\n/)
          .filter((line) => !line.includes(':'))
          .join('')
      : rawBody;
    const body = lines.replace(/\s+/g, '');
    if (body.length === 0 || !BASE64_BODY.test(body) || body.length % 4 !== 0) {
      problems.push({ index, label, reason: 'the base64 body is damaged' });
      continue;
    }
    blocks.push({ label, der: Buffer.from(body, 'base64'), index });
  }
  return { blocks, problems };
}

export interface CertificateBundle {
  /** DER of each readable certificate, in bundle order (duplicates kept). */
  certificates: Buffer[];
  problems: PemProblem[];
}

/** A certificate read once for the stores: its DER and the notBefore JKS dates entries with. */
export interface ParsedCertificate {
  der: Buffer;
  notBefore: Date;
  /** DER of the certificate's SubjectPublicKeyInfo. */
  subjectPublicKeyInfo: Buffer;
  /** 1-based position of its block in the bundle. */
  index: number;
}

export interface ParsedCertificateBundle {
  certificates: ParsedCertificate[];
  problems: PemProblem[];
}

function collectCertificates<T>(text: string, read: (der: Buffer) => T): { certificates: { der: Buffer; value: T; index: number }[]; problems: PemProblem[] } {
  const { blocks, problems } = parsePemBundle(text);
  const certificates: { der: Buffer; value: T; index: number }[] = [];
  for (const block of blocks) {
    if (block.label !== 'CERTIFICATE') {
      problems.push({ index: block.index, label: block.label, reason: 'not a CERTIFICATE block' });
      continue;
    }
    try {
      certificates.push({ der: block.der, value: read(block.der), index: block.index });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      problems.push({ index: block.index, label: block.label, reason: `not a readable X.509 certificate (${reason})` });
    }
  }
  problems.sort((a, b) => a.index - b.index);
  return { certificates, problems };
}

/**
 * Reads every `CERTIFICATE` block with a structural DER check (fast; see certificate.ts);
 * other labels and malformed certificates become problems.
 */
export function parseCertificates(text: string): ParsedCertificateBundle {
  const { certificates, problems } = collectCertificates(text, readCertificateFields);
  return { certificates: certificates.map(({ der, value, index }) => ({ der, ...value, index })), problems };
}

/** Reads every `CERTIFICATE` block with OpenSSL's full parser; returns the DER of each. */
export function parseCertificateBundle(text: string): CertificateBundle {
  const { certificates, problems } = collectCertificates(text, (der) => new X509Certificate(der));
  return { certificates: certificates.map((c) => c.der), problems };
}

/** Encodes DER as PEM with 64-character lines and a trailing newline. */
export function toPem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Describes problems in one line for an error or an Event, e.g. "block 2 (CERTIFICATE): …". */
export function describePemProblems(problems: PemProblem[]): string {
  return problems.map((p) => `block ${p.index} (${p.label}): ${p.reason}`).join('; ');
}
