import type { ReachedPort, RelayReach } from '../../report/turn-reach-schema.js';
import { formatAddress, type TransportAddress } from '../../wire/address.js';
import { reportedMs } from '../transport/rtt.js';
import { addressScope } from './address-scope.js';
import { type Finding, firstRequest, resolvedServer } from './judged.js';
import type { DataObservation, TurnTargetObservations } from './observations.js';
import type { OutsideReachObservation, ReachPortObservation } from './reach-observations.js';
import { reachWords } from './reach-words.js';
import { privateRelay, relayScopeFinding } from './relay-scope.js';

/** The reach part of a target's report and the findings it adds. */
export interface JudgedReach {
  reach: RelayReach;
  findings: Finding[];
}

/** Why the reach check did not run although it was asked for: the first thing that failed before it. */
function notRunReason(t: TurnTargetObservations): string {
  if (!resolvedServer(t)) return 'not run: the server was not reached (its name did not resolve)';
  const allocate = firstRequest(t, 'allocate');
  if (!allocate) return 'not run: the server was not reached';
  if (!allocate.success || !allocate.relayed)
    return 'not run: the Allocate failed, so there is no relay to reach';
  return 'not run';
}

/**
 * Whether relaying between the check's two allocations on the same server worked: true when both Send
 * indication steps arrived, false when one did not, null when they did not run.
 */
function insideRelay(t: TurnTargetObservations): boolean | null {
  const steps = t.observations.filter(
    (o): o is DataObservation => o.step === 'send-indication' || o.step === 'peer-send-indication',
  );
  if (steps.length < 2) return null;
  return steps.every((o) => o.received !== null);
}

/** Why the outside peer is no outsider (same host, or behind the server's own address), or null. */
function sameHostReason(o: OutsideReachObservation, relayed: TransportAddress[]): string | null {
  const peer = o.peerMapped ?? o.clientMapped;
  if (addressScope(o.server.address) === 'loopback') return `the server is on loopback (${o.server.address})`;
  if (o.serverOnThisHost) return 'the server’s address is one of this host’s own addresses';
  const own = [o.server.address, ...relayed.map((r) => r.address)];
  if (peer && own.includes(peer.address))
    return `the outside peer’s reflexive address ${peer.address} is the server’s own address (same host, or behind the same NAT)`;
  return null;
}

/**
 * Whether `ip` counts as reachable from the Internet for the reach verdict: public scope (`addressScope`).
 * The documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32: the NAT lab's "Internet"
 * side) are not in its private table, so they count as public here.
 */
function publicLike(ip: string): boolean {
  return addressScope(ip) === 'public';
}

/**
 * Why a negative verdict (closed, not public, one way, partly) cannot be given from these observations, or
 * null when it can:
 * - the outside peer's own UDP Binding got no answer (`peerMapped` null): this host was not shown to be able
 *   to send UDP to the server and get an answer, so silent relay ports may be this host's own UDP block (a
 *   corporate network that lets only TCP/TLS out — exactly where `turns:` is used);
 * - the server is reached at a non-public address, or the peer's reflexive IP is not public while a relayed
 *   IP is: the check ran inside the server's network, where reaching the public relayed address needs a NAT
 *   that hairpins.
 */
function unprovenVantage(
  o: OutsideReachObservation,
  server: TransportAddress,
  relayed: TransportAddress[],
): string | null {
  if (!o.peerMapped)
    return (
      'could not show that this host can send UDP to the server (UDP blocked here?): the outside peer’s ' +
      `Binding to ${o.bindingTo ? formatAddress(o.bindingTo) : 'the server'} over UDP got no answer, so ` +
      'silent relay ports say nothing about the server; run turn-check from a network that lets UDP out'
    );
  const inside =
    !publicLike(server.address) ||
    (!publicLike(o.peerMapped.address) && relayed.some((r) => publicLike(r.address)));
  if (inside)
    return (
      `checked from inside the server’s network (server at ${server.address}, this host seen as ` +
      `${o.peerMapped.address}): reaching the public relayed address from here needs a NAT that hairpins; ` +
      'run turn-check from outside'
    );
  return null;
}

function portReport(p: ReachPortObservation & { relayed: TransportAddress }): ReachedPort {
  return {
    relayed: p.relayed,
    inbound: p.inbound,
    outbound: p.outbound,
    peerSeen: p.peerSeen,
    error: p.setupError,
  };
}

/** Null verdicts say why; the data path as observed is still listed in `ports`. */
function withVerdict(
  base: Omit<RelayReach, 'verdict' | 'reason'>,
  verdict: RelayReach['verdict'],
  reason: string | null,
): RelayReach {
  return { ...base, verdict, reason };
}

/**
 * Judges the reach check of one target (pure, on recorded observations; issue 15 §1). Null when it was not
 * asked for (`--no-outside-reach`). In this order:
 * - not run (the server not reached, the Allocate failed) → verdict null with the reason;
 * - the outside peer on the server's own host (loopback server, the server's or a relayed IP among this
 *   host's addresses, or the peer's reflexive IP equal to the server's) → null: its datagrams never cross
 *   the firewall in front of the relay ports, so nothing can be said about peers on the Internet;
 * - a relayed address private/loopback while the server is reached on a public one → `relay-address-private`;
 * - no port tried (allocations or permissions refused, the deadline) or the peer could not send at all
 *   (no route) → null with the reason;
 * - no port reached from outside → `not-public-address` when no relayed IP is the server's address, else
 *   `closed` (finding `relay-only-inside` when the two allocations inside relayed to each other,
 *   `relay-ports-closed` otherwise);
 * - every port tried reached both ways → `reachable` (with a limit in `reason` when the outside peer's own
 *   address is private: reachable from its network, the Internet not tried); every port reached from outside but none back →
 *   `one-way`; otherwise `partly-reachable`.
 */
export function judgeOutsideReach(t: TurnTargetObservations): JudgedReach | null {
  const o = t.outsideReach;
  if (o === undefined) return null;
  if (o === null || o.notRun) {
    const reason = o?.notRun ?? notRunReason(t);
    const reach = { peerAddress: null, ports: [], reachable: 0, verdict: null, reason };
    return { reach, findings: [] };
  }
  const listed = o.ports.filter(
    (p): p is ReachPortObservation & { relayed: TransportAddress } => !!p.relayed,
  );
  const tried = listed.filter((p) => p.inbound !== null);
  const relayed = listed.map((p) => p.relayed);
  const base = {
    peerAddress: o.peerMapped ?? o.clientMapped,
    permitted: o.permitted,
    ports: listed.map(portReport),
    reachable: tried.filter((p) => p.inbound && p.outbound).length,
    waitMs: o.waitMs,
    durationMs: reportedMs(o.durationMs)!,
  };
  const words = reachWords(o, tried, insideRelay(t));
  const same = sameHostReason(o, relayed);
  if (same) {
    const path = `${base.reachable} of ${tried.length} relay ports carried data both ways`;
    return {
      reach: withVerdict(
        base,
        null,
        `${same}: datagrams from this host never cross the firewall or NAT in front of the relay ports, so ` +
          `this says nothing about peers on the Internet (${path}); run turn-check from another network`,
      ),
      findings: [],
    };
  }
  const server = o.server;
  const bad = relayed.find((r) => privateRelay(server, r));
  if (bad)
    return {
      reach: withVerdict(base, 'relay-address-private', null),
      findings: [relayScopeFinding(server, bad)!],
    };
  if (tried.length === 0) {
    const why = listed.find((p) => p.setupError)?.setupError ?? o.ports.find((p) => p.setupError)?.setupError;
    return {
      reach: withVerdict(base, null, `no relay port could be tried: ${why ?? 'no allocation'}`),
      findings: [],
    };
  }
  const inbound = tried.filter((p) => p.inbound);
  if (inbound.length === 0 && o.sendError) {
    return {
      reach: withVerdict(base, null, `the outside peer could not send from this host: ${o.sendError}`),
      findings: [],
    };
  }
  const from = base.peerAddress ? formatAddress(base.peerAddress) : 'this host';
  const notShown = base.reachable === tried.length ? null : unprovenVantage(o, server, relayed);
  if (notShown) return { reach: withVerdict(base, null, notShown), findings: [] };
  const vantage = `judged from ${from}: a firewall on this side that lets UDP out only to the TURN port would look the same`;
  if (inbound.length === 0) {
    if (!relayed.some((r) => r.address === server.address))
      return { reach: withVerdict(base, 'not-public-address', vantage), findings: [words.notPublic(server)] };
    return { reach: withVerdict(base, 'closed', vantage), findings: [words.closed()] };
  }
  if (base.reachable === tried.length) {
    const inside = base.peerAddress && addressScope(base.peerAddress.address) !== 'public';
    const limit = inside
      ? `judged from ${from}, a ${addressScope(base.peerAddress!.address)} address: reachable from this network; peers on the Internet were not tried`
      : null;
    return { reach: withVerdict(base, 'reachable', limit), findings: [] };
  }
  if (base.reachable === 0 && inbound.length === tried.length)
    return { reach: withVerdict(base, 'one-way', vantage), findings: [words.oneWay()] };
  return { reach: withVerdict(base, 'partly-reachable', vantage), findings: [words.partly()] };
}
