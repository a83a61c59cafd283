/**
 * The goals for ice-doctor's relay, checked against one run: relayed packets/s ≥ 70% of coturn's and
 * ≥ 80% of the plain forwarder's at every payload size (all on one pinned core), memory per allocation
 * ≤ 2× coturn's, allocations/s ≥ coturn's.
 */
import type { GoalCheck, TargetResult } from '../../lab/relay-bench-results.js';

/** Required ratios of ice-doctor to the others. */
export const GOALS = {
  ppsVsCoturn: 0.7,
  ppsVsForwarder: 0.8,
  memoryVsCoturnAtMost: 2,
  allocationsVsCoturn: 1,
} as const;

function check(
  goal: string,
  mine: number | null | undefined,
  other: number | null | undefined,
  required: number,
  atMost = false,
): GoalCheck {
  const ratio =
    mine == null || other == null || other === 0 ? null : Math.round((mine / other) * 1000) / 1000;
  const met = ratio === null ? null : atMost ? ratio <= required : ratio >= required;
  return atMost ? { goal, ratio, required, atMost, met } : { goal, ratio, required, met };
}

/** Every goal, in table order; a goal whose figures are missing has `met: null`. */
export function checkGoals(targets: readonly TargetResult[]): GoalCheck[] {
  const by = (name: TargetResult['name']): TargetResult | undefined => targets.find((t) => t.name === name);
  const ice = by('ice-doctor');
  const coturn = by('coturn');
  const forwarder = by('forwarder');
  const cellOf = (t: TargetResult | undefined, payloadBytes: number) =>
    t?.throughput.find((c) => c.payloadBytes === payloadBytes);
  const pps = (t: TargetResult | undefined, p: number): number | undefined =>
    cellOf(t, p)?.relayedPacketsPerS;
  /** Relayed datagrams per CPU-second: what one fully used core would carry (1e8 / CPU ms per 100k). */
  const perCpuS = (t: TargetResult | undefined, p: number): number | undefined => {
    const ms = cellOf(t, p)?.cpuMsPer100kPackets;
    return ms ? 1e8 / ms : undefined;
  };
  const withCapacity = (g: GoalCheck, t: TargetResult | undefined, p: number): GoalCheck => {
    const mine = perCpuS(ice, p);
    const other = perCpuS(t, p);
    return mine && other ? { ...g, perCpuSecondRatio: Math.round((mine / other) * 1000) / 1000 } : g;
  };
  const out: GoalCheck[] = [];
  for (const cell of ice?.throughput ?? []) {
    const p = cell.payloadBytes;
    const vsCoturn = check(
      `relayed pkt/s at ${p} B ≥ ${GOALS.ppsVsCoturn} × coturn`,
      cell.relayedPacketsPerS,
      pps(coturn, p),
      GOALS.ppsVsCoturn,
    );
    const vsForwarder = check(
      `relayed pkt/s at ${p} B ≥ ${GOALS.ppsVsForwarder} × forwarder`,
      cell.relayedPacketsPerS,
      pps(forwarder, p),
      GOALS.ppsVsForwarder,
    );
    out.push(withCapacity(vsCoturn, coturn, p), withCapacity(vsForwarder, forwarder, p));
  }
  out.push(
    check(
      `memory per allocation ≤ ${GOALS.memoryVsCoturnAtMost} × coturn`,
      ice?.allocations?.bytesPerAllocation,
      coturn?.allocations?.bytesPerAllocation,
      GOALS.memoryVsCoturnAtMost,
      true,
    ),
  );
  out.push(
    check(
      'allocations/s ≥ coturn',
      ice?.allocations?.perS,
      coturn?.allocations?.perS,
      GOALS.allocationsVsCoturn,
    ),
  );
  return out;
}
