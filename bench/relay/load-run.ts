/**
 * One timed load on the generator's open flows: start, warm-up, a measured window between two marks (with
 * the target's CPU time and the cores' busy time read at both ends), stop and drain.
 */
import type { GeneratorClient, Load, LoadTotals } from './generator-api.js';
import { coreBusyPercent, coreTicks, processCpuMs } from './proc-stats.js';

/** How long a load warms up, is measured and drains, in ms. */
export interface RunTiming {
  warmupMs: number;
  durationMs: number;
  drainMs: number;
}

/** What the measured window of one load saw. */
export interface LoadWindow {
  /** Length of the measured window, in s (the generator's clock, between the two marks). */
  seconds: number;
  /** Replies the generator received inside the window (round trips, or Binding responses). */
  replies: number;
  /** CPU time the target used inside the window, in ms; `null` without a target process. */
  targetCpuMs: number | null;
  /** How busy each core was inside the window, in percent, by CPU number. */
  coreBusyPercent: Record<string, number>;
  /** The whole load, warm-up and drain included. */
  totals: LoadTotals;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `load` on the generator's flow set `set` and measures its window.
 * @param pid the target process whose CPU time is read, or `null` (the generator's ceiling).
 */
export async function runLoad(
  generator: GeneratorClient,
  set: string,
  load: Load,
  pid: number | null,
  timing: RunTiming,
): Promise<LoadWindow> {
  await generator.start(set, load);
  await sleep(timing.warmupMs);
  const cpuBefore = pid === null ? null : processCpuMs(pid);
  const coresBefore = coreTicks();
  const first = await generator.mark();
  await sleep(timing.durationMs);
  const last = await generator.mark();
  const cpuAfter = pid === null ? null : processCpuMs(pid);
  const coresAfter = coreTicks();
  const totals = await generator.stop(timing.drainMs);
  return {
    seconds: (last.atMs - first.atMs) / 1000,
    replies: last.received - first.received,
    targetCpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
    coreBusyPercent: coreBusyPercent(coresBefore, coresAfter),
    totals,
  };
}
