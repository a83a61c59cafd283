/**
 * Best-of-rounds selection of the relay bench: each figure was measured in several interleaved rounds; the
 * least disturbed round is kept, and every round's value stays in the results file.
 */
import type {
  AllocationResult,
  BindingCell,
  LatencyCell,
  ThroughputCell,
} from '../../lab/relay-bench-results.js';

/** The item with the highest score (the first of equals); undefined for none. */
export function bestBy<T>(items: readonly T[], score: (item: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || score(item) > score(best)) best = item;
  return best;
}

/** The round with the most relayed packets/s, with every round's figure. */
export function bestThroughput(rounds: readonly ThroughputCell[]): ThroughputCell | undefined {
  const best = bestBy(rounds, (c) => c.relayedPacketsPerS);
  return best && { ...best, roundsRelayedPacketsPerS: rounds.map((c) => c.relayedPacketsPerS) };
}

/** The round with the lowest p99, with every round's p99. */
export function bestLatency(rounds: readonly LatencyCell[]): LatencyCell | undefined {
  const best = bestBy(rounds, (c) => -(c.p99Ms ?? Number.POSITIVE_INFINITY));
  return best && { ...best, roundsP99Ms: rounds.map((c) => c.p99Ms) };
}

/** The round with the most Binding requests/s, with every round's figure. */
export function bestBinding(rounds: readonly BindingCell[]): BindingCell | undefined {
  const best = bestBy(rounds, (c) => c.requestsPerS);
  return best && { ...best, roundsRequestsPerS: rounds.map((c) => c.requestsPerS) };
}

/** The round with the most allocations/s (its memory figure too), with every round's figures. */
export function bestAllocations(rounds: readonly AllocationResult[]): AllocationResult | undefined {
  const best = bestBy(rounds, (r) => r.perS);
  return (
    best && {
      ...best,
      roundsPerS: rounds.map((r) => r.perS),
      roundsBytesPerAllocation: rounds.map((r) => r.bytesPerAllocation),
    }
  );
}
