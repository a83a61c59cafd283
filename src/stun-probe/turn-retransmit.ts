import { type RttEstimator, UNCALIBRATED_RTO_MS } from './rtt.js';
import { nextDeadlineOffsetMs, PROBE_POLICY } from './transaction.js';

/**
 * How long a reliable transport (TCP/TLS) waits for an answer, in ms: the time the UDP schedule takes to
 * declare silence before any RTT is known (11 × 250 ms = 2750 ms), so every transport fails equally fast.
 */
export const STREAM_WAIT_MS = nextDeadlineOffsetMs(PROBE_POLICY.rc, UNCALIBRATED_RTO_MS, PROBE_POLICY);

/** How a {@link sendUntil} ended: the value it waited for, or why not. */
export interface SendUntilResult<T> {
  value: T | null;
  /** `timeout` (nothing within the schedule), `aborted` (the check's deadline) or the link's failure text. */
  failure: string | null;
  /** How many times `send` ran. */
  sent: number;
  /** From the first send to the value or to giving up, in ms. */
  elapsedMs: number;
  /** From the last send to the value, in ms (null without a value). */
  sinceLastSendMs: number | null;
}

/** What {@link sendUntil} needs: how to send, how to hear the answer, and the path's clocks. */
export interface SendUntilOptions<T> {
  send: () => void;
  /**
   * Starts listening: call `done(value)` when the answer arrives, `fail(reason)` when the link died.
   * @returns a function that stops listening.
   */
  listen: (done: (value: T) => void, fail: (reason: string) => void) => () => void;
  /** True over TCP/TLS: send once and wait {@link STREAM_WAIT_MS}. */
  reliable: boolean;
  rtt: RttEstimator;
  signal: AbortSignal;
}

/**
 * Sends on the RFC 8489 §6.2.1 schedule until an answer arrives: over UDP `PROBE_POLICY.rc` (4) sends at
 * 0, RTO, 3·RTO, 7·RTO with the RTO read live from `rtt`, silence declared at 11·RTO (2.75 s before the path
 * is calibrated); over TCP/TLS one send and a wait of {@link STREAM_WAIT_MS} (§6.2.2). A reply to the first
 * send feeds `rtt` (Karn's rule). Never rejects.
 */
export function sendUntil<T>(opts: SendUntilOptions<T>): Promise<SendUntilResult<T>> {
  const start = performance.now();
  let lastSend = start;
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  return new Promise((resolve) => {
    let stopListening = (): void => undefined;
    let unsubscribe = (): void => undefined;
    let settled = false;
    const finish = (value: T | null, failure: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopListening();
      unsubscribe();
      opts.signal.removeEventListener('abort', onAbort);
      const now = performance.now();
      if (value !== null && sent === 1 && !opts.reliable) opts.rtt.observe(now - lastSend);
      resolve({
        value,
        failure,
        sent,
        elapsedMs: now - start,
        sinceLastSendMs: value === null ? null : now - lastSend,
      });
    };
    const onAbort = (): void => finish(null, 'aborted');
    const dueAt = (): number =>
      start + (opts.reliable ? STREAM_WAIT_MS : nextDeadlineOffsetMs(sent, opts.rtt.rtoMs, PROBE_POLICY));
    const schedule = (): void => {
      clearTimeout(timer);
      timer = setTimeout(tick, Math.max(0, dueAt() - performance.now()));
    };
    const tick = (): void => {
      if (opts.reliable || sent >= PROBE_POLICY.rc) {
        finish(null, 'timeout');
        return;
      }
      lastSend = performance.now();
      sent++;
      opts.send();
      schedule();
    };
    if (opts.signal.aborted) {
      onAbort();
      return;
    }
    opts.signal.addEventListener('abort', onAbort, { once: true });
    stopListening = opts.listen(
      (value) => finish(value, null),
      (reason) => finish(null, reason),
    );
    if (settled) return;
    if (!opts.reliable) unsubscribe = opts.rtt.onChange(schedule);
    sent = 1;
    opts.send();
    schedule();
  });
}
