/**
 * A token bucket (RFC 2697's single-rate idea, without colours): `burst` tokens at most, refilled at
 * `ratePerS` tokens per second; each message takes one. O(1), no timer: it refills lazily on `take`.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  /**
   * @param ratePerS refill rate, tokens per second (> 0).
   * @param burst capacity, tokens (≥ 1); the bucket starts full.
   * @param nowMs clock, ms (default `performance.now()`).
   */
  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    nowMs: number = performance.now(),
  ) {
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  /** Takes one token; false when the bucket is empty (the message is over the rate). */
  take(nowMs: number = performance.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) / 1000) * this.ratePerS);
    this.lastMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
