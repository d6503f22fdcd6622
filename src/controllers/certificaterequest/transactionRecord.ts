// The write-ahead transaction record (SPEC §3: each CertificateRequest is enrolled once). Before
// anything goes to the CA the controller records, on the CertificateRequest and against its
// resourceVersion, which transaction it sends and who sends it; after the CA answers it records
// the outcome before anything else. A conflict on the record means another holder got there
// first, and nothing is sent. The decision of what to do with a record found is this file's
// pure `decideTransaction`; the controller does the writes.
import * as z from 'zod';

/** Who holds a transaction: the pod (stable across restarts of its container) and this process's incarnation. */
export interface Holder {
  pod: string;
  incarnation: string;
}

export const holderText = (holder: Holder): string => `${holder.pod}/${holder.incarnation}`;

/**
 * sending: the request is (being) sent, no answer recorded; polling: a pollReq for a waiting
 * transaction is (being) sent, no answer recorded; waiting: the CA answered `waiting`, the
 * transaction can be polled by anyone.
 */
export const transactionRecordSchema = z.object({
  version: z.literal(2),
  phase: z.enum(['sending', 'polling', 'waiting']),
  holder: z.string().min(1).max(300),
  /** When the phase began (ISO). */
  at: z.iso.datetime(),
  /** The backend's transaction state (CMP: type, transactionID, nonces, certReqId), opaque here. */
  transaction: z.string().max(8192).optional(),
});
export type TransactionRecord = z.infer<typeof transactionRecordSchema>;

/** A record as found on a request: absent, readable, or unreadable (damaged by hand, or from an unknown version). */
export type FoundRecord = { state: 'absent' } | { state: 'found'; record: TransactionRecord } | { state: 'unreadable'; why: string };

/** The version 1 annotation held only a waiting CMP transaction (`{"version":1,"type":…}`). */
const legacyWaitingSchema = z.looseObject({ version: z.literal(1), startedAt: z.string() });

export function readTransactionRecord(text: string | undefined): FoundRecord {
  if (text === undefined || text === '') return { state: 'absent' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { state: 'unreadable', why: 'not JSON' };
  }
  const parsed = transactionRecordSchema.safeParse(json);
  if (parsed.success) return { state: 'found', record: parsed.data };
  const legacy = legacyWaitingSchema.safeParse(json);
  if (legacy.success) {
    // Written before the record had holders: a waiting transaction anyone may poll.
    const at = Number.isNaN(Date.parse(legacy.data.startedAt)) ? new Date(0).toISOString() : new Date(legacy.data.startedAt).toISOString();
    return { state: 'found', record: { version: 2, phase: 'waiting', holder: 'unknown/unknown', at, transaction: text } };
  }
  return { state: 'unreadable', why: parsed.error.issues[0]?.message ?? 'invalid' };
}

export const writeTransactionRecord = (record: TransactionRecord): string => JSON.stringify(record);

export type TransactionDecision =
  /** No record: a new transaction. */
  | { action: 'start' }
  /** The CA said `waiting`: poll that transaction. */
  | { action: 'poll'; transaction: string }
  /** The last attempt's answer was never recorded (or the record is unreadable): a new transaction, said out loud. */
  | { action: 'restart'; previous: FoundRecord & { state: 'found' | 'unreadable' } }
  /** Another pod's attempt may be in flight: wait this long, then decide again. */
  | { action: 'wait'; ms: number; holder: string };

/**
 * What to do with the record found, as `me` at `now`. `holdMs` is how long another pod's
 * unanswered attempt may still be in flight (its CA timeout for the request and the certConf, and
 * a margin); after that it is taken over. Our own pod's unanswered attempt is never in flight:
 * the work queue runs one reconcile per request, and a restarted container is a new incarnation
 * of the same pod whose predecessor is gone.
 */
export function decideTransaction(found: FoundRecord, me: Holder, now: Date, holdMs: number): TransactionDecision {
  if (found.state === 'absent') return { action: 'start' };
  if (found.state === 'unreadable') return { action: 'restart', previous: found };
  const { record } = found;
  if (record.phase === 'waiting') {
    return record.transaction ? { action: 'poll', transaction: record.transaction } : { action: 'restart', previous: found };
  }
  const pod = record.holder.slice(0, record.holder.lastIndexOf('/'));
  if (pod !== me.pod) {
    const age = now.getTime() - Date.parse(record.at);
    // A record from the future (clock skew between pods) counts as just written.
    const left = holdMs - Math.max(0, Number.isNaN(age) ? holdMs : age);
    if (left > 0) return { action: 'wait', ms: left, holder: record.holder };
  }
  return { action: 'restart', previous: found };
}

/** The transaction is held elsewhere: nothing was sent; decide again after `ms`. */
export class TransactionHeldError extends Error {
  override readonly name = 'TransactionHeldError';

  constructor(
    readonly holder: string,
    readonly ms: number,
  ) {
    super(`another operator (${holder}) is enrolling this request; waiting ${Math.ceil(ms / 1000)}s for its answer`);
  }
}

/** The message of the Event and condition when a new transaction replaces one whose answer was never recorded. */
export function restartMessage(previous: FoundRecord & { state: 'found' | 'unreadable' }): string {
  if (previous.state === 'unreadable') {
    return `The transaction record could not be read (${previous.why}); starting a new transaction. If an earlier one reached the CA, the CA may hold an extra certificate for this request`;
  }
  const { record } = previous;
  const what = record.phase === 'polling' ? 'poll of the waiting transaction' : 'request';
  const tx = transactionIdOf(record.transaction);
  return (
    `The answer to the ${what}${tx ? ` (transactionID ${tx})` : ''} sent at ${record.at} by ${record.holder} was never recorded; ` +
    'starting a new transaction. If the CA received the earlier one, it may hold an extra certificate for this request'
  );
}

/** The CMP transactionID (base64) of a recorded transaction, for messages; undefined for others. */
function transactionIdOf(transaction: string | undefined): string | undefined {
  if (!transaction) return undefined;
  try {
    const id = (JSON.parse(transaction) as { transactionID?: unknown }).transactionID;
    return typeof id === 'string' && /^[A-Za-z0-9+/=]{1,256}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
