import type { TransportAddress } from '../../wire/address.js';
import type { StunMessage } from '../../wire/message.js';
import { type RttEstimator, UNCALIBRATED_RTO_MS } from './rtt.js';

/** Retransmission parameters (RFC 8489 §6.2.1): `rc` requests in all, then wait `rm` × RTO. */
export interface RetransmitPolicy {
  /** Requests sent in all (RFC default 7; the probe uses 4 with an RTT-adapted RTO). */
  rc: number;
  /** Multiple of the RTO waited after the last request (RFC default 16). */
  rm: number;
}

/** The probe's policy: 4 sends at 0, RTO, 3·RTO, 7·RTO; silence declared at 11·RTO. */
export const PROBE_POLICY: RetransmitPolicy = { rc: 4, rm: 4 };

/** The outcome of one request/response exchange. */
export interface TransactionResult {
  requestsSent: number;
  /** The matching response (success or error class), or null on silence. */
  response: StunMessage | null;
  /** Where the response came from, as the socket saw it. */
  source: TransportAddress | null;
  /** RTT in ms from the most recent send before the reply (exact when `requestsSent` is 1). */
  rttMs: number | null;
  /** Time from the first send to the reply or to giving up, in ms. */
  elapsedMs: number;
  /** Why no response: `'timeout'` (silence for the whole schedule), `'aborted'` (probe deadline), or a socket error. */
  failure: string | null;
}

/**
 * Offset in ms from the first send at which send number `sent` (0-based count already sent) is due, or
 * when the transaction gives up when all `rc` are sent (RFC 8489 §6.2.1: RTO doubles each time).
 */
export function nextDeadlineOffsetMs(sent: number, rtoMs: number, policy: RetransmitPolicy): number {
  if (sent < policy.rc) return rtoMs * (2 ** sent - 1);
  return rtoMs * (2 ** (policy.rc - 1) - 1) + policy.rm * rtoMs;
}

/**
 * How long a reliable transport (TCP/TLS) waits for an answer, in ms: the time the UDP schedule takes to
 * declare silence before any RTT is known (11 × 250 ms = 2750 ms), so every transport fails equally fast.
 */
export const STREAM_WAIT_MS = nextDeadlineOffsetMs(PROBE_POLICY.rc, UNCALIBRATED_RTO_MS, PROBE_POLICY);

/** How a {@link sendUntil} ended: the value it waited for, or why not. */
export interface SendUntilResult<T> {
  value: T | null;
  /** `timeout` (nothing within the schedule), `aborted` (the signal: a deadline) or the link's failure text. */
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
  /** The UDP schedule; {@link PROBE_POLICY} when omitted. */
  policy?: RetransmitPolicy;
}

/**
 * Sends on the RFC 8489 §6.2.1 schedule until an answer arrives: over UDP `policy.rc` sends (by default
 * `PROBE_POLICY.rc`, 4: at 0, RTO, 3·RTO, 7·RTO) with the RTO read live from `rtt`, silence declared at
 * 11·RTO (2.75 s before the path is calibrated); over TCP/TLS one send and a wait of {@link STREAM_WAIT_MS}
 * (§6.2.2). A reply to the first send feeds `rtt` (Karn's rule). The loop of every client transaction: STUN
 * over UDP (`StunUdpClient.transact`), TURN requests, and data sent through a relay. Never rejects.
 */
export function sendUntil<T>(opts: SendUntilOptions<T>): Promise<SendUntilResult<T>> {
  const policy = opts.policy ?? PROBE_POLICY;
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
      start + (opts.reliable ? STREAM_WAIT_MS : nextDeadlineOffsetMs(sent, opts.rtt.rtoMs, policy));
    const schedule = (): void => {
      clearTimeout(timer);
      timer = setTimeout(tick, Math.max(0, dueAt() - performance.now()));
    };
    const tick = (): void => {
      if (opts.reliable || sent >= policy.rc) {
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
