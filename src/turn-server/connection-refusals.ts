import type { Logger } from 'pino';
import type { RefusedConnection } from '../net/guard-connections.js';
import { clientKey } from './auth-limiter.js';

/** At most one warn line per client within this long, in ms; every refusal is logged at debug level. */
export const REFUSAL_WARN_EVERY_MS = 60_000;
/** Clients remembered for {@link REFUSAL_WARN_EVERY_MS}; beyond it the memory starts afresh. */
const MAX_CLIENTS_REMEMBERED = 10_000;

/**
 * The `onRefused` of `guardConnections` for the TURN stream listeners: each refused connection is logged
 * at debug level; a client (`clientKey`: an IPv4 address, an IPv6 /64) gets one warn line with the limit
 * it reached at most every {@link REFUSAL_WARN_EVERY_MS}, so an attacker opening thousands of connections
 * cannot flood the log. Memory: at most {@link MAX_CLIENTS_REMEMBERED} clients (about 1 MB).
 * @param transport `tcp` or `tls`, for the log lines.
 * @param nowMs the clock (ms), for tests.
 */
export function connectionRefusalLogger(
  log: Logger,
  transport: 'tcp' | 'tls',
  nowMs: () => number = Date.now,
): (refused: RefusedConnection) => void {
  const warnedAt = new Map<string, number>();
  return ({ reason, limit, ip }) => {
    const fields = { transport, reason, limit, remote: ip };
    log.debug(fields, 'connection refused: connection budget reached');
    if (ip === undefined) return;
    const key = clientKey(ip);
    const now = nowMs();
    const last = warnedAt.get(key);
    if (last !== undefined && now - last < REFUSAL_WARN_EVERY_MS) return;
    if (warnedAt.size >= MAX_CLIENTS_REMEMBERED) warnedAt.clear();
    warnedAt.set(key, now);
    log.warn(
      fields,
      reason === 'per-ip'
        ? `connections refused: client ${key} holds ${limit} (--max-connections-per-ip); next warning for it in 60 s at the earliest`
        : `connections refused: the process holds ${limit}, all its descriptor limit allows; next warning for this client in 60 s at the earliest`,
    );
  };
}
