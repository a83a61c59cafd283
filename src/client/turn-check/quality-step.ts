import type { DataObservation, TurnObservation } from './observations.js';
import { measureRelayQuality, type QualityOptions, qualityNotMeasured } from './quality.js';
import type { QualityObservation } from './quality-summary.js';
import type { TurnSession } from './session.js';

/** True when data step `step` ran and its data arrived as ChannelData. */
function arrivedAsChannelData(out: readonly TurnObservation[], step: DataObservation['step']): boolean {
  return out.some((o) => o.step === step && (o as DataObservation).received === 'channel-data');
}

/**
 * The relay quality measure of one target (issue 15 §3), run after the data steps: only when ChannelData
 * crossed the relay both ways (`channel-data` and `peer-channel-data`), since otherwise a silent stream would
 * say "100 % loss" about a relay that does not carry data at all — then a not-measured observation naming
 * the step that stopped it.
 * @param out the target's observations so far.
 * @param b the peer allocation's client, null when the peer allocation failed.
 */
export async function qualityStep(
  opts: QualityOptions,
  out: readonly TurnObservation[],
  a: TurnSession,
  b: TurnSession | null,
  channel: number,
  signal: AbortSignal,
): Promise<QualityObservation> {
  if (!b) return qualityNotMeasured('the second allocation (the echo peer) failed');
  const both = arrivedAsChannelData(out, 'channel-data') && arrivedAsChannelData(out, 'peer-channel-data');
  if (!both) return qualityNotMeasured('ChannelData did not cross the relay both ways');
  return measureRelayQuality(a, b, channel, opts, signal);
}
