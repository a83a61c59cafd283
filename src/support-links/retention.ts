import type { Logger } from 'pino';
import type { Store } from '../store/types.js';

/** How often the retention sweep runs, in ms (one hour). */
export const RETENTION_SWEEP_MS = 3_600_000;

/** What {@link startRetention} takes. */
export interface RetentionOptions {
  readonly store: Store;
  /** How long a report is kept after it was received, in ms; 0 keeps reports forever. */
  readonly retentionMs: number;
  /** Epoch ms now. */
  readonly now: () => number;
  readonly log: Logger;
  /** Between two sweeps, in ms (default {@link RETENTION_SWEEP_MS}). */
  readonly everyMs?: number;
}

/** A running retention sweep. */
export interface Retention {
  /** The sweep run at start; resolves with the reports it deleted. */
  readonly first: Promise<number>;
  /** One sweep now, after any sweep in flight (also what the timer runs); resolves with the reports deleted. Store errors are logged, 0. */
  sweep(): Promise<number>;
  /** Stops the timer and waits for a sweep in flight. Idempotent. */
  close(): Promise<void>;
}

/**
 * `serve --retention`: deletes the reports received more than `retentionMs` ago (`deleteReportsBefore`,
 * their webhook deliveries with them) and the expired dashboard sessions (`deleteExpiredSessions`), once
 * now and then every `everyMs` (an unref'd timer: it never keeps the process alive), until closed.
 */
export function startRetention(opts: RetentionOptions): Retention {
  let inFlight: Promise<number> = Promise.resolve(0);
  const sweep = (): Promise<number> => {
    inFlight = inFlight.then(async () => {
      try {
        const nowMs = opts.now();
        const reports =
          opts.retentionMs > 0 ? await opts.store.deleteReportsBefore(nowMs - opts.retentionMs) : 0;
        const sessions = await opts.store.deleteExpiredSessions(nowMs);
        if (reports > 0 || sessions > 0) opts.log.info({ reports, sessions }, 'retention: deleted');
        return reports;
      } catch (err) {
        opts.log.error({ err }, 'retention sweep failed');
        return 0;
      }
    });
    return inFlight;
  };
  const first = sweep();
  const timer = setInterval(() => void sweep(), opts.everyMs ?? RETENTION_SWEEP_MS);
  timer.unref();
  return {
    first,
    sweep,
    async close() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
