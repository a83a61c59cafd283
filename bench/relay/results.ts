/**
 * The relay bench's results file (its shape: lab/relay-bench-results.ts): the cells built from load windows,
 * and where it is written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  BindingCell,
  LatencyCell,
  RelayBenchResults,
  ThroughputCell,
} from '../../lab/relay-bench-results.js';
import type { LoadWindow } from './load-run.js';

const round = (v: number, digits = 0): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/** A throughput cell from the window of a saturating ChannelData load. */
export function throughputCell(w: LoadWindow, payloadBytes: number): ThroughputCell {
  const roundTripsPerS = w.replies / w.seconds;
  const relayed = 2 * w.replies;
  return {
    payloadBytes,
    roundTripsPerS: round(roundTripsPerS),
    relayedPacketsPerS: round(2 * roundTripsPerS),
    payloadMbitPerS: round((2 * roundTripsPerS * payloadBytes * 8) / 1e6, 1),
    cpuMsPer100kPackets:
      w.targetCpuMs === null || relayed === 0 ? null : round((w.targetCpuMs * 100_000) / relayed, 1),
    targetCpuPercent: w.targetCpuMs === null ? null : round(w.targetCpuMs / (10 * w.seconds), 1),
    coreBusyPercent: w.coreBusyPercent,
    sent: w.totals.sent,
    received: w.totals.received,
    lost: w.totals.lost,
    lossPercent: w.totals.sent > 0 ? round((100 * w.totals.lost) / w.totals.sent, 3) : 0,
    stalls: w.totals.stalls,
    generatorErrors: w.totals.errors,
  };
}

/** A latency cell from the window of a paced load. */
export function latencyCell(w: LoadWindow, ratePerS: number, payloadBytes: number): LatencyCell {
  const l = w.totals.latency;
  const ms = (v: number | null | undefined): number | null => (v == null ? null : round(v, 3));
  return {
    ratePerS,
    payloadBytes,
    samples: l?.samples ?? 0,
    p50Ms: ms(l?.p50Ms),
    p99Ms: ms(l?.p99Ms),
    maxMs: ms(l?.maxMs),
    lost: w.totals.lost,
    generatorErrors: w.totals.errors,
  };
}

/** A Binding cell from the window of a saturating Binding load. */
export function bindingCell(w: LoadWindow): BindingCell {
  return {
    requestsPerS: round(w.replies / w.seconds),
    cpuMsPer100kRequests:
      w.targetCpuMs === null || w.replies === 0 ? null : round((w.targetCpuMs * 100_000) / w.replies, 1),
    lost: w.totals.lost,
    generatorErrors: w.totals.errors,
  };
}

/** bench/results, next to this folder. */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/**
 * Writes the results as pretty JSON to `file`, or to bench/results/relay-<startedAt>.json (colons and dots
 * of the timestamp made dashes, like the probe bench's files).
 * @returns the path written.
 */
export function writeResults(results: RelayBenchResults, file?: string): string {
  const path = file ?? join(RESULTS_DIR, `relay-${results.startedAt.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  return path;
}
