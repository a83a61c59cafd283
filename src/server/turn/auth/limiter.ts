import { clientKey } from '../../../net/client-key.js';
/**
 * Brute-force protection of the long-term credential mechanism (RFC 8489 §9.2): per client, failed
 * authentications are counted, and beyond a limit the server stops checking that client's passwords for a
 * while. Only failures that carried a valid nonce count: this server's nonces are bound to the client's IP
 * and can only be learnt from a 401/438 sent to that IP, so a flood with spoofed source addresses cannot
 * put a victim over the limit (RFC 8489 §16.1's off-path attacker never sees the nonce).
 */

/** Settings of an {@link AuthFailureLimiter}. */
export interface AuthLimitSettings {
  /** Failed authentications per client within {@link windowMs} that start a block; 0 turns the limiter off. */
  failureLimit: number;
  /** Length of the counting window, in ms; it starts at a client's first failure. */
  windowMs: number;
  /** How long a blocked client's password checks stay suspended, in ms. */
  blockMs: number;
  /** Most clients tracked at once; beyond it the one that failed least recently is forgotten. */
  maxClients: number;
}

/**
 * 20 failures within 60 s block a client for 60 s; at most 10,000 clients are tracked (about 2.5 MB at most).
 * A legitimate client fails once per mistyped password, an attacker is held to 20 guesses per 2 minutes.
 */
export const DEFAULT_AUTH_LIMIT: AuthLimitSettings = Object.freeze({
  failureLimit: 20,
  windowMs: 60_000,
  blockMs: 60_000,
  maxClients: 10_000,
});

/** Called once when a client becomes blocked, with its key and the failures counted in its window. */
export type BlockListener = (client: string, failures: number) => void;

interface ClientFailures {
  windowStartMs: number;
  failures: number;
  /** 0 while not blocked. */
  blockedUntilMs: number;
}

/**
 * Counts failed authentications per client ({@link clientKey}) in a fixed window that starts at the
 * client's first failure; the failure that reaches {@link AuthLimitSettings.failureLimit} blocks the
 * client for {@link AuthLimitSettings.blockMs}, after which it starts afresh. A success does not reset the
 * count (or an attacker holding one account could interleave it between guesses at another). Memory is
 * bounded by {@link AuthLimitSettings.maxClients}: the table is kept in order of last failure and the
 * oldest entry is evicted when a new client would exceed it; entries whose window and block are over are
 * dropped when next looked up. No timers; every operation is O(1).
 */
export class AuthFailureLimiter {
  private readonly clients = new Map<string, ClientFailures>();

  /**
   * @param settings limits; `failureLimit` must be at least 1 (a caller with 0 creates no limiter).
   * @param onBlock called once per block, when it starts (for a log line and a metric).
   */
  constructor(
    private readonly settings: AuthLimitSettings,
    private readonly onBlock: BlockListener = () => undefined,
  ) {}

  /** Clients tracked now (for tests and memory accounting). */
  get size(): number {
    return this.clients.size;
  }

  /** Whether `entry` is blocked at `nowMs`; a clock stepped back cannot lengthen a block. */
  private isBlocked(entry: ClientFailures, nowMs: number): boolean {
    return nowMs < entry.blockedUntilMs && entry.blockedUntilMs - nowMs <= this.settings.blockMs;
  }

  /** Whether `entry`'s window and block are both over at `nowMs`. */
  private isOver(entry: ClientFailures, nowMs: number): boolean {
    if (entry.blockedUntilMs > 0) return !this.isBlocked(entry, nowMs);
    const age = nowMs - entry.windowStartMs;
    return age >= this.settings.windowMs || age < 0;
  }

  /**
   * Whether password checks for `ip` are suspended at `nowMs` (ms since the epoch). Allocates nothing
   * while no client is tracked.
   */
  blocked(ip: string, nowMs: number): boolean {
    if (this.clients.size === 0) return false;
    const key = clientKey(ip);
    const entry = this.clients.get(key);
    if (!entry) return false;
    if (this.isBlocked(entry, nowMs)) return true;
    if (this.isOver(entry, nowMs)) this.clients.delete(key);
    return false;
  }

  /**
   * Records one failed authentication of `ip` at `nowMs` (ms since the epoch).
   * @returns true when this failure started a block (the listener has then been called).
   */
  fail(ip: string, nowMs: number): boolean {
    const key = clientKey(ip);
    const known = this.clients.get(key);
    if (known) this.clients.delete(key);
    else if (this.clients.size >= this.settings.maxClients) {
      const oldest = this.clients.keys().next();
      if (!oldest.done) this.clients.delete(oldest.value);
    }
    const entry =
      known && !this.isOver(known, nowMs) ? known : { windowStartMs: nowMs, failures: 0, blockedUntilMs: 0 };
    this.clients.set(key, entry);
    if (this.isBlocked(entry, nowMs)) return false;
    entry.failures++;
    if (entry.failures < this.settings.failureLimit) return false;
    entry.blockedUntilMs = nowMs + this.settings.blockMs;
    this.onBlock(key, entry.failures);
    return true;
  }
}
