// Open CMP transactions of the server, keyed by transactionID. A transaction remembers the last
// senderNonce we sent (the client must echo it as recipNonce), how the client authenticated,
// and the behaviour's own state. Bounded in time and count so no client can exhaust memory.
// With a file, every change is written there atomically (temporary file + rename) before the
// answer leaves, so a CA killed and restarted with the same state dir still answers the
// client's next pollReq or certConf of a transaction it had opened.
import fs from 'node:fs';
import * as z from 'zod';

export interface Transaction<S> {
  /** transactionID as hex. */
  id: string;
  /** Our last senderNonce; the next request must carry it as recipNonce. */
  lastNonce: Uint8Array;
  /** How the request that opened the transaction was protected. */
  protection: 'pbm' | 'signature';
  /** Who protected it (PBM: the senderKID; signature: the signer certificate), hex; follow-ups must match. */
  identity?: string;
  /** What the behaviour keeps between messages; undefined once the transaction is over. */
  state: S | undefined;
  expiresAt: number;
}

/** Turns the behaviour's state into JSON and back (decode validates: the file is input). */
export interface StateCodec<S> {
  encode(state: S): unknown;
  decode(value: unknown): S;
}

export interface TransactionStoreOptions {
  /** How long an idle transaction is kept (default 10 minutes). */
  idleMs?: number;
  /** At most this many transactions are kept; the oldest are dropped first (default 10000). */
  maxOpen?: number;
  now?: () => number;
}

export interface PersistedTransactions<S> {
  /** The JSON file holding the transactions; read at start, rewritten on every change. */
  file: string;
  codec: StateCodec<S>;
}

const hexString = z.string().regex(/^[0-9a-f]*$/);
const storedSchema = z.object({
  version: z.literal(1),
  transactions: z.array(
    z.object({
      id: hexString.min(1),
      lastNonce: hexString,
      protection: z.enum(['pbm', 'signature']),
      identity: z.string().optional(),
      state: z.unknown().optional(),
      expiresAt: z.number(),
    }),
  ),
});

export class TransactionStore<S> {
  private readonly open = new Map<string, Transaction<S>>();
  private readonly idleMs: number;
  private readonly maxOpen: number;
  private readonly now: () => number;

  constructor(
    options: TransactionStoreOptions = {},
    private readonly persisted?: PersistedTransactions<S>,
  ) {
    this.idleMs = options.idleMs ?? 10 * 60 * 1000;
    this.maxOpen = options.maxOpen ?? 10_000;
    this.now = options.now ?? Date.now;
    if (persisted) this.load(persisted);
  }

  /** The live transaction with this id, if any. */
  get(id: string): Transaction<S> | undefined {
    this.expire();
    return this.open.get(id);
  }

  /**
   * Records the outcome of an answer. A finished transaction (state undefined) is still kept
   * until it expires, so that its transactionID cannot be reused for a new request meanwhile.
   */
  save(id: string, fields: Omit<Transaction<S>, 'id' | 'expiresAt'>): void {
    this.open.delete(id); // re-insert: Map order is then least recently used first
    this.open.set(id, { id, ...fields, expiresAt: this.now() + this.idleMs });
    while (this.open.size > this.maxOpen) {
      const oldest = this.open.keys().next().value as string;
      this.open.delete(oldest);
    }
    this.expire();
    this.write();
  }

  get size(): number {
    return this.open.size;
  }

  private expire(): void {
    const now = this.now();
    for (const [id, transaction] of this.open) {
      if (transaction.expiresAt <= now) this.open.delete(id);
    }
  }

  private load({ file, codec }: PersistedTransactions<S>): void {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const stored = storedSchema.parse(JSON.parse(text));
    // Written least recently used first, kept in that order; the bounds apply as on save.
    for (const entry of stored.transactions.slice(-this.maxOpen)) {
      this.open.set(entry.id, {
        id: entry.id,
        lastNonce: new Uint8Array(Buffer.from(entry.lastNonce, 'hex')),
        protection: entry.protection,
        ...(entry.identity !== undefined ? { identity: entry.identity } : {}),
        state: entry.state === undefined ? undefined : codec.decode(entry.state),
        expiresAt: entry.expiresAt,
      });
    }
    this.expire();
  }

  private write(): void {
    if (!this.persisted) return;
    const { file, codec } = this.persisted;
    const transactions = [...this.open.values()].map((t) => ({
      id: t.id,
      lastNonce: Buffer.from(t.lastNonce).toString('hex'),
      protection: t.protection,
      ...(t.identity !== undefined ? { identity: t.identity } : {}),
      ...(t.state !== undefined ? { state: codec.encode(t.state) } : {}),
      expiresAt: t.expiresAt,
    }));
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify({ version: 1, transactions }));
    fs.renameSync(temporary, file);
  }
}
