/** How long a response is kept for retransmissions, in ms: RFC 8489 §6.3.1 asks for ~Ti = 39.5 s over UDP. */
export const TRANSACTION_CACHE_MS = 40_000;
/** Most responses kept at once; beyond it the oldest are dropped (a flood cannot grow memory without bound). */
export const TRANSACTION_CACHE_MAX = 20_000;

/** `bytes` copied into memory of its own (not from the buffer pool), exactly as large as it. */
function ownCopy(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

interface Entry {
  bytes: Buffer;
  expiresAtMs: number;
}

/**
 * Responses to authenticated TURN requests by 5-tuple + transaction ID, so that a retransmitted request is
 * answered with the same bytes instead of being processed twice (RFC 8489 §6.3.1; RFC 8656 §7.2 for
 * Allocate, where a second processing would answer 437). Insertion-ordered, bounded in size and age.
 */
export class TransactionCache {
  private readonly entries = new Map<string, Entry>();

  /** The key of one transaction: the client's 5-tuple key and the 12-byte transaction ID. */
  static key(fiveTuple: string, transactionId: Buffer): string {
    return `${fiveTuple} ${transactionId.toString('hex')}`;
  }

  /** The response already sent for this transaction, or `undefined` when it is new (or expired). */
  lookup(key: string, nowMs: number): Buffer | undefined {
    const e = this.entries.get(key);
    if (!e || e.expiresAtMs <= nowMs) return undefined;
    return e.bytes;
  }

  /**
   * Records a transaction's response, as a copy in memory of its own: a response is usually a slice of Node's shared 8 KiB buffer pool, and keeping the slice would
   * keep the whole pool chunk, with other requests' bytes, for {@link TRANSACTION_CACHE_MS} (measured:
   * 1.6–3.6 KiB per cached response under a fuzzing load, up to 8 KiB each in the worst case).
   */
  store(key: string, bytes: Buffer, nowMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { bytes: ownCopy(bytes), expiresAtMs: nowMs + TRANSACTION_CACHE_MS });
    if (this.entries.size > TRANSACTION_CACHE_MAX) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** Drops expired entries; entries are in insertion order, so it stops at the first live one. */
  sweep(nowMs: number): void {
    for (const [key, e] of this.entries) {
      if (e.expiresAtMs > nowMs) break;
      this.entries.delete(key);
    }
  }

  /** Responses held now. */
  get size(): number {
    return this.entries.size;
  }
}
