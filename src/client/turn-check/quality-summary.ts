import type { RelayQuality, RttPercentiles } from '../../report/turn-quality-schema.js';
import { percentile } from '../../shared/percentile.js';
import { reportedMs } from '../transport/rtt.js';

/** One datagram size tried through the relay: application payload in bytes, and whether it came back. */
export interface SizeTried {
  bytes: number;
  ok: boolean;
}

/**
 * What the relay quality measure saw (`measureRelayQuality`); judged by {@link summariseQuality} and
 * `judgeQuality`.
 */
export interface QualityObservation {
  /** Round-trip time per stream probe, ms, in send order; null for a probe whose echo did not come back. */
  rttsMs: (number | null)[];
  /** Interval between probes, ms. */
  intervalMs: number;
  /** Payload of each stream probe, bytes. */
  probeBytes: number;
  /** Wall time of the whole measure, ms. */
  durationMs: number;
  /** The datagram sizes tried, in any order. */
  sizes: SizeTried[];
  /** Why the measure did not run or was cut short, or null. */
  reason: string | null;
  /** True when the check's deadline ended the measure early: no loss or size verdict from it. */
  cutShort: boolean;
}

/** Loss in %, to 0.1; null when nothing was sent. */
function lossPercent(sent: number, received: number): number | null {
  return sent === 0 ? null : Math.round(((sent - received) / sent) * 1000) / 10;
}

/** p50/p90/p99 (nearest rank) and min/max of the answered probes, ms; null with fewer than 2. */
function rttPercentiles(rtts: readonly number[]): RttPercentiles | null {
  if (rtts.length < 2) return null;
  const sorted = [...rtts].sort((x, y) => x - y);
  const at = (p: number): number => reportedMs(percentile(sorted, p))!;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), min: at(0), max: reportedMs(sorted.at(-1)!)! };
}

/**
 * Mean absolute difference of the RTTs of consecutive answered probes in send order (lost ones skipped),
 * ms — the delay variation RFC 3550 §6.4.1 smooths with gain 1/16, here unsmoothed over a short stream;
 * null with fewer than 3 answered probes.
 */
export function jitterMs(rttsInSendOrder: readonly number[]): number | null {
  if (rttsInSendOrder.length < 3) return null;
  let sum = 0;
  for (let i = 1; i < rttsInSendOrder.length; i++)
    sum += Math.abs(rttsInSendOrder[i]! - rttsInSendOrder[i - 1]!);
  return reportedMs(sum / (rttsInSendOrder.length - 1));
}

/**
 * The largest size (bytes) that came back together with every smaller size tried, or null when the smallest
 * did not. Not simply the largest that came back: a host fragments datagrams over its own link's MTU itself
 * and those fragments pass a path that black-holes whole datagrams between the two MTUs (measured in the NAT
 * lab: 1472 and 1500 came back over a 1100-byte link, 1200–1468 did not).
 * @param sizes in any order.
 */
export function largestContiguous(sizes: readonly SizeTried[]): number | null {
  let largest: number | null = null;
  for (const s of [...sizes].sort((x, y) => x.bytes - y.bytes)) {
    if (!s.ok) break;
    largest = s.bytes;
  }
  return largest;
}

/**
 * The report's `quality` (turn-quality-schema.ts) of one measure (pure): sent/received, loss %, RTT
 * percentiles and jitter (ms, to 0.01), {@link largestContiguous} (bytes) and every size tried,
 * ascending. Null values where there is too little to say; `reason` carried over.
 */
export function summariseQuality(o: QualityObservation): RelayQuality {
  const answered = o.rttsMs.filter((r): r is number => r !== null);
  const sizes = [...o.sizes].sort((x, y) => x.bytes - y.bytes);
  return {
    sent: o.rttsMs.length,
    received: answered.length,
    lossPercent: lossPercent(o.rttsMs.length, answered.length),
    rttMs: rttPercentiles(answered),
    jitterMs: jitterMs(answered),
    intervalMs: o.intervalMs,
    durationMs: reportedMs(o.durationMs)!,
    maxDatagramBytes: largestContiguous(sizes),
    datagramSizes: sizes,
    reason: o.reason,
    probeBytes: o.probeBytes,
    ...(o.cutShort && { cutShort: true }),
  };
}
