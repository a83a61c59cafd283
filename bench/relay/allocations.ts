/**
 * Allocations per second and memory per allocation of a TURN target. Each allocation is a new client 5-tuple
 * (its own UDP socket) doing the whole 401 dance and an authenticated Allocate (RFC 8656 §7.1); then each
 * gets a ChannelBind, i.e. one permission and one channel (§9, §12). Memory is the target's RSS growth
 * over the allocations, divided by their count.
 */
import dgram from 'node:dgram';
import type { TransportAddress } from '../../src/stun/address.js';
import { MIN_CHANNEL } from '../../src/stun/channel-data.js';
import { processCpuMs, residentBytes } from './proc-stats.js';
import type { TurnEndpoint } from './target.js';
import { TurnSession } from './turn-session.js';

/** How an allocation run is shaped. */
export interface AllocationPlan {
  /** Allocations measured. */
  count: number;
  /** Allocations made (and bound) before the baseline RSS is read, to warm the target up. */
  warmup: number;
  /** Allocates in progress at once. */
  concurrency: number;
  /** Wait before each RSS reading, in ms. */
  settleMs: number;
  /** The peer every channel is bound to (no datagram is sent to it). */
  peer: TransportAddress;
}

/** What an allocation run measured. */
export interface AllocationResult {
  /** Allocations attempted (the measured ones, warm-up excluded). */
  count: number;
  /** Of those, the ones that succeeded: the N that memory is divided by. */
  allocated: number;
  concurrency: number;
  /** Successful allocations (401 + Allocate) per second, over the measured ones. */
  perS: number;
  /** Allocates or ChannelBinds that failed. */
  failures: number;
  /** The target's CPU time per allocation during the measured Allocates, in ms. */
  cpuMsPerAllocation: number;
  /** The target's CPU time / wall time during the measured Allocates, percent of one core. */
  targetCpuPercent: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  /** (rssAfterBytes − rssBeforeBytes) / allocated: each allocation holding one permission and one channel. */
  bytesPerAllocation: number;
  /** With several rounds: perS and bytesPerAllocation of each (this result is the round with the best perS). */
  roundsPerS?: number[];
  roundsBytesPerAllocation?: number[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function boundSocket(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

/** Runs `task` for every item with at most `concurrency` running; counts the ones that threw. */
async function pooled<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<number> {
  let next = 0;
  let failed = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return failed;
}

/**
 * Measures allocations/s and memory per allocation on a fresh target.
 * @param pid the target's process, for its RSS.
 */
export async function measureAllocations(
  endpoint: TurnEndpoint,
  pid: number,
  plan: AllocationPlan,
): Promise<AllocationResult> {
  const sockets: dgram.Socket[] = [];
  try {
    for (let i = 0; i < plan.warmup + plan.count; i++) sockets.push(await boundSocket());
    const sessions = sockets.map((s) => new TurnSession(s, endpoint.server, endpoint.credentials));
    const warm = sessions.slice(0, plan.warmup);
    const measured = sessions.slice(plan.warmup);
    const setUp = async (s: TurnSession): Promise<void> => {
      await s.allocate();
      await s.channelBind(MIN_CHANNEL, plan.peer);
    };
    let failures = await pooled(warm, plan.concurrency, setUp);
    await sleep(plan.settleMs);
    const rssBeforeBytes = residentBytes(pid);
    const allocated: TurnSession[] = [];
    const cpu0 = processCpuMs(pid);
    const t0 = performance.now();
    failures += await pooled(measured, plan.concurrency, async (s) => {
      await s.allocate();
      allocated.push(s);
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpuMs = processCpuMs(pid) - cpu0;
    failures += await pooled(allocated, plan.concurrency, (s) => s.channelBind(MIN_CHANNEL, plan.peer));
    await sleep(plan.settleMs);
    const rssAfterBytes = residentBytes(pid);
    for (const s of sessions) s.detach();
    return {
      count: plan.count,
      allocated: allocated.length,
      concurrency: plan.concurrency,
      perS: allocated.length / seconds,
      failures,
      cpuMsPerAllocation: cpuMs / Math.max(1, allocated.length),
      targetCpuPercent: cpuMs / (10 * seconds),
      rssBeforeBytes,
      rssAfterBytes,
      bytesPerAllocation: (rssAfterBytes - rssBeforeBytes) / Math.max(1, allocated.length),
    };
  } finally {
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
