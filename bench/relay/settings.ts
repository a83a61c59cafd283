/** What shapes a relay bench run: the full run of `npm run bench`, and the `--quick` run of the smoke test. */
import type { RunTiming } from './load-run.js';

/** Everything that shapes a run. */
export interface BenchSettings {
  /** CPU of the servers under test; the generator and echo peer get `generatorCpu`. */
  serverCpu: number;
  generatorCpu: number;
  /**
   * Client flows (allocations, forwarder flows) and datagrams in flight per flow when saturating; the total
   * in flight (64) fits the default 208 KiB receive buffer of a server socket even at 1200 bytes.
   */
  flows: number;
  windowPerFlow: number;
  payloadsBytes: number[];
  /**
   * Every throughput, latency and Binding cell is measured this many times, the targets taking turns (in a
   * rotating order) within each round, and the best round is kept: on a shared machine other work only
   * ever takes capacity away, so the best of a few interleaved tries is the least disturbed one.
   */
  rounds: number;
  throughput: RunTiming;
  latency: RunTiming & { ratePerS: number; payloadBytes: number };
  binding: RunTiming;
  allocations: { count: number; warmup: number; concurrency: number; settleMs: number; rounds: number };
  /** Relay port range of both TURN servers (outside Linux's default ephemeral range 32768–60999). */
  relayPorts: { min: number; max: number };
}

/** `npm run bench`: about 4–5 minutes. */
export const FULL: BenchSettings = {
  serverCpu: 0,
  generatorCpu: 1,
  flows: 8,
  windowPerFlow: 8,
  payloadsBytes: [100, 500, 1200],
  rounds: 3,
  throughput: { warmupMs: 700, durationMs: 3000, drainMs: 300 },
  latency: { warmupMs: 500, durationMs: 2000, drainMs: 300, ratePerS: 2000, payloadBytes: 100 },
  binding: { warmupMs: 700, durationMs: 2500, drainMs: 300 },
  allocations: { count: 2000, warmup: 50, concurrency: 16, settleMs: 1000, rounds: 2 },
  relayPorts: { min: 61000, max: 65535 },
};

/** `--quick`: tiny durations and counts, one round (well under 40 s); for the smoke test, not for figures. */
export const QUICK: BenchSettings = {
  ...FULL,
  flows: 4,
  rounds: 1,
  throughput: { warmupMs: 200, durationMs: 500, drainMs: 200 },
  latency: { warmupMs: 200, durationMs: 500, drainMs: 200, ratePerS: 500, payloadBytes: 100 },
  binding: { warmupMs: 200, durationMs: 500, drainMs: 200 },
  allocations: { count: 40, warmup: 5, concurrency: 8, settleMs: 200, rounds: 1 },
};
