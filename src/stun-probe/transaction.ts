import type { TransportAddress } from '../stun/address.js';
import type { StunMessage } from '../stun/message.js';

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
