/**
 * Allocation churn of the bundled TURN server, in-process on loopback so that its timers and heap can be
 * read: `profile.churnCycles` cycles (1,000 short, 10,000 long), each Allocate → CreatePermission →
 * ChannelBind → one ChannelData round trip through the relay to an echo peer → the allocation ends, half
 * deleted by Refresh(LIFETIME 0) and half left to expire (allocation, permission and channel lifetimes
 * 1 s; confirmed by a 437 to CreatePermission). Cycles run in rounds of {@link IN_FLIGHT} clients. After
 * the last round the allocation table is empty and file descriptors, bindable relay ports, active timers
 * and the heap (after a forced GC) are back to their baseline.
 */
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTurnFlags } from '../../src/cli/config/turn-flags.js';
import { type RunningTurnServer, startTurnServer } from '../../src/server/turn/server.js';
import { encodeChannelData, MIN_CHANNEL } from '../../src/wire/channel-data.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { getErrorCode, type StunMessage } from '../../src/wire/message.js';
import { echoPeer, RawTurnClient } from '../support/turn-raw.js';
import { pollUntil } from '../support/uclient.js';
import { udpBindable } from '../support/udp-port.js';
import { profile } from './profile.js';
import { record } from './tally.js';
import { installTimerTracker, type TimerTracker } from './timer-tracker.js';

const LISTEN = ['127.0.0.1', '127.0.0.2'];
/** Relay ports above the kernel's ephemeral range (32768–60999), so no other socket takes them. */
const RELAY_MIN = 61000;
const RELAY_MAX = 61499;
const IN_FLIGHT = 250;
const USER = { username: 'churn', password: 'churn-pass' };
/** Heap growth tolerated after the churn, in bytes: JIT code and V8 caches settle, a leak of one allocation's state per cycle (a relay socket, maps, buffers: several KiB) would exceed it within 1,000 cycles. */
const HEAP_SLACK_BYTES = 2 * 1024 * 1024;

/**
 * How long the heap is given to return, in ms: the server keeps the responses to authenticated requests
 * for retransmissions for 40 s (RFC 8489 §6.3.1, transaction-cache.ts) and sweeps them every 5 s, so the
 * heap is back to baseline only after both.
 */
const HEAP_SETTLE_MS = 46_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const kib = (bytes: number): string => `${bytes >= 0 ? '+' : ''}${(bytes / 1024).toFixed(0)}`;

/** Waits `ms` (the transaction cache's lifetime), then the heap after a forced GC. */
async function heapAfter(ms: number): Promise<number> {
  await new Promise((r) => setTimeout(r, ms));
  return heapAfterGc();
}

async function bindablePorts(): Promise<number> {
  let free = 0;
  for (let base = RELAY_MIN; base <= RELAY_MAX; base += 100) {
    const ports = Array.from({ length: Math.min(100, RELAY_MAX - base + 1) }, (_, i) => base + i);
    free += (await Promise.all(ports.map(udpBindable))).filter(Boolean).length;
  }
  return free;
}

const outcome = (m: StunMessage): string =>
  m.cls === StunClass.successResponse ? 'ok' : String(getErrorCode(m)?.code);

describe('churn', () => {
  let server: RunningTurnServer;
  let peer: Awaited<ReturnType<typeof echoPeer>>;

  let tracker: TimerTracker;

  beforeAll(async () => {
    tracker = installTimerTracker();
    const turn = parseTurnFlags(
      {
        tls: false,
        user: [`${USER.username}:${USER.password}`],
        relayPorts: `${RELAY_MIN}-${RELAY_MAX}`,
        allocationLifetime: '1',
        maxAllocationLifetime: '1',
        permissionLifetime: '1',
        channelLifetime: '1',
        userQuota: String(IN_FLIGHT),
        totalQuota: String(IN_FLIGHT),
      },
      LISTEN,
      true,
      {},
    );
    server = await startTurnServer({ addresses: LISTEN, port: 0, turn });
    peer = await echoPeer();
  });

  afterAll(async () => {
    await server?.close();
    await peer?.close();
    tracker.uninstall();
  });

  /** One cycle on a fresh client socket; returns what went wrong, or null. */
  async function cycle(i: number): Promise<string | null> {
    const c = await RawTurnClient.udp(server.turnUdp[0]!);
    try {
      const to = {
        type: Attr.XOR_PEER_ADDRESS,
        address: { address: peer.address.address, port: peer.address.port },
      };
      const channel = MIN_CHANNEL + (i % 0x1000);
      const steps: [string, () => Promise<StunMessage>][] = [
        ['Allocate', () => c.allocate(USER)],
        ['CreatePermission', () => c.signed(StunMethod.createPermission, [to], USER)],
        [
          'ChannelBind',
          () =>
            c.signed(
              StunMethod.channelBind,
              [{ type: Attr.CHANNEL_NUMBER, raw: Buffer.from([channel >> 8, channel & 0xff, 0, 0]) }, to],
              USER,
            ),
        ],
      ];
      for (const [name, step] of steps) {
        const answer = outcome(await step());
        if (answer !== 'ok') return `#${i} ${name}: ${answer}`;
      }
      const payload = Buffer.from(`churn-${i}`);
      c.send(encodeChannelData(channel, payload, true));
      await c.waitFor((b) => b.subarray(4).equals(payload));
      if (i % 2 === 0) {
        const deleted = outcome(
          await c.signed(StunMethod.refresh, [{ type: Attr.LIFETIME, uint32: 0 }], USER),
        );
        return deleted === 'ok' ? null : `#${i} Refresh(0): ${deleted}`;
      }
      for (const end = Date.now() + 5_000; Date.now() < end; ) {
        await new Promise((r) => setTimeout(r, 400));
        const probe = outcome(await c.signed(StunMethod.createPermission, [to], USER));
        if (probe === '437') return null;
      }
      return `#${i} did not expire within 5 s`;
    } catch (err) {
      return `#${i} ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      await c.close();
    }
  }

  it(
    `${profile.churnCycles.toLocaleString('en-US')} allocate/permission/channel/expire cycles return fds, relay ports, timers and heap to baseline`,
    async ({ task }) => {
      // Warm-up: one round, so that JIT code, inline caches and lazily opened handles exist before the
      // baseline. Its ~1,000 cached responses (~0.5 MiB) are in the baseline and age out later, which makes
      // the heap check that much more lenient.
      const warmUp = await Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => cycle(i)));
      expect(warmUp.filter(Boolean)).toEqual([]);
      expect(await pollUntil(() => server.engine.table.size === 0, 5_000)).not.toBeNull();
      const base = {
        fds: openFds(),
        ports: await bindablePorts(),
        timers: tracker.live(),
        heap: heapAfterGc(),
      };
      const problems: string[] = [];
      let peakFds = base.fds;
      let peakHeap = 0;
      const start = performance.now();
      for (let round = 0; round * IN_FLIGHT < profile.churnCycles; round++) {
        const first = round * IN_FLIGHT;
        const count = Math.min(IN_FLIGHT, profile.churnCycles - first);
        const pending = Array.from({ length: count }, (_, k) => cycle(first + k));
        await new Promise((r) => setTimeout(r, 300));
        peakFds = Math.max(peakFds, openFds());
        peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
        for (const p of await Promise.all(pending)) if (p) problems.push(p);
      }
      const churnMs = performance.now() - start;
      const drained = await pollUntil(
        () => server.engine.table.size === 0 && server.engine.table.relayPortsBound === 0,
        3_000,
      );
      const after = {
        fds: openFds(),
        ports: await bindablePorts(),
        timers: tracker.live(),
        heap: heapAfterGc(),
      };
      const heapBeforeCache = after.heap - base.heap;
      after.heap = await heapAfter(HEAP_SETTLE_MS);
      const heapGrowth = after.heap - base.heap;
      const leaks = [
        after.fds !== base.fds,
        after.ports !== base.ports,
        after.timers !== base.timers,
        heapGrowth > HEAP_SLACK_BYTES,
        drained === null,
      ].filter(Boolean).length;
      record(task, {
        area: 'churn',
        check: 'allocate/permission/channel/expire cycles',
        tried: profile.churnCycles,
        failures: problems.length + leaks,
        detail: `${(churnMs / 1000).toFixed(1)} s; fds ${base.fds}→${peakFds}→${after.fds}, timers ${base.timers}→${after.timers}; heap ${kib(heapBeforeCache)} KiB, ${kib(heapGrowth)} KiB ${HEAP_SETTLE_MS / 1000} s later${problems[0] ? `; first problem: ${problems[0]}` : ''}`,
      });
      expect(problems.slice(0, 10)).toEqual([]);
      // Sensitive: a round's client and relay sockets were open at once, and the heap did grow meanwhile.
      expect(peakFds - base.fds).toBeGreaterThan(IN_FLIGHT / 2);
      expect(peakHeap).toBeGreaterThan(base.heap);
      expect(drained, `${server.engine.table.size} allocations left`).not.toBeNull();
      expect(after.fds).toBe(base.fds);
      expect(after.ports).toBe(base.ports);
      expect(after.timers).toBe(base.timers);
      expect(heapGrowth).toBeLessThan(HEAP_SLACK_BYTES);
    },
    profile.testTimeoutMs,
  );
});
