// Open CMP transactions of the server, keyed by transactionID. A transaction remembers the last
// senderNonce we sent (the client must echo it as recipNonce), how the client authenticated,
// and the behaviour's own state. Bounded in time and count so no client can exhaust memory.

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

export interface TransactionStoreOptions {
  /** How long an idle transaction is kept (default 10 minutes). */
  idleMs?: number;
  /** At most this many transactions are kept; the oldest are dropped first (default 10000). */
  maxOpen?: number;
  now?: () => number;
}

export class TransactionStore<S> {
  private readonly open = new Map<string, Transaction<S>>();
  private readonly idleMs: number;
  private readonly maxOpen: number;
  private readonly now: () => number;

  constructor(options: TransactionStoreOptions = {}) {
    this.idleMs = options.idleMs ?? 10 * 60 * 1000;
    this.maxOpen = options.maxOpen ?? 10_000;
    this.now = options.now ?? Date.now;
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
}
