/**
 * The shape of the relay bench's results file (bench/results/relay-<timestamp>.json) and the definitions of
 * every figure: written by bench/relay/ (results.ts), read by its smoke test
 * (test/integration/relay-bench-smoke.test.ts), so it lives here, where both may import it.
 */

/** The four columns of the bench, in table order. */
export const TARGET_NAMES = ['ice-doctor', 'coturn', 'forwarder', 'ceiling'] as const;
/** One column of the bench. */
export type TargetName = (typeof TARGET_NAMES)[number];

/** What an allocation run measured. */
export interface AllocationResult {
  /** Allocations attempted in each phase (warm-up excluded). */
  count: number;
  /** Of the warm phase's, the ones that succeeded. */
  allocated: number;
  concurrency: number;
  /** Successful allocations (401 + Allocate) per second in the warm phase. */
  perS: number;
  /** The same in the cold phase: the first allocations of a fresh process. */
  coldPerS: number;
  /** Allocates, ChannelBinds or deletes that failed, over both phases. */
  failures: number;
  /** The target's CPU time per allocation during the warm phase's Allocates, in ms. */
  cpuMsPerAllocation: number;
  /** The target's CPU time / wall time during the measured Allocates, percent of one core. */
  targetCpuPercent: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  /** RSS growth over the cold phase / its successful allocations, each holding a permission and a channel. */
  bytesPerAllocation: number;
  /** With several rounds: perS and bytesPerAllocation of each (this result is the round with the best perS). */
  roundsPerS?: number[];
  roundsBytesPerAllocation?: number[];
}

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
