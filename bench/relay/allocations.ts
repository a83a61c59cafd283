/**
 * Allocations per second and memory per allocation of a TURN target. Each allocation is a new client 5-tuple
 * (its own UDP socket) doing the whole 401 dance and an authenticated Allocate (RFC 8656 §7.1). Memory is
 * the RSS growth over fresh allocations that each also got a ChannelBind (one permission and one channel,
 * §9, §12), divided by their count; the rate is timed once those are deleted, on a warm target.
 */
import dgram from 'node:dgram';
import type { AllocationResult } from '../../lab/relay-bench-results.js';
import type { TransportAddress } from '../../src/wire/address.js';
import { MIN_CHANNEL } from '../../src/wire/channel-data.js';
import { processCpuMs, residentBytes } from './proc-stats.js';
import { RelaySetupClient } from './setup-client.js';
import type { TurnEndpoint } from './target.js';

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

/** Allocates on every session, `concurrency` at a time; returns the ones that succeeded and the failures. */
async function allocateAll(
  sessions: readonly RelaySetupClient[],
  concurrency: number,
): Promise<{ allocated: RelaySetupClient[]; failures: number }> {
  const allocated: RelaySetupClient[] = [];
  const failures = await pooled(sessions, concurrency, async (s) => {
    await s.allocate();
    allocated.push(s);
  });
  return { allocated, failures };
}

/**
 * Measures memory per allocation and allocations/s of a target, in two phases on one fresh process:
 * 1. cold: `warmup` allocations with a ChannelBind each, then `count` more whose RSS growth (each holding a
 *    permission and a channel) gives the memory per allocation; their rate is the cold rate. All are then
 *    deleted (Refresh LIFETIME 0, RFC 8656 §7.3).
 * 2. warm: `count` allocations on new 5-tuples, timed with the target's CPU: the allocation rate of a
 *    server that has run for a while (a JIT-compiled target has compiled its hot paths by now).
 * @param pid the target's process, for its RSS and CPU time.
 */
export async function measureAllocations(
  endpoint: TurnEndpoint,
  pid: number,
  plan: AllocationPlan,
): Promise<AllocationResult> {
  const sockets: dgram.Socket[] = [];
  const sessionsOf = async (n: number): Promise<RelaySetupClient[]> => {
    const mine: dgram.Socket[] = [];
    for (let i = 0; i < n; i++) mine.push(await boundSocket());
    sockets.push(...mine);
    return mine.map((s) => new RelaySetupClient(s, endpoint.server, endpoint.credentials));
  };
  const bind = (s: RelaySetupClient): Promise<void> => s.channelBind(MIN_CHANNEL, plan.peer);
  try {
    const warm = await sessionsOf(plan.warmup);
    let failures = (await allocateAll(warm, plan.concurrency)).failures;
    failures += await pooled(warm, plan.concurrency, bind);
    const cold = await sessionsOf(plan.count);
    await sleep(plan.settleMs);
    const rssBeforeBytes = residentBytes(pid);
    const t0 = performance.now();
    const coldRun = await allocateAll(cold, plan.concurrency);
    const coldS = (performance.now() - t0) / 1000;
    failures += coldRun.failures + (await pooled(coldRun.allocated, plan.concurrency, bind));
    await sleep(plan.settleMs);
    const rssAfterBytes = residentBytes(pid);
    failures += await pooled([...warm, ...cold], plan.concurrency, (s) => s.release());

    const measured = await sessionsOf(plan.count);
    const cpu0 = processCpuMs(pid);
    const t1 = performance.now();
    const warmRun = await allocateAll(measured, plan.concurrency);
    const seconds = (performance.now() - t1) / 1000;
    const cpuMs = processCpuMs(pid) - cpu0;
    failures += warmRun.failures;
    for (const s of [...warm, ...cold, ...measured]) s.detach();
    return {
      count: plan.count,
      allocated: warmRun.allocated.length,
      concurrency: plan.concurrency,
      perS: warmRun.allocated.length / seconds,
      coldPerS: coldRun.allocated.length / coldS,
      failures,
      cpuMsPerAllocation: cpuMs / Math.max(1, warmRun.allocated.length),
      targetCpuPercent: cpuMs / (10 * seconds),
      rssBeforeBytes,
      rssAfterBytes,
      bytesPerAllocation: (rssAfterBytes - rssBeforeBytes) / Math.max(1, coldRun.allocated.length),
    };
  } finally {
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
