import type { Logger } from 'pino';
import { clientKey } from './client-key.js';
import type { RefusedConnection } from './guard-connections.js';
import { TokenBucket } from './token-bucket.js';

/** How often one client may cause a summary line, in ms. */
export const REFUSAL_SUMMARY_INTERVAL_MS = 60_000;
/** Clients remembered at once; the one refused longest ago is forgotten first. */
export const REFUSAL_SUMMARY_MAX_CLIENTS = 10_000;
/** Summary lines over all clients: at most this many in a row, then one per {@link REFUSAL_LINE_EVERY_MS}. */
export const REFUSAL_LINE_BURST = 10;
/** The sustained pace of summary lines over all clients, one per this many ms. */
export const REFUSAL_LINE_EVERY_MS = 1000;

interface ClientRefusals {
  /** When this client's last summary line was written, ms (`nowMs` clock). */
  lineAtMs: number;
  /** Refusals since that line. */
  unlogged: number;
}

/**
 * Logs refusals an attacker can cause at will (a refused WebSocket upgrade, a connection over the
 * connection budget) without letting one client
 * fill the log: each refusal at debug level (the caller's fields, which must already be short and escaped,
 * see `logText`), and at warn level a summary line at most once per client ({@link clientKey}) per
 * {@link REFUSAL_SUMMARY_INTERVAL_MS}: the first refusal, then the next one after the interval with
 * `refused`, the count since the previous line. Summary lines over all clients are paced too (a burst of
 * {@link REFUSAL_LINE_BURST}, then one per {@link REFUSAL_LINE_EVERY_MS}); a line held back by that pace
 * is counted in the next one's `linesHeldBack`. Memory: at most {@link REFUSAL_SUMMARY_MAX_CLIENTS}
 * clients. No timers; O(1) per refusal.
 */
export class RefusalLog {
  private readonly clients = new Map<string, ClientRefusals>();
  private readonly lines: TokenBucket;
  private heldBack = 0;

  /**
   * @param message the summary line's message, e.g. `signaling upgrades refused`.
   * @param nowMs the clock, ms (default `performance.now()`).
   */
  constructor(
    private readonly log: Logger,
    private readonly message: string,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    this.lines = new TokenBucket(1000 / REFUSAL_LINE_EVERY_MS, REFUSAL_LINE_BURST, nowMs());
  }

  /**
   * Records one refusal of `ip` (the socket's remote address; unknown: `undefined`).
   * @param fields what to log about it (already passed through `logText`), e.g. `{status, reason, origin}`.
   */
  refused(ip: string | undefined, fields: Record<string, unknown>): void {
    const client = ip === undefined ? 'unknown' : clientKey(ip);
    this.log.debug({ client, ...fields }, `${this.message}: one refusal`);
    const now = this.nowMs();
    const known = this.clients.get(client);
    if (known !== undefined) {
      this.clients.delete(client);
      known.unlogged += 1;
      this.clients.set(client, known);
      if (now - known.lineAtMs < REFUSAL_SUMMARY_INTERVAL_MS) return;
      if (!this.takeLine(now)) return;
      this.log.warn(
        {
          client,
          refused: known.unlogged,
          sinceS: Math.round((now - known.lineAtMs) / 1000),
          ...this.held(),
          ...fields,
        },
        this.message,
      );
      known.lineAtMs = now;
      known.unlogged = 0;
      return;
    }
    if (this.clients.size >= REFUSAL_SUMMARY_MAX_CLIENTS) {
      const oldest = this.clients.keys().next().value;
      if (oldest !== undefined) this.clients.delete(oldest);
    }
    if (!this.takeLine(now)) {
      this.clients.set(client, { lineAtMs: now - REFUSAL_SUMMARY_INTERVAL_MS, unlogged: 1 });
      return;
    }
    this.clients.set(client, { lineAtMs: now, unlogged: 0 });
    this.log.warn({ client, refused: 1, ...this.held(), ...fields }, this.message);
  }

  /** Clients remembered now (for tests). */
  get size(): number {
    return this.clients.size;
  }

  private held(): { linesHeldBack?: number } {
    if (this.heldBack === 0) return {};
    const linesHeldBack = this.heldBack;
    this.heldBack = 0;
    return { linesHeldBack };
  }

  /** Takes one line from the global pace; false (and counted as held back) when none is left. */
  private takeLine(now: number): boolean {
    if (this.lines.take(now)) return true;
    this.heldBack += 1;
    return false;
  }
}

/** The summary line of connections the connection budget refused (see {@link budgetRefusals}). */
export const CONNECTIONS_REFUSED_MESSAGE = 'connections refused: connection budget';

/**
 * The `onRefused` of `guardConnections` for one listener: each connection over the process's total or its
 * client's share (`--max-connections-per-ip`) goes to a {@link RefusalLog} of its own with the listener's
 * name, the limit reached (`per-ip` or `total`) and the limit.
 * @param listener the listener's name for the log, e.g. `TURN over TLS`, `the report page (HTTP)`.
 */
export function budgetRefusals(log: Logger, listener: string): (refused: RefusedConnection) => void {
  const refusals = new RefusalLog(log, CONNECTIONS_REFUSED_MESSAGE);
  return ({ reason, limit, ip }) => refusals.refused(ip, { listener, reason, limit });
}
