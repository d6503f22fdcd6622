// A bounded memo keyed by byte strings (certificate DER): what is derived from a certificate's
// bytes alone (OpenSSL's parse, a structural check) is worked out once while the certificate
// keeps coming back, as CA certificates and trust bundles do in every store build and every CMP
// answer. The least recently used entry goes first once `limit` entries are held.
export class RecentByBytes<T> {
  private readonly entries = new Map<string, T>();

  /**
   * `limit` entries of at most `maxBytes` each (larger inputs are computed every time, so the
   * memory held stays under limit × maxBytes whatever a Secret or a CA sends).
   */
  constructor(
    readonly limit: number,
    readonly maxBytes = 16 * 1024,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  }

  /** The value remembered for `bytes`, or `compute()`'s (remembered unless it throws or `bytes` is over maxBytes). */
  get(bytes: Uint8Array, compute: () => T): T {
    if (bytes.byteLength > this.maxBytes) return compute();
    const id = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    if (this.entries.has(id)) {
      const value = this.entries.get(id) as T;
      this.entries.delete(id); // re-inserted below: most recently used last
      this.entries.set(id, value);
      return value;
    }
    const value = compute();
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(id, value);
    return value;
  }

  has(bytes: Uint8Array): boolean {
    return this.entries.has(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
  }

  get size(): number {
    return this.entries.size;
  }
}
