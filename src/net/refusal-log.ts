import type { Logger } from 'pino';
import type { RefusedConnection } from './guard-connections.js';

/** Least time between two warn-level lines about refused connections of one listener, in ms. */
export const REFUSAL_WARN_EVERY_MS = 60_000;

/**
 * An `onRefused` for `guardConnections` that cannot flood the log: every refusal at debug level, and at
 * most one warn-level line per {@link REFUSAL_WARN_EVERY_MS} per listener, counting the refusals since the
 * last one (the first refusal warns at once).
 * @param what the listener, e.g. `the report page (HTTP)`.
 * @param now clock in ms (tests).
 */
export function refusalLog(
  log: Logger,
  what: string,
  now: () => number = Date.now,
): (refused: RefusedConnection) => void {
  let lastWarn = Number.NEGATIVE_INFINITY;
  let since = 0;
  return (refused) => {
    since++;
    log.debug({ listener: what, ...refused }, 'connection refused: connection budget');
    if (now() - lastWarn < REFUSAL_WARN_EVERY_MS) return;
    log.warn(
      { listener: what, refused: since, reason: refused.reason, limit: refused.limit },
      'connections refused: connection budget reached (one line per minute at most)',
    );
    lastWarn = now();
    since = 0;
  };
}
