import type { PathResult } from '../../../report/browser-schema.js';
import type { ThroughputSeries } from '../chart-data.js';
import { THROUGHPUT_CHANNEL } from './relay-run.js';
import type { RunHandles } from './run.js';
import type { RunState } from './run-state.js';
import { measureThroughput } from './throughput.js';

/**
 * After the verdict: the data channel throughput of each proved TURN path, one path at a time (parallel tests
 * would share the uplink and measure each other), over the relay proof's still open call.
 */

/** How long each path's throughput test runs, in ms. */
const THROUGHPUT_MS = 1500;

/** What the views hear: a path's test started, its new result, or why it failed. */
export interface ThroughputEvents {
  measuring(pathId: string): void;
  path(result: PathResult): void;
  failed(pathId: string, why: string): void;
}

/**
 * Measures every proof call of `handles` in the matrix's order and records `throughputKbps` in `state`.
 * @returns the samples of each measured path, for the throughput chart. Never rejects.
 */
export async function measurePaths(
  handles: RunHandles,
  state: RunState,
  events: ThroughputEvents,
): Promise<ThroughputSeries[]> {
  const series: ThroughputSeries[] = [];
  for (const path of state.paths) {
    const channel = handles.proofCalls.get(path.id)?.a.channels.get(THROUGHPUT_CHANNEL);
    if (!channel || path.proof?.ok !== true) continue;
    events.measuring(path.id);
    try {
      const result = await measureThroughput(channel, THROUGHPUT_MS);
      const measured = { ...path, throughputKbps: result.kbps, throughputSamples: result.samples };
      state.setPath(measured);
      events.path(measured);
      series.push({ pathId: path.id, samples: result.samples });
    } catch (err) {
      events.failed(path.id, err instanceof Error ? err.message : String(err));
    }
  }
  return series;
}
