/**
 * The relay bench's results file (bench/results/relay-<timestamp>.json): its shape, the cells built from load
 * windows, the definitions of every figure, and where it is written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AllocationResult } from './allocations.js';
import type { LoadWindow } from './load-run.js';
import type { TargetName } from './target.js';

/** What every figure of the results means (copied into the file, so it explains itself). */
export const DEFINITIONS = {
  roundTripsPerS:
    'ChannelData round trips per second: the generator sends a ChannelData datagram to the relay, the relay sends its payload to the UDP echo peer, the peer echoes it, the relay sends it back as ChannelData; counted when it is back at the generator',
  relayedPacketsPerS:
    'relayed datagrams per second = 2 × roundTripsPerS (client→peer and peer→client, each one datagram in and one out of the relay); for the ceiling, datagrams between generator and echo peer, also 2 per round trip',
  payloadMbitPerS:
    'relayedPacketsPerS × payloadBytes × 8 / 1e6: application payload, both directions, no headers',
  cpuMsPer100kPackets:
    'CPU time of the target process (utime + stime over all threads, /proc/PID/stat, 10 ms ticks) in the measured window, per 100,000 relayed datagrams',
  latency:
    'round-trip time generator → relay → echo peer → relay → generator, at a fixed offered rate spread over all flows, stamped in the payload; p50/p99 nearest-rank',
  allocationsPerS:
    'new client 5-tuples per second, each doing an unauthenticated Allocate (401), then an authenticated Allocate (200), at a bounded concurrency; perS on a warm target (after warmup + count allocations were made and deleted), coldPerS for the first count allocations after the warm-up of a fresh process',
  cpuMsPerAllocation:
    "CPU time of the target (/proc/PID/stat) while the warm phase's Allocates ran, per allocation: the server's cost, whatever bounds the rate (the bench's client shares the generator's CPU)",
  bytesPerAllocation:
    'RSS growth of the target (/proc/PID/status VmRSS) over the N allocations of the cold phase (a fresh process after the warm-up), each also holding one permission and one channel (ChannelBind), divided by N',
  bindingRequestsPerS:
    'STUN Binding requests answered per second (20-byte requests, fresh transaction ID each)',
  lost: 'datagrams sent − replies received, over the whole load after a drain period',
  rounds:
    'every throughput, latency and Binding figure is the best of settings.rounds interleaved rounds (highest pkt/s or req/s, lowest p99), the targets taking turns in a rotating order; allocations: the round with the most allocations/s; every round stays in the rounds* fields',
  generatorBound:
    "a server within 90% of the generator's ceiling (generator straight to the echo peer, same CPU) may be limited by the generator: its pkt/s is then a lower bound, and CPU ms / 100k pkts compares capacity",
} as const;

/** One payload size of the saturating throughput test. */
export interface ThroughputCell {
  payloadBytes: number;
  roundTripsPerS: number;
  relayedPacketsPerS: number;
  payloadMbitPerS: number;
  cpuMsPer100kPackets: number | null;
  /** Target CPU time / wall time in the window, percent of one core. */
  targetCpuPercent: number | null;
  coreBusyPercent: Record<string, number>;
  sent: number;
  received: number;
  lost: number;
  lossPercent: number;
  stalls: number;
  generatorErrors: number;
  /** relayedPacketsPerS of every round (this cell is the best one). */
  roundsRelayedPacketsPerS?: number[];
}

/** The fixed-rate latency test. */
export interface LatencyCell {
  ratePerS: number;
  payloadBytes: number;
  samples: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  lost: number;
  generatorErrors: number;
  /** p99Ms of every round (this cell is the one with the lowest). */
  roundsP99Ms?: (number | null)[];
}

/** The saturating STUN Binding test. */
export interface BindingCell {
  requestsPerS: number;
  cpuMsPer100kRequests: number | null;
  lost: number;
  generatorErrors: number;
  /** requestsPerS of every round (this cell is the best one). */
  roundsRequestsPerS?: number[];
}

/** Everything measured for one column. `error` says why a part is missing. */
export interface TargetResult {
  name: TargetName;
  command: string | null;
  cpus: number[] | null;
  throughput: ThroughputCell[];
  latency: LatencyCell | null;
  binding: BindingCell | null;
  allocations: AllocationResult | null;
  error?: string;
}

/** One goal of the issue, checked against the run's figures. */
export interface GoalCheck {
  goal: string;
  /** The measured ratio (ice-doctor / other). */
  ratio: number | null;
  /** The ratio the goal asks for: at least it, or at most it when `atMost`. */
  required: number;
  atMost?: boolean;
  met: boolean | null;
  /**
   * For the pkt/s goals, the same ratio of relayed datagrams per CPU-second (1e8 / CPU ms per 100k): what
   * each would carry on a whole core, whatever share of it the noisy machine or the generator left it.
   */
  perCpuSecondRatio?: number;
}

/** The whole results file. */
export interface RelayBenchResults {
  schemaVersion: 1;
  startedAt: string;
  durationMs: number;
  quick: boolean;
  environment: { node: string; kernel: string; cpus: number; coturn: string | null };
  settings: object;
  definitions: typeof DEFINITIONS;
  targets: TargetResult[];
  goals: GoalCheck[];
}

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
