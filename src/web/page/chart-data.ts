import type { BrowserCandidate, PathResult } from '../../report/browser-schema.js';
import type { PathTarget } from '../api-schema.js';
import type { ThroughputSample } from './throughput-meter.js';

/** What the page's charts (ui/charts.ts) draw, computed from the report's rows without the DOM. */

/** The candidate types of the gathering waterfall, in gathering order (RFC 8445 §5.1.1). */
export const WATERFALL_TYPES = ['host', 'srflx', 'relay'] as const;

/** One path's row of the waterfall: when its first candidate of each type arrived (ms since the run started). */
export interface GatheringRow {
  pathId: string;
  label: string;
  firstMs: Record<(typeof WATERFALL_TYPES)[number], number | null>;
}

/** The throughput samples of one path (see ui/throughput.ts). */
export interface ThroughputSeries {
  pathId: string;
  samples: ThroughputSample[];
}

/**
 * One row per target, in the targets' order (labelled `server: id`), then one per other path that gathered
 * candidates (the policy-`all` call's `call`, labelled by its id). Each type's time is the earliest `tMs`
 * of that type on that path, null when none arrived; `prflx` (learnt from checks, not gathered) is left out.
 */
export function gatheringRows(
  candidates: readonly BrowserCandidate[],
  targets: readonly PathTarget[],
): GatheringRow[] {
  const rows = new Map<string, GatheringRow>();
  const row = (pathId: string, label: string): GatheringRow => ({
    pathId,
    label,
    firstMs: { host: null, srflx: null, relay: null },
  });
  for (const t of targets) rows.set(t.id, row(t.id, `${t.server}: ${t.id}`));
  for (const c of candidates) {
    if (c.type === 'prflx') continue;
    let r = rows.get(c.pathId);
    if (r === undefined) {
      r = row(c.pathId, c.pathId);
      rows.set(c.pathId, r);
    }
    const first = r.firstMs[c.type];
    if (first === null || c.tMs < first) r.firstMs[c.type] = c.tMs;
  }
  return [...rows.values()];
}

/** A path's RTT in ms: its relay proof's data channel echo, else the proof's selected pair's STUN RTT, else null. */
export function pathRtt(path: PathResult): number | null {
  return path.proof?.rttMs ?? path.proof?.selectedPair?.rttMs ?? null;
}
