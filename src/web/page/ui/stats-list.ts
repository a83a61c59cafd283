import type { StatsLike } from '../stats.js';

/**
 * Reads `pc.getStats()` (W3C webrtc-stats §5) as plain {@link StatsLike} objects for the page's pure logic
 * (selected-pair.ts). Entries without a string `id` and `type` are skipped.
 * @throws whatever `getStats()` rejects with (e.g. `InvalidStateError` on a closed connection).
 */
export async function readStats(pc: RTCPeerConnection): Promise<StatsLike[]> {
  const report = await pc.getStats();
  const out: StatsLike[] = [];
  report.forEach((value: unknown) => {
    if (value === null || typeof value !== 'object') return;
    const entry: Record<string, unknown> = { ...value };
    const { id, type } = entry;
    if (typeof id === 'string' && typeof type === 'string') out.push({ ...entry, id, type });
  });
  return out;
}
