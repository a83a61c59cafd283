import type { DataObservation, TurnObservation } from './observations.js';
import {
  measureRelayQuality,
  type QualityOptions,
  qualityNotMeasured,
  qualityWorstCaseMs,
} from './quality.js';
import type { QualityObservation } from './quality-summary.js';
import type { TurnSession } from './session.js';

/**
 * Time left for the steps after the measure (refresh, delete, the deletion check's polls of up to 2 s, the
 * other family's Allocate), ms: at least this, or as long as the steps before took.
 */
const MIN_AFTER_MS = 2500;

/**
 * The least `--timeout` (ms) in which a stream of `streamMs` can ever be measured: its worst case without
 * the second size round ({@link qualityWorstCaseMs}) plus the least time kept for the steps after it (the
 * steps before it take more).
 */
export function qualityMinTimeoutMs(streamMs: number): number {
  return qualityWorstCaseMs(streamMs, false) + MIN_AFTER_MS;
}

/** True when data step `step` ran and its data arrived as ChannelData. */
function arrivedAsChannelData(out: readonly TurnObservation[], step: DataObservation['step']): boolean {
  return out.some((o) => o.step === step && (o as DataObservation).received === 'channel-data');
}

/**
 * The relay quality measure of one target (issue 15 §3), run after the data steps: only when ChannelData
 * crossed the relay both ways (`channel-data` and `peer-channel-data`), since otherwise a silent stream would
 * say "100 % loss" about a relay that does not carry data at all — then a not-measured observation naming
 * the step that stopped it; and only when the check's deadline leaves time for it and the steps after it
 * (a measure must not turn a passing check into `deadline-exceeded`): its worst case
 * ({@link qualityWorstCaseMs}) with the second size round, or without it (then skipped), else not measured.
 * @param time ms spent on this target so far, and ms left before its deadline.
 * @param out the target's observations so far.
 * @param b the peer allocation's client, null when the peer allocation failed.
 */
export async function qualityStep(
  opts: QualityOptions,
  time: { spentMs: number; leftMs: number },
  out: readonly TurnObservation[],
  a: TurnSession,
  b: TurnSession | null,
  channel: number,
  signal: AbortSignal,
): Promise<QualityObservation> {
  if (!b) return qualityNotMeasured('the second allocation (the echo peer) failed');
  const both = arrivedAsChannelData(out, 'channel-data') && arrivedAsChannelData(out, 'peer-channel-data');
  if (!both) return qualityNotMeasured('ChannelData did not cross the relay both ways');
  const afterMs = Math.max(MIN_AFTER_MS, time.spentMs);
  const needMs = qualityWorstCaseMs(opts.streamMs, false) + afterMs;
  if (time.leftMs < needMs)
    return qualityNotMeasured(
      `not enough time before the deadline (--timeout): ${Math.round(time.leftMs)} ms left, ${Math.round(needMs)} ms needed with the steps after it`,
    );
  return measureRelayQuality(a, b, channel, opts, signal, time.leftMs - afterMs);
}
