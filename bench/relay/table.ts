/**
 * The side-by-side table the relay bench prints: one row per figure, one column per target (ice-doctor,
 * coturn, plain forwarder, generator ceiling), then ratio columns, then the goals.
 */

import {
  type GoalCheck,
  TARGET_NAMES,
  type TargetResult,
  type ThroughputCell,
} from '../../lab/relay-bench-results.js';
import { formatTable } from '../../lab/stats.js';

const num = (v: number | null | undefined, digits = 0): string =>
  v == null
    ? '-'
    : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const ratio = (a: number | null | undefined, b: number | null | undefined): string =>
  a == null || b == null || b === 0 ? '-' : (a / b).toFixed(2);

type Figure = (t: TargetResult) => number | null | undefined;

/** Share of the generator's ceiling above which a server's pkt/s may be limited by the generator. */
export const GENERATOR_BOUND = 0.9;

/** Renders the results of one run as text: the table, then one line per goal. */
export function renderTable(
  targets: readonly TargetResult[],
  goals: readonly GoalCheck[],
  latencyRatePerS: number,
): string {
  const by = new Map(targets.map((t) => [t.name, t]));
  const cell = (t: TargetResult, p: number): ThroughputCell | undefined =>
    t.throughput.find((c) => c.payloadBytes === p);
  const payloads = [...new Set(targets.flatMap((t) => t.throughput.map((c) => c.payloadBytes)))].sort(
    (a, b) => a - b,
  );
  const rows: string[][] = [];
  const row = (label: string, figure: Figure, digits = 0, headroom = false): void => {
    const values = TARGET_NAMES.map((n) => {
      const t = by.get(n);
      return t ? figure(t) : undefined;
    });
    const [ice, coturn, forwarder, ceiling] = values;
    const peak = Math.max(...[ice, coturn, forwarder].map((v) => v ?? 0));
    rows.push([
      label,
      ...values.map((v) => num(v, digits)),
      ratio(ice, coturn),
      ratio(ice, forwarder),
      headroom ? ratio(peak, ceiling) : '',
    ]);
  };
  for (const p of payloads) row(`relayed pkt/s, ${p} B`, (t) => cell(t, p)?.relayedPacketsPerS, 0, true);
  for (const p of payloads) row(`payload Mbit/s, ${p} B`, (t) => cell(t, p)?.payloadMbitPerS, 1, true);
  for (const p of payloads) row(`CPU ms / 100k pkts, ${p} B`, (t) => cell(t, p)?.cpuMsPer100kPackets, 1);
  for (const p of payloads) row(`server CPU % of a core, ${p} B`, (t) => cell(t, p)?.targetCpuPercent, 1);
  for (const p of payloads) row(`lost %, ${p} B`, (t) => cell(t, p)?.lossPercent, 3);
  row(`latency p50 ms @ ${latencyRatePerS}/s`, (t) => t.latency?.p50Ms, 3);
  row(`latency p99 ms @ ${latencyRatePerS}/s`, (t) => t.latency?.p99Ms, 3);
  row('allocations/s, warm', (t) => t.allocations?.perS);
  row('allocations/s, fresh process', (t) => t.allocations?.coldPerS);
  row('CPU ms / allocation', (t) => t.allocations?.cpuMsPerAllocation, 3);
  row(
    `memory / allocation, KiB (N=${by.get('ice-doctor')?.allocations?.count ?? '-'})`,
    (t) => (t.allocations ? t.allocations.bytesPerAllocation / 1024 : undefined),
    1,
  );
  row('STUN Binding req/s', (t) => t.binding?.requestsPerS);
  row('CPU ms / 100k Binding req', (t) => t.binding?.cpuMsPer100kRequests, 1);
  const header = [
    'figure',
    'ice-doctor',
    'coturn',
    'forwarder',
    'gen ceiling',
    'ice/coturn',
    'ice/fwd',
    'peak/ceiling',
  ];
  const lines = [
    formatTable(header, rows),
    '',
    'relayed pkt/s: datagrams relayed per second, both directions (2 per ChannelData round trip); Mbit/s: payload only;',
    'each cell the best of interleaved rounds; servers pinned to CPU 0, generator and echo peer on CPU 1 (JSON: definitions)',
    '',
  ];
  const bound = payloads.filter((p) => {
    const ceiling = by.get('ceiling') && cell(by.get('ceiling')!, p)?.relayedPacketsPerS;
    const peak = Math.max(
      ...targets.filter((t) => t.name !== 'ceiling').map((t) => cell(t, p)?.relayedPacketsPerS ?? 0),
    );
    return ceiling && peak >= GENERATOR_BOUND * ceiling;
  });
  if (bound.length > 0)
    lines.push(
      `note: at ${bound.join(', ')} B a server came within ${GENERATOR_BOUND * 100}% of the generator's ceiling: its pkt/s may be generator-bound (a lower bound); compare CPU ms / 100k pkts there`,
    );
  for (const g of goals) {
    const verdict = g.met === null ? 'not measured' : g.met ? 'met' : 'NOT met';
    const capacity = g.perCpuSecondRatio === undefined ? '' : ` (per CPU-second: ${g.perCpuSecondRatio})`;
    lines.push(`goal: ${g.goal}: ${g.ratio ?? '-'} → ${verdict}${capacity}`);
  }
  for (const t of targets) if (t.error) lines.push(`${t.name}: ${t.error}`);
  return lines.join('\n');
}
