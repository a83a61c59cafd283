/**
 * Acceptance tests of the bundled TURN server (src/server/turn/server.ts) against coturn 4.6.1's own
 * load client, `turnutils_uclient`, relaying to `turnutils_peer` (a UDP echo peer) on loopback. Each test
 * starts its own server in-process (127.0.0.1 and 127.0.0.2, port 0, TLS on port 0 with a self-signed
 * certificate — uclient does not verify it — a user, a TURN REST secret, a narrow relay range outside the
 * kernel's ephemeral ports, metrics on port 0) and checks, from real sockets:
 * - uclient's own figures: every message sent came back (tot_send_msgs = tot_recv_msgs = n × m), its
 *   "Total lost packets" is 0, and the server's relayed-packet counters agree;
 * - the server is alive afterwards: a fresh STUN Binding over UDP gets a success response;
 * - the allocation table drains to 0 in bounded time. uclient deletes its allocations with Refresh(0) at
 *   the end, but never its "probe" allocation (made first on another socket, then abandoned) nor, in the
 *   negative and DoS modes, the ones it leaves behind when it exits early: over UDP those expire, so every
 *   UDP test uses an allocation lifetime just above its own run (uclient refreshes only every 30 s, so a
 *   lifetime shorter than the run would expire live allocations and show up as loss). Over TCP/TLS,
 *   closing the connection deletes the allocation.
 * uclient sends at a fixed rate (one message per session every 20 ms, after a random 1–6 s start delay),
 * so `-n` sets the run time: the first case is exactly `-n 1000 -m 10 -l 170`, the short modes use
 * `-n 100`. The negative modes (-N, -R, -O) check survival, not loss: afterwards a normal uclient run must
 * still relay every message.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseTurnFlags } from '../../src/cli/config/turn-flags.js';
import { type RunningTurnServer, startTurnServer } from '../../src/server/turn/server.js';
import {
  bindingSuccessAddress,
  outputTail,
  pollUntil,
  runUclient,
  startTurnPeer,
  stunBinding,
  type TurnPeer,
  type UclientRun,
  uclientAvailable,
} from '../support/uclient.js';

const LISTEN = ['127.0.0.1', '127.0.0.2'];
const USER = 'u';
const PASSWORD = 'p';
const SECRET = 'uclient-rest-secret';
/** 200 relay ports above the ephemeral range (32768–60999): uclient needs about 3 per session pair. */
const RELAY_PORTS = '63100-63299';
/**
 * Allocation lifetime of the long runs: above 30 s, so uclient's refresh every 30 s keeps its live
 * allocations up for a run of any length, and its abandoned probe allocations expire 34 s after the start.
 */
const LONG_LIFETIME_S = 34;
/**
 * Allocation lifetime of the short runs: `-n 100` takes at most ~9 s from Allocate to Refresh(0) (1 s of
 * connects, a start delay of 1–6 s, 100 messages 20 ms apart).
 */
const SHORT_LIFETIME_S = 13;
const MESSAGE_BYTES = 170;

type Transport = 'udp' | 'tcp' | 'tls';

interface Relayed {
  clientToPeer: number;
  peerToClient: number;
}

describe.skipIf(!uclientAvailable)('bundled TURN server under coturn 4.6.1 turnutils_uclient', () => {
  let peer: TurnPeer;
  let server: RunningTurnServer | null = null;

  beforeAll(async () => {
    peer = await startTurnPeer();
  });

  afterEach(async () => {
    await server?.close();
    server = null;
  });

  afterAll(async () => {
    await peer?.stop();
  });

  async function serve(lifetimeS: number): Promise<RunningTurnServer> {
    const turn = parseTurnFlags(
      {
        user: [`${USER}:${PASSWORD}`],
        authSecret: [SECRET],
        relayPorts: RELAY_PORTS,
        tlsPort: '0',
        allocationLifetime: String(lifetimeS),
        maxAllocationLifetime: String(lifetimeS),
        metricsPort: '0',
      },
      LISTEN,
      true,
      {},
    );
    server = await startTurnServer({ addresses: LISTEN, port: 0, turn });
    return server;
  }

  /** uclient arguments: mode flags, credentials (`-W` mints its own user name), server port, peer, size. */
  function args(s: RunningTurnServer, transport: Transport, flags: string[], n: number, m: number): string[] {
    const port = transport === 'tls' ? s.turnTls[0]!.port : s.turnUdp[0]!.port;
    const t = transport === 'udp' ? [] : transport === 'tcp' ? ['-t'] : ['-t', '-S'];
    const creds = flags.includes('-W') ? ['-u', USER] : ['-u', USER, '-w', PASSWORD];
    return [
      ...t,
      ...flags,
      ...creds,
      ...['-p', String(port), '-e', '127.0.0.1', '-r', String(peer.port)],
      ...['-n', String(n), '-m', String(m), '-l', String(MESSAGE_BYTES)],
      '127.0.0.1',
    ];
  }

  async function relayed(s: RunningTurnServer): Promise<Relayed> {
    const text = await (await fetch(s.metricsUrl!)).text();
    const value = (direction: string): number => {
      const m = new RegExp(
        `^ice_doctor_turn_relayed_packets_total\\{direction="${direction}"\\} (\\d+)$`,
        'm',
      ).exec(text);
      return m ? Number(m[1]) : 0;
    };
    return { clientToPeer: value('client-to-peer'), peerToClient: value('peer-to-client') };
  }

  /**
   * Every message sent came back through the relay; uclient counts no loss; the server's relayed-packet
   * counters grew by exactly as many packets as uclient sent and received since `before`.
   */
  async function expectLossless(
    s: RunningTurnServer,
    run: UclientRun,
    n: number,
    m: number,
    before: Relayed,
  ): Promise<void> {
    const tail = outputTail(run);
    expect(run.timedOut, tail).toBe(false);
    expect(run.exitCode, tail).toBe(0);
    expect(run.stats, tail).not.toBeNull();
    const st = run.stats!;
    expect(st.sentMsgs, tail).toBe(n * m);
    expect(st.recvMsgs, tail).toBe(st.sentMsgs);
    expect(st.lostPackets, tail).toBe(0);
    expect(st.sendDropped, tail).toBe(0);
    expect(st.sentBytes, tail).toBe(n * m * MESSAGE_BYTES);
    expect(st.recvBytes, tail).toBe(st.sentBytes);
    const after = await relayed(s);
    expect(after.clientToPeer - before.clientToPeer, tail).toBe(st.sentMsgs);
    expect(after.peerToClient - before.peerToClient, tail).toBe(st.recvMsgs);
  }

  /**
   * The server still answers a fresh STUN Binding over UDP, and its allocation table drains to 0 within
   * `drainLimitMs` (Refresh(0), connection close or expiry).
   * @returns how long the drain took, in ms.
   */
  async function expectAliveAndDrained(s: RunningTurnServer, drainLimitMs: number): Promise<number> {
    const mapped = bindingSuccessAddress(await stunBinding(s.turnUdp[0]!));
    expect(mapped?.address).toBe('127.0.0.1');
    const drainedMs = await pollUntil(() => s.engine.table.size === 0, drainLimitMs);
    expect(drainedMs, `${s.engine.table.size} allocations left after ${drainLimitMs} ms`).not.toBeNull();
    expect(s.engine.table.size).toBe(0);
    return drainedMs!;
  }

  function report(name: string, run: UclientRun, drainedMs: number): void {
    const st = run.stats;
    const numbers = st
      ? `sent ${st.sentMsgs} received ${st.recvMsgs} lost ${st.lostPackets} (${st.lostPercent}%)`
      : `no statistics (exit ${run.exitCode ?? run.signal})`;
    console.info(
      `[uclient ${name}] ${numbers}; uclient ${(run.wallMs / 1000).toFixed(1)} s; drained ${(drainedMs / 1000).toFixed(1)} s later`,
    );
  }

  /** A clean run in one mode: lossless, then alive and drained. */
  async function cleanRun(
    name: string,
    transport: Transport,
    flags: string[],
    n: number,
    lifetimeS: number,
  ): Promise<void> {
    const s = await serve(lifetimeS);
    const before = await relayed(s);
    const run = await runUclient(args(s, transport, flags, n, 10), 90_000);
    await expectLossless(s, run, n, 10, before);
    const drainedMs = await expectAliveAndDrained(s, (lifetimeS + 3) * 1000);
    report(name, run, drainedMs);
  }

  /**
   * A negative or DoS run, bounded by `limitMs` (uclient may hang on a request the server rightly dropped,
   * as it never retransmits): afterwards the server answers a Binding and relays every message of a normal
   * uclient run, and the table drains.
   */
  async function survives(name: string, flags: string[], limitMs: number): Promise<UclientRun> {
    const s = await serve(SHORT_LIFETIME_S);
    const bad = await runUclient(args(s, 'udp', flags, 100, 10), limitMs);
    expect(bindingSuccessAddress(await stunBinding(s.turnUdp[0]!))?.address, outputTail(bad)).toBe(
      '127.0.0.1',
    );
    const before = await relayed(s);
    const normal = await runUclient(args(s, 'udp', [], 20, 2), 30_000);
    await expectLossless(s, normal, 20, 2, before);
    const drainedMs = await expectAliveAndDrained(s, (SHORT_LIFETIME_S + 3) * 1000);
    report(`${name} (then a normal -n 20 -m 2 run)`, bad, drainedMs);
    report(`after ${name}: normal run`, normal, drainedMs);
    return bad;
  }

  it('UDP, RTP/RTCP pairs (EVEN-PORT R + RESERVATION-TOKEN), channels: -n 1000 -m 10 -l 170, no loss', async () => {
    await cleanRun('udp', 'udp', [], 1000, LONG_LIFETIME_S);
  }, 120_000);

  it('TCP (-t): -n 1000 -m 10 -l 170, no loss', async () => {
    await cleanRun('tcp', 'tcp', [], 1000, LONG_LIFETIME_S);
  }, 120_000);

  it('TLS (-t -S): -n 1000 -m 10 -l 170, no loss', async () => {
    await cleanRun('tls', 'tls', [], 1000, LONG_LIFETIME_S);
  }, 120_000);

  it('Send/Data indications instead of ChannelData (-s): -n 100 -m 10, no loss', async () => {
    await cleanRun('-s', 'udp', ['-s'], 100, SHORT_LIFETIME_S);
  }, 60_000);

  it('TURN REST credentials minted by uclient (-W secret): -n 100 -m 10, no loss', async () => {
    await cleanRun('-W', 'udp', ['-W', SECRET], 100, SHORT_LIFETIME_S);
  }, 60_000);

  it('no RTP/RTCP pairing (-c): -n 100 -m 10, no loss', async () => {
    await cleanRun('-c', 'udp', ['-c'], 100, SHORT_LIFETIME_S);
  }, 60_000);

  it('negative tests (-N: ChannelBind with random channel numbers) are refused with 400, and the server lives on', async () => {
    const bad = await survives('-N', ['-N'], 15_000);
    // A random 16-bit channel number is outside 0x4000–0x4FFF 15 times in 16 (RFC 8656 §12: 400).
    expect(bad.output, outputTail(bad)).toContain('channel bind: error 400');
  }, 60_000);

  it('negative protocol tests (-R: random bytes of 1 message in 10 overwritten): the server lives on', async () => {
    await survives('-R', ['-R'], 9_000);
  }, 60_000);

  it('DoS mode (-O: connect, allocate, exit without reading every answer): the server lives on', async () => {
    await survives('-O', ['-O'], 15_000);
  }, 60_000);
});
