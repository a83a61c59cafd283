/**
 * Soak: relayed flows held for `profile.soakMs` (25 s short, 10 min long) through `ice-doctor serve` (a child
 * process) with lifetimes shortened to 4 s, so that the flows live across many allocation Refreshes
 * (RFC 8656 §8), permission refreshes by CreatePermission (§9) and channel refreshes by ChannelBind (§12),
 * and across stale nonces (nonce lifetime 5 s: 438 and a retry, RFC 8489 §9.2.4). Driven by ice-doctor's own
 * TURN client (TurnSession) over UDP and over TCP, each with two flows: ChannelData to one echo peer, Send
 * indications to another (answered by Data indications). On loopback nothing may be lost, every refresh
 * must succeed, and the server's RSS must stay flat: the median of the soak's last fifth against that of
 * its second fifth (the first is V8 warming up: its heap grows to its working size).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RttEstimator } from '../../src/client/transport/rtt.js';
import { TurnSession } from '../../src/client/turn-check/session.js';
import type { Transport, TransportAddress } from '../../src/wire/address.js';
import type { AttributeSpec } from '../../src/wire/build.js';
import { MIN_CHANNEL } from '../../src/wire/channel-data.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { getErrorCode } from '../../src/wire/message.js';
import { echoPeer } from '../support/turn-raw.js';
import { profile } from './profile.js';
import { HARDENING_USER, type ServerProcess, startServerProcess } from './server-process.js';
import { record } from './tally.js';

const LIFETIME_S = 4;
/** Refreshes every 1.5 s keep 4-s lifetimes alive with two chances to spare. */
const REFRESH_EVERY_MS = 1_500;
/** Each flow sends a packet every 10 ms: 100 packets/s per flow, 400/s in all. */
const SEND_EVERY_MS = 10;
/**
 * Growth of the server's RSS tolerated from the second fifth of the soak to the last, in bytes. Over 10
 * minutes (224,000 packets) a leak of 40 bytes a packet would pass 8 MiB; the 25-s short run is a smoke
 * test for gross leaks (retained packet buffers: 9,000 packets pinning 8-KiB pool chunks would be 70 MiB),
 * as its RSS still moves with V8's young generation by up to ~12 MiB on a loaded machine.
 */
const RSS_GROWTH_LIMIT_BYTES = (profile.name === 'long' ? 8 : 24) * 1024 * 1024;
const RELAY_PORTS = '62800-62899';

type EchoPeer = Awaited<ReturnType<typeof echoPeer>>;

/** What one transport's session saw over the soak. */
interface SoakResult {
  transport: Transport;
  sent: number;
  received: number;
  refreshes: number;
  refreshFailures: string[];
}

const peerAttr = (p: TransportAddress): AttributeSpec => ({
  type: Attr.XOR_PEER_ADDRESS,
  address: { address: p.address, port: p.port },
});

async function soak(
  transport: Transport,
  to: TransportAddress,
  channelPeer: EchoPeer,
  sendPeer: EchoPeer,
  durationMs: number,
): Promise<SoakResult> {
  const session = await TurnSession.open({
    transport,
    to,
    connectTimeoutMs: 2_000,
    signal: AbortSignal.timeout(durationMs + 30_000),
    credentials: HARDENING_USER,
    rtt: new RttEstimator(),
  });
  const result: SoakResult = { transport, sent: 0, received: 0, refreshes: 0, refreshFailures: [] };
  const seen = new Set<string>();
  session.onRelayed((d) => {
    const key = d.data.toString();
    if (!seen.has(key)) {
      seen.add(key);
      result.received++;
    }
  });
  const channel: AttributeSpec = { type: Attr.CHANNEL_NUMBER, uint32: MIN_CHANNEL << 16 };
  const requests: [string, number, AttributeSpec[]][] = [
    ['Refresh', StunMethod.refresh, [{ type: Attr.LIFETIME, uint32: LIFETIME_S }]],
    ['CreatePermission', StunMethod.createPermission, [peerAttr(channelPeer.address)]],
    ['CreatePermission', StunMethod.createPermission, [peerAttr(sendPeer.address)]],
    ['ChannelBind', StunMethod.channelBind, [peerAttr(channelPeer.address), channel]],
  ];
  const ask = async (name: string, method: number, attributes: AttributeSpec[]): Promise<void> => {
    result.refreshes++;
    const r = await session.request(method, attributes);
    if (r.response?.cls !== StunClass.successResponse && result.refreshFailures.length < 10)
      result.refreshFailures.push(`${name}: ${r.failure?.message ?? getErrorCode(r.response!)?.code}`);
  };
  try {
    const allocated = await session.request(StunMethod.allocate, [
      { type: Attr.REQUESTED_TRANSPORT, uint32: 17 << 24 },
      { type: Attr.LIFETIME, uint32: LIFETIME_S },
    ]);
    if (allocated.response?.cls !== StunClass.successResponse)
      throw new Error(
        `${transport} Allocate: ${allocated.failure?.message ?? getErrorCode(allocated.response!)?.code}`,
      );
    for (const [name, method, attributes] of requests.slice(1)) await ask(name, method, attributes);
    const refresher = setInterval(() => {
      for (const [name, method, attributes] of requests) void ask(name, method, attributes);
    }, REFRESH_EVERY_MS);
    const end = performance.now() + durationMs;
    let seq = 0;
    while (performance.now() < end) {
      const n = seq++;
      session.channelData(MIN_CHANNEL, Buffer.from(`${transport}-c-${n}`));
      session.indication(StunMethod.send, [
        peerAttr(sendPeer.address),
        { type: Attr.DATA, bytes: Buffer.from(`${transport}-s-${n}`) },
      ]);
      result.sent += 2;
      await new Promise((r) => setTimeout(r, SEND_EVERY_MS));
    }
    clearInterval(refresher);
    const drainEnd = performance.now() + 2_000;
    while (result.received < result.sent && performance.now() < drainEnd)
      await new Promise((r) => setTimeout(r, 20));
    await session.request(StunMethod.refresh, [{ type: Attr.LIFETIME, uint32: 0 }]);
    return result;
  } finally {
    session.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

describe('soak', () => {
  let server: ServerProcess;
  let channelPeer: EchoPeer;
  let sendPeer: EchoPeer;

  beforeAll(async () => {
    server = await startServerProcess([
      '--relay-ports',
      RELAY_PORTS,
      '--allocation-lifetime',
      String(LIFETIME_S),
      '--max-allocation-lifetime',
      String(LIFETIME_S),
      '--permission-lifetime',
      String(LIFETIME_S),
      '--channel-lifetime',
      String(LIFETIME_S),
      '--nonce-lifetime',
      '5',
    ]);
    channelPeer = await echoPeer();
    sendPeer = await echoPeer();
  });

  afterAll(async () => {
    await server?.stop();
    await channelPeer?.close();
    await sendPeer?.close();
  });

  it(
    `holds relayed flows over UDP and TCP for ${profile.soakMs / 1000} s across refreshes with no loss and flat memory`,
    async ({ task }) => {
      const rss: number[] = [];
      const sampler = setInterval(() => rss.push(server.rssBytes()), 500);
      const results = await Promise.all(
        (['udp', 'tcp'] as const).map((t) =>
          soak(t, t === 'udp' ? server.udp : server.tcp, channelPeer, sendPeer, profile.soakMs),
        ),
      );
      clearInterval(sampler);
      mkdirSync('test-results', { recursive: true });
      writeFileSync(
        'test-results/soak-rss.json',
        JSON.stringify({ profile: profile.name, everyMs: 500, rss }),
      );
      const fifth = Math.max(1, Math.floor(rss.length / 5));
      const settled = median(rss.slice(fifth, 2 * fifth));
      const growth = median(rss.slice(-fifth)) - settled;
      const sent = results.reduce((n, r) => n + r.sent, 0);
      const lost = results.reduce((n, r) => n + r.sent - r.received, 0);
      const refreshes = results.reduce((n, r) => n + r.refreshes, 0);
      const refreshFailures = results.flatMap((r) => r.refreshFailures);
      const mib = (b: number): string => (b / 1024 / 1024).toFixed(1);
      record(task, {
        area: 'soak',
        check: `relayed flows UDP+TCP, ${(profile.soakMs / 60_000).toFixed(1)} min, 4-s lifetimes`,
        tried: sent,
        failures:
          lost +
          refreshFailures.length +
          (growth > RSS_GROWTH_LIMIT_BYTES ? 1 : 0) +
          (server.alive() ? 0 : 1),
        detail: `${lost} lost; ${refreshes} refreshes; RSS ${mib(settled)}→${mib(median(rss.slice(-fifth)))} MiB (max ${mib(Math.max(...rss))})`,
      });
      expect(refreshFailures).toEqual([]);
      expect(results.map((r) => [r.transport, r.sent - r.received])).toEqual([
        ['udp', 0],
        ['tcp', 0],
      ]);
      // The flows really crossed several lifetimes: refreshes were needed, not incidental.
      expect(profile.soakMs / 1000).toBeGreaterThan(3 * LIFETIME_S);
      expect(sent).toBeGreaterThan((profile.soakMs / SEND_EVERY_MS) * 2);
      expect(growth).toBeLessThan(RSS_GROWTH_LIMIT_BYTES);
      expect(server.alive()).toBe(true);
    },
    profile.soakMs + profile.testTimeoutMs,
  );
});
