import type { Logger } from 'pino';
import { logText } from '../shared/log-text.js';
import type { DeliveryRecord, Store } from '../store/types.js';
import { webhookBody } from './webhook-payload.js';
import { sendWebhook, WEBHOOK_TIMEOUT_MS } from './webhook-send.js';

/** Attempts per delivery before it is given up (kept in the store with its last error). */
export const MAX_WEBHOOK_ATTEMPTS = 8;
/** The first retry's delay in ms; each next one doubles (1 s, 2 s, 4 s … 64 s). */
export const FIRST_RETRY_MS = 1000;

/** What {@link startWebhookDispatcher} takes. */
export interface WebhookDispatcherOptions {
  readonly store: Store;
  /** The HMAC key (`serve --webhook-secret-file`'s content). */
  readonly secret: Buffer;
  /** Epoch ms now. */
  readonly now: () => number;
  readonly log: Logger;
  /** Pause between two rounds, in ms (default 500). */
  readonly intervalMs?: number;
  /** Deliveries claimed per round (default 16), sent in parallel. */
  readonly batch?: number;
}

/** A running dispatcher. */
export interface WebhookDispatcher {
  /** Stops the loop, aborts attempts in flight (their leases run out; another round retries them). Idempotent. */
  close(): Promise<void>;
}

/**
 * When a delivery whose attempt number `attempt` (1-based) just failed is tried again, in epoch ms, or null
 * when it is given up ({@link MAX_WEBHOOK_ATTEMPTS}): 1 s after the first, 2 s after the second, 4 s …
 */
export function nextAttemptAt(attempt: number, nowMs: number): number | null {
  return attempt >= MAX_WEBHOOK_ATTEMPTS ? null : nowMs + FIRST_RETRY_MS * 2 ** (attempt - 1);
}

/**
 * Starts the webhook loop of a report server: every `intervalMs` (after the previous round ended) it claims
 * the due deliveries from the store with a lease longer than an attempt (`claimDueDeliveries`, so two
 * servers on one PostgreSQL never send the same one at once), POSTs each signed report
 * (webhook-send.ts: 5-s timeout, no redirects) and records the outcome (`finishDelivery`): delivered on a
 * 2xx, else retried with the backoff of {@link nextAttemptAt}, given up after 8 attempts with the error kept.
 * A delivery whose report is gone (retention) is given up at once. Store errors are logged, never thrown;
 * the loop runs until {@link WebhookDispatcher.close}.
 */
export function startWebhookDispatcher(opts: WebhookDispatcherOptions): WebhookDispatcher {
  const intervalMs = opts.intervalMs ?? 500;
  const batch = opts.batch ?? 16;
  const leaseMs = WEBHOOK_TIMEOUT_MS * 6;
  const stop = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let round: Promise<void> = Promise.resolve();

  const deliver = async (d: DeliveryRecord): Promise<void> => {
    const stored = await opts.store.getReport(d.reportId);
    if (stored === null) {
      await opts.store.finishDelivery(d.id, {
        ok: false,
        error: 'the report was deleted',
        nextAttemptAtMs: null,
      });
      return;
    }
    const body = webhookBody(stored.summary, stored.reportJson);
    const outcome = await sendWebhook(d.url, body, opts.secret, Math.floor(opts.now() / 1000), stop.signal);
    // An answer that came in as the server closed is still recorded (a 2xx is not sent again); only an
    // attempt cut short by the close is left to its lease, and retried then.
    if (!outcome.ok && stop.signal.aborted) return;
    const attempt = d.attempts + 1;
    if (outcome.ok) {
      opts.log.info({ report: d.reportId, attempt }, 'webhook delivered');
      await opts.store.finishDelivery(d.id, { ok: true });
      return;
    }
    const next = nextAttemptAt(attempt, opts.now());
    opts.log.warn(
      { report: d.reportId, attempt, error: logText(outcome.error), givenUp: next === null },
      'webhook attempt failed',
    );
    await opts.store.finishDelivery(d.id, { ok: false, error: outcome.error, nextAttemptAtMs: next });
  };

  const runRound = async (): Promise<void> => {
    try {
      const due = await opts.store.claimDueDeliveries(opts.now(), leaseMs, batch);
      await Promise.all(
        due.map((d) =>
          deliver(d).catch((err: unknown) => opts.log.error({ err }, 'webhook delivery failed')),
        ),
      );
    } catch (err) {
      opts.log.error({ err }, 'webhook round failed');
    }
  };

  const schedule = (): void => {
    if (stop.signal.aborted) return;
    timer = setTimeout(() => {
      round = runRound().then(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();

  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        stop.abort();
        if (timer) clearTimeout(timer);
        await round;
      })();
      return closing;
    },
  };
}
