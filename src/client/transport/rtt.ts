/** Bounds of the adapted retransmission timeout, in ms. */
export const MIN_RTO_MS = 15;
export const MAX_RTO_MS = 3000;
/** RTO used before any reply has calibrated the path: RFC 8489 §6.2.1 recommends 500 ms; we start at 250. */
export const UNCALIBRATED_RTO_MS = 250;

/**
 * Shared estimate of the path's round-trip time, fed by every unambiguous reply (Karn's rule: only
 * transactions answered after their first send) over UDP, TCP or TLS, and read by every pending
 * transaction. RTO = SRTT + 4·RTTVAR (RFC 6298 §2, as RFC 8489 §6.2.1 asks), clamped to
 * [{@link MIN_RTO_MS}, {@link MAX_RTO_MS}]. Listeners are told when the RTO changes, so a transaction
 * started uncalibrated can shorten its wait once the path is measured.
 */
export class RttEstimator {
  private srttMs: number | null = null;
  private rttvarMs = 0;
  private readonly listeners = new Set<() => void>();

  /** Adds one RTT sample in ms. */
  observe(rttMs: number): void {
    if (this.srttMs === null) {
      this.srttMs = rttMs;
      this.rttvarMs = rttMs / 2;
    } else {
      this.rttvarMs = 0.75 * this.rttvarMs + 0.25 * Math.abs(this.srttMs - rttMs);
      this.srttMs = 0.875 * this.srttMs + 0.125 * rttMs;
    }
    for (const l of this.listeners) l();
  }

  /** True once at least one sample arrived. */
  get calibrated(): boolean {
    return this.srttMs !== null;
  }

  /** Current RTO in ms. */
  get rtoMs(): number {
    if (this.srttMs === null) return UNCALIBRATED_RTO_MS;
    return Math.min(MAX_RTO_MS, Math.max(MIN_RTO_MS, this.srttMs + 4 * this.rttvarMs));
  }

  /** Registers a listener called after each sample; returns a function that removes it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** An RTT as reported: ms rounded to 0.01 ms (sub-millisecond paths stay visible); null stays null. */
export function reportedMs(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms * 100) / 100;
}
