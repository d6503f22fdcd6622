// PEM text ⇄ DER. Tolerates CRLF, text between blocks and long bundles; every block that
// cannot be read is reported with its position, never dropped silently.
import { checkCertificateOnce } from './certificate.js';
import { PemLimitError } from './errors.js';

/** One decoded PEM block; `index` is its 1-based position in the bundle. */
export interface PemBlock {
  label: string;
  der: Buffer;
  index: number;
  /** RFC 1421 headers of a legacy block (e.g. Proc-Type: 4,ENCRYPTED), when it has any. */
  headers?: Record<string, string>;
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

/** Largest PEM text read (a Kubernetes object is at most ~1.5 MiB; system CA bundles are < 1 MiB). */
export const MAX_PEM_BYTES = 16 * 1024 * 1024;
/** Most BEGIN lines read from one text (the public Web PKI has a few hundred roots). */
export const MAX_PEM_BLOCKS = 20_000;
const MAX_LABEL_LENGTH = 64;
const BEGIN = '-----BEGIN ';
const END = '-----END ';
const DASHES = '-----';
const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Reads a label of `[A-Z0-9 ]` at `from`, closed by five dashes; the position after the dashes,
 * or -1 when the line is not a well-formed BEGIN/END line. Scans only label characters, so the
 * scans of successive calls never overlap.
 */
function readLabel(text: string, from: number): { label: string; next: number } | undefined {
  let i = from;
  while (i < text.length && i - from <= MAX_LABEL_LENGTH) {
    const c = text.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x20) i++;
    else break;
  }
  if (i === from || i - from > MAX_LABEL_LENGTH || !text.startsWith(DASHES, i)) return undefined;
  return { label: text.slice(from, i), next: i + DASHES.length };
}

/**
 * Splits PEM text into blocks in one forward pass (linear time whatever the input: a BEGIN
 * without END is reported once, never rescanned); malformed blocks become problems. Throws
 * PemLimitError beyond MAX_PEM_BYTES or MAX_PEM_BLOCKS.
 */
export function parsePemBundle(text: string, what = 'the PEM input'): PemBundle {
  if (text.length > MAX_PEM_BYTES) {
    throw new PemLimitError(`${what} is ${(text.length / 1048576).toFixed(1)} MiB; PEM input is limited to ${MAX_PEM_BYTES / 1048576} MiB, split it`);
  }
  const blocks: PemBlock[] = [];
  const problems: PemProblem[] = [];
  let index = 0;
  // Next BEGIN and END marker at or after the cursor, cached so every byte is searched once.
  let nextBegin = -2;
  let nextEnd = -2;
  const find = (marker: string, cached: number, from: number): number => (cached !== -1 && cached < from ? text.indexOf(marker, from) : cached);
  let cursor = 0;
  for (;;) {
    nextBegin = find(BEGIN, nextBegin, cursor);
    if (nextBegin === -1) break;
    const begin = readLabel(text, nextBegin + BEGIN.length);
    if (!begin) {
      cursor = nextBegin + 1;
      continue;
    }
    index += 1;
    if (index > MAX_PEM_BLOCKS) throw new PemLimitError(`${what} has more than ${MAX_PEM_BLOCKS} PEM blocks; split it`);
    const { label } = begin;
    nextEnd = find(END, nextEnd, begin.next);
    nextBegin = find(BEGIN, nextBegin, begin.next);
    if (nextEnd === -1) {
      // No END anywhere after: every later BEGIN is unclosed too; one problem says so.
      const later = nextBegin === -1 ? '' : ' (nor has any BEGIN line after it)';
      problems.push({ index, label, reason: `BEGIN ${label} has no END line${later}; complete or remove the block` });
      break;
    }
    if (nextBegin !== -1 && nextBegin < nextEnd) {
      problems.push({ index, label, reason: `BEGIN ${label} has no END line before the next BEGIN; complete or remove the block` });
      cursor = nextBegin;
      continue;
    }
    const end = readLabel(text, nextEnd + END.length);
    const rawBody = text.slice(begin.next, nextEnd);
    cursor = end ? end.next : nextEnd + END.length;
    if (!end) {
      problems.push({ index, label, reason: `the END line of ${label} is damaged` });
      continue;
    }
    if (end.label !== label) {
      problems.push({ index, label, reason: `BEGIN ${label} is closed by END ${end.label}` });
      continue;
    }
    const headers: Record<string, string> = {};
    const lines: string[] = [];
    for (const line of rawBody.split(/\r?\n/)) {
      const colon = line.indexOf(':');
      // RFC 1421 headers (Proc-Type, DEK-Info) of legacy blocks: kept apart from the body.
      if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      else lines.push(line);
    }
    const body = lines.join('').replace(/\s+/g, '');
    if (body.length === 0 || !BASE64_BODY.test(body) || body.length % 4 !== 0) {
      problems.push({ index, label, reason: 'the base64 body is damaged' });
      continue;
    }
    const block: PemBlock = { label, der: Buffer.from(body, 'base64'), index };
    if (Object.keys(headers).length > 0) block.headers = headers;
    blocks.push(block);
  }
  return { blocks, problems };
}

/** True when `text` is binary data that begins like DER (a SEQUENCE), not PEM text. */
export function looksLikeDer(text: string): boolean {
  if (text.includes(BEGIN) || text.charCodeAt(0) !== 0x30) return false;
  // DER's length bytes: control characters, or U+FFFD where they were not valid UTF-8.
  for (let i = 1; i < Math.min(text.length, 64); i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffd) return true;
  }
  return false;
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

function collectCertificates<T>(
  text: string,
  what: string | undefined,
  read: (der: Buffer) => T,
): { certificates: { der: Buffer; value: T; index: number }[]; problems: PemProblem[] } {
  const { blocks, problems } = parsePemBundle(text, what);
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
 * Reads every `CERTIFICATE` block as its consumers will (`checkCertificate`: structure, OpenSSL's
 * parse, public key, self-signature; remembered by bytes); other labels and damaged certificates
 * become problems.
 */
export function parseCertificates(text: string, what?: string): ParsedCertificateBundle {
  const { certificates, problems } = collectCertificates(text, what, checkCertificateOnce);
  return {
    certificates: certificates.map(({ der, value, index }) => ({ der, notBefore: value.notBefore, subjectPublicKeyInfo: value.subjectPublicKeyInfo, index })),
    problems,
  };
}

/** The same check as parseCertificates; returns the DER of each readable certificate. */
export function parseCertificateBundle(text: string, what?: string): CertificateBundle {
  const { certificates, problems } = collectCertificates(text, what, checkCertificateOnce);
  return { certificates: certificates.map((c) => c.der), problems };
}

/** Encodes DER as PEM with 64-character lines and a trailing newline. */
export function toPem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

const DESCRIBED_PROBLEMS = 10;

/** Describes problems in one line for an error or an Event, e.g. "block 2 (CERTIFICATE): …" (the first 10). */
export function describePemProblems(problems: PemProblem[]): string {
  const described = problems.slice(0, DESCRIBED_PROBLEMS).map((p) => `block ${p.index} (${p.label}): ${p.reason}`);
  if (problems.length > DESCRIBED_PROBLEMS) described.push(`and ${problems.length - DESCRIBED_PROBLEMS} more`);
  return described.join('; ');
}
