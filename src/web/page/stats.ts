/**
 * The structural shape of W3C webrtc-stats objects (`RTCStats`, webrtc-stats §3), so the page's logic runs on
 * what `RTCPeerConnection.getStats()` yields without DOM types, and on recorded JSON in unit tests.
 */

/** One stats object: `id`, `type` (`transport`, `candidate-pair`, `local-candidate` …) and any other members. */
export type StatsLike = { id: string; type: string; [member: string]: unknown };

/** A string member, or null when absent, empty or not a string. */
export function str(s: StatsLike | undefined, member: string): string | null {
  const v = s?.[member];
  return typeof v === 'string' && v !== '' ? v : null;
}

/** A finite number member, or null. */
export function num(s: StatsLike | undefined, member: string): number | null {
  const v = s?.[member];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The stats as an id → object map (the last one wins for a duplicated id). */
export function byId(stats: Iterable<StatsLike>): Map<string, StatsLike> {
  const map = new Map<string, StatsLike>();
  for (const s of stats) map.set(s.id, s);
  return map;
}
