import { type Family, formatAddress, type TransportAddress } from '../../../src/wire/address.js';
import { MIN_CHANNEL } from '../../../src/wire/channel-data.js';
import { Attr, StunMethod } from '../../../src/wire/constants.js';
import {
  channelAttribute,
  EXCHANGE_TIMEOUT_MS,
  IPV6_FAMILY,
  peerAttribute,
  RawTurnClient,
  type Signing,
  statusOf,
} from '../../support/turn-raw.js';
import { metricValue, scrape } from './prom-text.js';
import type { ScanTarget } from './targets.js';

/** What the scan tries toward each peer: two requests that must be answered 403, and two one-way sends. */
export type ScanMethod = 'CreatePermission' | 'ChannelBind' | 'Send' | 'ChannelData';

/** The requests and indications that name a peer, as `ice_doctor_turn_denied_peers_total` labels them. */
export type PeerMethod = Exclude<ScanMethod, 'ChannelData'>;

/** A peer the scan names, with its port. */
export type ScanPeer = ScanTarget & { port: number };

/** Everything a scan needs; JSON-serialisable, so a scanner can run as a child inside a namespace. */
export interface ScanPlan {
  /** The server's TURN endpoints (IPv4), one per client transport. */
  server: { udp: TransportAddress; tcp: TransportAddress };
  /** The scanner's own address (a session binds to it). */
  localAddress: string;
  credential: Signing;
  /** Every target is tried on each of `ports`. */
  targets: ScanTarget[];
  ports: number[];
  /** Further peers tried on their own port only, e.g. canary sockets. */
  extraPeers: ScanPeer[];
  transports: ('udp' | 'tcp')[];
  /** The server's metrics endpoint, or null to skip the metric checks. */
  metricsUrl: string | null;
  /** Peers in flight at once per session. */
  concurrency: number;
}

/** The tries of one method and the ones whose outcome was not the expected one. */
export interface MethodTally {
  tried: number;
  failures: number;
  /** The first few failures, e.g. `udp CreatePermission 10.0.0.1:80 (private 10.0.0.0/8: first host) → 200`. */
  examples: string[];
}

/** What a scan observed. */
export interface ScanResult {
  methods: Record<ScanMethod, MethodTally>;
  /** Increase of `ice_doctor_turn_denied_peers_total` per method over the scan; null without metrics. */
  denied: Record<PeerMethod, number> | null;
  /** Increase of `ice_doctor_turn_relayed_packets_total{direction="client-to-peer"}`; null without metrics. */
  relayed: number | null;
  /** Messages the server sent that answered no request (a Data indication or ChannelData: relayed traffic). */
  unsolicited: number;
  /** UDP requests sent again because their response was late (RFC 8489 §6.2.1). */
  retransmissions: number;
  /** Second responses to retransmitted requests (the server answers every copy), matched, not unsolicited. */
  duplicates: number;
  /** Wall time of the scan, in ms. */
  ms: number;
}

const PAYLOAD = Buffer.from('ice-doctor ssrf scan');
const MAX_EXAMPLES = 5;
/** How long the scan waits after its last send for anything relayed back, in ms. */
const SETTLE_MS = 300;

interface Counters {
  denied: Record<PeerMethod, number>;
  relayed: number;
}

async function counters(url: string): Promise<Counters> {
  const text = await scrape(url);
  const denied = (method: PeerMethod): number =>
    metricValue(text, 'ice_doctor_turn_denied_peers_total', `method="${method}"`);
  return {
    denied: {
      CreatePermission: denied('CreatePermission'),
      ChannelBind: denied('ChannelBind'),
      Send: denied('Send'),
    },
    relayed: metricValue(text, 'ice_doctor_turn_relayed_packets_total', 'direction="client-to-peer"'),
  };
}

/** Runs `fn` over `items` with at most `concurrency` in flight. */
async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Opens a session of `transport` from `localAddress` and allocates a relay of `family`.
 * @throws Error when the Allocate is refused (the scan would prove nothing).
 */
export async function allocatedSession(
  transport: 'udp' | 'tcp',
  server: TransportAddress,
  localAddress: string,
  credential: Signing,
  family: Family,
): Promise<RawTurnClient> {
  const options = { localAddress, retransmit: true, timeoutMs: EXCHANGE_TIMEOUT_MS };
  const session =
    transport === 'udp' ? await RawTurnClient.udp(server, options) : await RawTurnClient.tcp(server, options);
  const status = await session
    .allocate(credential, family === 'IPv6' ? [IPV6_FAMILY] : [])
    .then(statusOf, async (err: Error) => {
      await session.close();
      throw new Error(`${transport} ${family} Allocate: ${err.message}`);
    });
  if (status !== 200) {
    await session.close();
    throw new Error(`${transport} ${family} Allocate answered ${status}`);
  }
  return session;
}

/** Deletes the session's allocation (Refresh with LIFETIME 0, RFC 8656 §7.3) and closes it. */
export async function release(session: RawTurnClient, credential: Signing): Promise<void> {
  await session
    .signed(StunMethod.refresh, () => [{ type: Attr.LIFETIME, uint32: 0 }], credential)
    .catch(() => null);
  await session.close();
}

/**
 * The scan, the way a range scanner (firefart/stunner's `range-scan`) probes a TURN server for SSRF: for
 * each client transport and each relay family it allocates, then toward every peer of that family on every
 * port sends CreatePermission and ChannelBind (each must be answered 403 Forbidden, RFC 8656 §21.3),
 * ChannelData on the channel it just failed to bind, and a Send indication. The one-way sends are only
 * counted here: whether anything left is for the caller to tell (packet counters, canary sockets), helped by
 * the server's own counters when `metricsUrl` is set.
 */
export async function runScan(plan: ScanPlan): Promise<ScanResult> {
  const start = performance.now();
  const methods = Object.fromEntries(
    (['CreatePermission', 'ChannelBind', 'Send', 'ChannelData'] as const).map((m) => [
      m,
      { tried: 0, failures: 0, examples: [] as string[] },
    ]),
  ) as Record<ScanMethod, MethodTally>;
  const fail = (method: ScanMethod, what: string): void => {
    const t = methods[method];
    t.failures++;
    if (t.examples.length < MAX_EXAMPLES) t.examples.push(what);
  };
  const before = plan.metricsUrl ? await counters(plan.metricsUrl) : null;
  const peers: ScanPeer[] = [
    ...plan.targets.flatMap((t) => plan.ports.map((port) => ({ ...t, port }))),
    ...plan.extraPeers,
  ];
  const sessions: RawTurnClient[] = [];
  try {
    const runs = plan.transports.flatMap((transport) =>
      (['IPv4', 'IPv6'] as const).map(async (family) => {
        const mine = peers.filter((p) => p.family === family);
        if (mine.length === 0) return;
        const session = await allocatedSession(
          transport,
          plan.server[transport],
          plan.localAddress,
          plan.credential,
          family,
        );
        sessions.push(session);
        await pool(mine, plan.concurrency, async (peer, i) => {
          const channel = MIN_CHANNEL + (i % 0x1000);
          const where = `${transport} ${formatAddress(peer)} (${peer.origin})`;
          const expect403 = async (
            method: PeerMethod,
            attrs: (tid: Buffer) => ReturnType<typeof peerAttribute>[],
          ) => {
            methods[method].tried++;
            try {
              const status = statusOf(
                await session.signed(
                  StunMethod[method === 'CreatePermission' ? 'createPermission' : 'channelBind'],
                  attrs,
                  plan.credential,
                ),
              );
              if (status !== 403) fail(method, `${where} ${method} → ${status}`);
            } catch (err) {
              fail(method, `${where} ${method} → ${(err as Error).message}`);
            }
          };
          await expect403('CreatePermission', (tid) => [peerAttribute(peer.address, peer.port, tid)]);
          await expect403('ChannelBind', (tid) => [
            channelAttribute(channel),
            peerAttribute(peer.address, peer.port, tid),
          ]);
          session.channelData(channel, PAYLOAD);
          methods.ChannelData.tried++;
          session.sendIndication(peer.address, peer.port, PAYLOAD);
          methods.Send.tried++;
        });
      }),
    );
    await Promise.all(runs);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
  } finally {
    await Promise.all(sessions.map((s) => release(s, plan.credential)));
  }
  const after = plan.metricsUrl ? await counters(plan.metricsUrl) : null;
  return {
    methods,
    denied:
      before && after
        ? {
            CreatePermission: after.denied.CreatePermission - before.denied.CreatePermission,
            ChannelBind: after.denied.ChannelBind - before.denied.ChannelBind,
            Send: after.denied.Send - before.denied.Send,
          }
        : null,
    relayed: before && after ? after.relayed - before.relayed : null,
    unsolicited: sessions.reduce((n, s) => n + s.unsolicited, 0),
    retransmissions: sessions.reduce((n, s) => n + s.retransmissions, 0),
    duplicates: sessions.reduce((n, s) => n + s.duplicates, 0),
    ms: performance.now() - start,
  };
}
