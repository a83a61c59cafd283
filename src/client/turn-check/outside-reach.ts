import { randomBytes } from 'node:crypto';
import type { TransportAddress } from '../../wire/address.js';
import { XorRelayedAddress } from '../../wire/attributes/addresses.js';
import { Data } from '../../wire/attributes/data.js';
import { ErrorCode } from '../../wire/attributes/error-code.js';
import { Lifetime } from '../../wire/attributes/lifetime.js';
import { XorPeerAddress } from '../../wire/attributes/xor-peer-address.js';
import type { AttributeSpec } from '../../wire/build.js';
import { StunClass, StunMethod } from '../../wire/constants.js';
import { localAddresses } from '../transport/local-addresses.js';
import type { RttEstimator } from '../transport/rtt.js';
import { LinkConnectError } from './link.js';
import { OutsidePeer } from './outside-peer.js';
import type { OutsideReachObservation, ReachPortObservation } from './reach-observations.js';
import type { TurnRequestResult, TurnSession } from './session.js';

/** Relay ports sampled per target: this many allocations, made in parallel. */
export const REACH_PORTS = 3;
/** Longest wait for the outside peer's Binding answer, in ms (a `turns:` port need not answer over UDP). */
const BINDING_WAIT_MS = 500;
/** Bounds of the wait for data in each direction, in ms: 3 × RTO within them. */
const MIN_WAIT_MS = 600;
const MAX_WAIT_MS = 1000;
/** Bounds of the pause between paced sends, in ms: the RTO within them. */
const MIN_PACE_MS = 50;
const MAX_PACE_MS = 200;

/** What the reach check needs from the target's run. */
export interface ReachContext {
  /** The TURN server address connected to (the resolve step's). */
  server: TransportAddress;
  /** Where the outside peer sends its UDP Binding ({@link bindingAddress}). */
  bindingTo: TransportAddress;
  /** XOR-MAPPED-ADDRESS of the first Allocate response, or null. */
  clientMapped: TransportAddress | null;
  /** Opens one more TURN session on the target's transport; the caller closes it with the run. */
  open: () => Promise<TurnSession | LinkConnectError>;
  /** The attributes of the target's Allocate (REQUESTED-TRANSPORT UDP, the family). */
  allocateAttributes: AttributeSpec[];
  /** The path's RTT estimate (paces the sends and sizes the waits). */
  rtt: RttEstimator;
  /** The target's deadline: an aborted wait is recorded as not tried (null), never as "did not arrive". */
  signal: AbortSignal;
}

/** One sampled allocation while the check runs. */
interface Sample {
  session: TurnSession | null;
  port: ReachPortObservation;
}

/** The wait for data in each direction: 3 × RTO within 600–1000 ms (a lost datagram is resent meanwhile). */
export function reachWaitMs(rtoMs: number): number {
  return Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, 3 * rtoMs));
}

/** The standard STUN/TURN port over UDP (RFC 8489 §18.6, RFC 8656 §4). */
const STUN_UDP_PORT = 3478;

/**
 * Where the outside peer's UDP Binding goes for a target reached at `server` over `transport`: the server
 * itself over UDP; the same port over TCP (a `turn:` port serves both); UDP port 3478 of the same host over
 * TLS (the `turns:` port speaks TLS only).
 */
export function bindingAddress(server: TransportAddress, transport: 'udp' | 'tcp' | 'tls'): TransportAddress {
  return transport === 'tls' ? { ...server, port: STUN_UDP_PORT } : server;
}

/**
 * The longest the reach check takes on a path with retransmission timeout `rtoMs`, in ms: the Binding
 * wait ({@link BINDING_WAIT_MS}, beside the allocations) or an open + Allocate exchange (2 RTO), whichever
 * is longer, then CreatePermission (RTO), the two data waits ({@link reachWaitMs} each) and the deletes (RTO).
 * A request that needs more than one RTO is cut by the deadline and its port recorded as not tried.
 */
export function reachWorstCaseMs(rtoMs: number): number {
  return Math.ceil(Math.max(BINDING_WAIT_MS, 2 * rtoMs) + 2 * rtoMs + 2 * reachWaitMs(rtoMs));
}

/** The observation of a reach check that was not started, with the reason (`notRun`). */
export function reachNotStarted(server: TransportAddress, notRun: string): OutsideReachObservation {
  return {
    server,
    clientMapped: null,
    peerMapped: null,
    permitted: [],
    serverOnThisHost: false,
    sendError: null,
    waitMs: 0,
    ports: [],
    durationMs: 0,
    notRun,
  };
}

/** A request's outcome in a few words: `486 Allocation Quota Reached`, `no reply`, or null for success. */
function requestError(r: TurnRequestResult): string | null {
  const msg = r.response;
  if (!msg) return r.failure?.message ?? 'no reply';
  if (msg.cls === StunClass.successResponse) return null;
  const e = ErrorCode.decode(msg);
  return e ? `${e.code} ${e.reason.replace(/[^\x20-\x7e]/g, '').trim()}`.trim() : 'an error response';
}

function emptyPort(setupError: string | null): ReachPortObservation {
  return {
    relayed: null,
    setupError,
    inbound: null,
    inboundSent: 0,
    peerSeen: null,
    outbound: null,
    outboundSent: 0,
    outboundTo: null,
    deleted: null,
  };
}

/** Opens a session and allocates a relay on it (RFC 8656 §7.1). */
async function allocate(ctx: ReachContext): Promise<Sample> {
  const session = await ctx.open();
  if (session instanceof LinkConnectError) return { session: null, port: emptyPort(session.message) };
  const r = await session.request(StunMethod.allocate, ctx.allocateAttributes);
  const error = requestError(r);
  const relayed = !error && r.response ? (XorRelayedAddress.decode(r.response) ?? null) : null;
  const port = emptyPort(error ?? (relayed ? null : 'no XOR-RELAYED-ADDRESS'));
  return { session, port: { ...port, relayed } };
}

/** CreatePermission (RFC 8656 §9) for each of `peers` on `s`; the first refusal is the setup error. */
async function permit(s: Sample, peers: TransportAddress[]): Promise<void> {
  if (peers.length === 0) {
    s.port.setupError = 'no address of the outside peer to permit (no XOR-MAPPED-ADDRESS came back)';
    return;
  }
  const results = await Promise.all(
    peers.map((p) => s.session!.request(StunMethod.createPermission, [XorPeerAddress.encode(p)])),
  );
  const error = results.map(requestError).find((e) => e !== null);
  if (error) s.port.setupError = `CreatePermission: ${error}`;
}

/**
 * Sends every `paceMs` until `listen` reports the datagram, `waitMs` passed, `signal` ended it, or the
 * session's link failed (TCP/TLS: closed, reset) — the datagram would not be heard then, so the direction
 * is not tried rather than "did not arrive". Not `TurnSession.retransmit`: the outside peer's leg is UDP
 * even when the session is TCP/TLS, so it is resent every RTO within the reach wait, not sent once.
 * @returns whether it arrived (null: not tried to the end — the deadline or `linkFailure`), how often it
 *   was sent, and the link's failure message.
 */
function paced(
  session: TurnSession,
  send: () => void,
  listen: (done: () => void) => () => void,
  waitMs: number,
  paceMs: number,
  signal: AbortSignal,
): Promise<{ arrived: boolean | null; sent: number; linkFailure: string | null }> {
  return new Promise((resolve) => {
    let sent = 0;
    let ended = false;
    const stops: (() => void)[] = [];
    const finish = (arrived: boolean | null, linkFailure: string | null = null): void => {
      if (ended) return;
      ended = true;
      clearInterval(pacer);
      clearTimeout(giveUp);
      for (const stop of stops) stop();
      signal.removeEventListener('abort', onAbort);
      resolve({ arrived, sent, linkFailure });
    };
    const onAbort = (): void => finish(null);
    const tick = (): void => {
      sent++;
      send();
    };
    const pacer = setInterval(tick, paceMs);
    const giveUp = setTimeout(() => finish(false), waitMs);
    stops.push(listen(() => finish(true)));
    stops.push(session.onLinkFailure((message) => finish(null, message)));
    if (signal.aborted) finish(null);
    if (ended) return;
    signal.addEventListener('abort', onAbort, { once: true });
    tick();
  });
}

/** Records a link failure of the reach session as the port's error (the direction stays not tried). */
function linkFailed(s: Sample, failure: string | null): void {
  if (failure) s.port.setupError ??= `the connection to the server failed: ${failure}`;
}

const payload = (what: string): Buffer => Buffer.concat([Buffer.from(`ice-doctor ${what} `), randomBytes(8)]);

/** Outside peer → relayed address: must arrive at the client as a Data indication (RFC 8656 §11.6). */
async function inbound(s: Sample, peer: OutsidePeer, waitMs: number, paceMs: number, signal: AbortSignal) {
  const bytes = payload('outside-in');
  const r = await paced(
    s.session!,
    () => peer.send(bytes, s.port.relayed!),
    (done) =>
      s.session!.onRelayed((d) => {
        if (!d.data.equals(bytes)) return;
        s.port.peerSeen = d.peer;
        done();
      }),
    waitMs,
    paceMs,
    signal,
  );
  s.port.inbound = r.arrived;
  s.port.inboundSent = r.sent;
  linkFailed(s, r.linkFailure);
}

/** Client → Send indication (RFC 8656 §11.2) to `to` → the outside peer's socket. */
async function outbound(
  s: Sample,
  peer: OutsidePeer,
  to: TransportAddress,
  waitMs: number,
  paceMs: number,
  signal: AbortSignal,
) {
  const bytes = payload('outside-out');
  s.port.outboundTo = to;
  const r = await paced(
    s.session!,
    () => s.session!.indication(StunMethod.send, [XorPeerAddress.encode(to), Data.encode(bytes)]),
    (done) =>
      peer.onData((d) => {
        if (d.equals(bytes)) done();
      }),
    waitMs,
    paceMs,
    signal,
  );
  s.port.outbound = r.arrived;
  s.port.outboundSent = r.sent;
  linkFailed(s, r.linkFailure);
  // Cut short (the deadline, the link): the port was not tried to the end, so it counts as not tried.
  if (r.arrived === null) s.port.inbound = null;
}

/** Refresh(LIFETIME 0) (RFC 8656 §7.3): deleted on success or 437 (already gone). */
async function remove(s: Sample): Promise<void> {
  const r = await s.session!.request(StunMethod.refresh, [Lifetime.encode(0)]);
  const code = r.response ? ErrorCode.decode(r.response)?.code : undefined;
  s.port.deleted = r.response?.cls === StunClass.successResponse || code === 437;
}

/** `peers` with one entry per IP, first seen first. */
function oneper(ips: (TransportAddress | null)[]): TransportAddress[] {
  const seen = new Map<string, TransportAddress>();
  for (const a of ips) if (a && !seen.has(a.address)) seen.set(a.address, a);
  return [...seen.values()];
}

/**
 * The reach check of one target (issue 15 §1): a plain UDP socket of ice-doctor is the outside peer.
 * In parallel: its Binding to the server (its reflexive address) and {@link REACH_PORTS} allocations on new
 * sessions; then on each allocation CreatePermission for the outside peer's IP — its Binding XOR-MAPPED-ADDRESS
 * and the first Allocate's XOR-MAPPED-ADDRESS, both, as they can differ (a NAT with several public IPs, or no
 * Binding answer over UDP for a `turns:` port) and permissions ignore the port (RFC 8656 §9); then, for every
 * port at once, the outside peer sends to the relayed address (inbound) FIRST — before the relay has sent
 * anything to the peer, so a stateful firewall in front of the relay has no pinhole open — and then the client
 * sends a Send indication back to where the relay saw the peer (the Data indication's XOR-PEER-ADDRESS; the
 * peer's reflexive address when nothing came in). Each direction waits {@link reachWaitMs}, sending every RTO
 * (50–200 ms). Every allocation is deleted with Refresh(LIFETIME 0). Never rejects; the sessions are closed
 * by the caller with the run, the peer's socket here.
 */
export async function reachFromOutside(ctx: ReachContext): Promise<OutsideReachObservation> {
  const start = performance.now();
  const base = {
    server: ctx.server,
    bindingTo: ctx.bindingTo,
    clientMapped: ctx.clientMapped,
    peerMapped: null,
    permitted: [],
    serverOnThisHost: false,
    waitMs: reachWaitMs(ctx.rtt.rtoMs),
  };
  let peer: OutsidePeer;
  try {
    peer = await OutsidePeer.open(ctx.server.family);
  } catch (err) {
    const sendError = `no UDP socket: ${(err as Error).message}`;
    return { ...base, sendError, ports: [], durationMs: performance.now() - start };
  }
  try {
    const bindingSignal = AbortSignal.any([ctx.signal, AbortSignal.timeout(BINDING_WAIT_MS)]);
    const [peerMapped, samples] = await Promise.all([
      peer.reflexive(ctx.bindingTo, ctx.rtt, bindingSignal),
      Promise.all(Array.from({ length: REACH_PORTS }, () => allocate(ctx))),
    ]);
    const peers = oneper([peerMapped, ctx.clientMapped]);
    const allocated = samples.filter((s) => s.session && s.port.relayed);
    await Promise.all(allocated.map((s) => permit(s, peers)));
    const ready = allocated.filter((s) => s.port.setupError === null);
    const waitMs = reachWaitMs(ctx.rtt.rtoMs);
    const paceMs = Math.min(MAX_PACE_MS, Math.max(MIN_PACE_MS, ctx.rtt.rtoMs));
    await Promise.all(ready.map((s) => inbound(s, peer, waitMs, paceMs, ctx.signal)));
    await Promise.all(
      ready
        .filter((s) => s.port.inbound !== null)
        .map((s) => {
          const to = s.port.peerSeen ?? peerMapped;
          return to ? outbound(s, peer, to, waitMs, paceMs, ctx.signal) : null;
        }),
    );
    await Promise.all(allocated.map(remove));
    const own = new Set(localAddresses());
    const relayedIps = samples.flatMap((s) => (s.port.relayed ? [s.port.relayed.address] : []));
    return {
      ...base,
      peerMapped,
      permitted: peers.map((p) => p.address),
      serverOnThisHost: [ctx.server.address, ...relayedIps].some((ip) => own.has(ip)),
      sendError: peer.sendError,
      waitMs,
      ports: samples.map((s) => s.port),
      durationMs: performance.now() - start,
    };
  } finally {
    peer.close();
  }
}
