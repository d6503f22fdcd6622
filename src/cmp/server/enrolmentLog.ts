// Every certificate the development CA issues, as one record: kept in memory and, with a state
// directory, appended synchronously as a JSON line to <state-dir>/enrolments.jsonl before the
// answer leaves. Fault tests count enrolments here — at the CA, the only place where a second
// enrolment of the same request is visible — even when the CA process was killed afterwards.
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { subjectLine } from '../../pki/certificate.js';

export const enrolmentRecordSchema = z.object({
  /** ISO time of issuance. */
  at: z.string(),
  /** Serial number, hex (as X509Certificate prints it). */
  serial: z.string(),
  subject: z.string(),
  /** SHA-256 of the certified SubjectPublicKeyInfo DER, hex: matches the request's public key. */
  spkiSha256: z.string().regex(/^[0-9a-f]{64}$/),
  transactionID: z.string().regex(/^[0-9a-f]*$/),
  messageType: z.enum(['ir', 'cr', 'p10cr', 'kur']),
  certReqId: z.number().int(),
});
export type EnrolmentRecord = z.infer<typeof enrolmentRecordSchema>;

export const ENROLMENT_LOG_FILE = 'enrolments.jsonl';

/** The in-memory list keeps the most recent records only (about 30 MB at most). */
export const MAX_RECORDS_IN_MEMORY = 100_000;

/** SHA-256 (hex) of a public key's SubjectPublicKeyInfo DER, the key the log is matched on. */
export function spkiSha256(spkiDer: Uint8Array): string {
  return createHash('sha256').update(spkiDer).digest('hex');
}

export class EnrolmentLog {
  private readonly records: EnrolmentRecord[] = [];
  private readonly file: string | undefined;

  constructor(stateDir?: string) {
    this.file = stateDir === undefined ? undefined : path.join(stateDir, ENROLMENT_LOG_FILE);
  }

  /** Records one issued certificate; with a state dir the line is on disk when this returns. */
  add(certificate: Uint8Array, transactionId: string, messageType: EnrolmentRecord['messageType'], certReqId: number, at = new Date()): EnrolmentRecord {
    const x509 = new X509Certificate(certificate);
    const record: EnrolmentRecord = {
      at: at.toISOString(),
      serial: x509.serialNumber.toLowerCase(),
      subject: subjectLine(x509),
      spkiSha256: spkiSha256(x509.publicKey.export({ type: 'spki', format: 'der' })),
      transactionID: transactionId,
      messageType,
      certReqId,
    };
    if (this.file) fs.appendFileSync(this.file, `${JSON.stringify(record)}\n`);
    this.records.push(record);
    // A long-running CA keeps memory bounded; the file (when there is one) has every record.
    if (this.records.length > MAX_RECORDS_IN_MEMORY) this.records.splice(0, this.records.length - MAX_RECORDS_IN_MEMORY);
    return record;
  }

  /** The records of this process's life, the last MAX_RECORDS_IN_MEMORY (the file also holds earlier runs). */
  list(): readonly EnrolmentRecord[] {
    return this.records;
  }
}

/** Reads an enrolments.jsonl (every run of a CA with that state dir); a torn last line is ignored. */
export function readEnrolmentLog(file: string): EnrolmentRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const records: EnrolmentRecord[] = [];
  lines.forEach((line, index) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      // Only a line cut by a kill mid-write (the last one) may be incomplete.
      if (index === lines.length - 1 && !text.endsWith('\n')) return;
      throw new Error(`${file} line ${index + 1} is not JSON: ${(err as Error).message}`);
    }
    records.push(enrolmentRecordSchema.parse(parsed));
  });
  return records;
}
