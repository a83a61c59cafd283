import type { OutsideReach } from '../../report/browser-reach-schema.js';
import type { BrowserCandidate, PathResult } from '../../report/browser-schema.js';
import type { TransportAddressJson as TransportAddress } from '../../report/schema.js';
import { type Family, hostPort, ipFamily, unbracketed } from '../../shared/address-text.js';
import { BUNDLED_SERVER_LABEL, type OutsidePeerOffer } from '../api-schema.js';
import type { Statement } from './answer.js';
import { byId, num, type StatsLike, str } from './stats.js';

/**
 * The page's "reachable from outside the TURN host" proof of one TURN path (issue 15 §1), pure parts: the
 * remote description that points a relay-only peer connection at the report server's ICE-lite responder
 * (src/web/server/outside-peer.ts), and the judgement of what the browser and the report server saw.
 * The browser sends ICE connectivity checks (RFC 8445 §7.2) from its relayed address through the TURN
 * server to the report server's UDP socket; the responder answers them. A candidate pair to that socket
 * reaching `succeeded` (W3C webrtc-stats `RTCIceCandidatePairStats.state`) proves both directions through
 * the relay port; DTLS never starts and is not needed for it.
 */

/**
 * How long checks must have been sent to the responder (the pair's `requestsSent` > 0) without an answer
 * before silence counts as evidence of "not reachable", in ms; shorter is "not proved: timed out".
 */
export const CHECKS_EVIDENCE_MS = 3000;

/**
 * The SDP answer of the report server's ICE-lite agent (RFC 8445 §2.5, RFC 8839 §5) for the page's offer of
 * one data channel: `a=ice-lite`, the issued ufrag and password, a fingerprint (DTLS is never done),
 * `a=setup:passive`, and the responder's one UDP host candidate, then `a=end-of-candidates`.
 * @param mid the `a=mid` of the offer's one m-section (Chromium and Firefox: `0`).
 */
export function outsideAnswerSdp(offer: OutsidePeerOffer, mid: string): string {
  const c = offer.candidate;
  const ipVersion = c.family === 'IPv6' ? 'IP6' : 'IP4';
  return [
    'v=0',
    `o=- 1 2 IN ${ipVersion} ${c.address}`,
    's=-',
    't=0 0',
    'a=ice-lite',
    `a=group:BUNDLE ${mid}`,
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    `c=IN ${ipVersion} ${c.family === 'IPv6' ? '::' : '0.0.0.0'}`,
    `a=ice-ufrag:${offer.ufrag}`,
    `a=ice-pwd:${offer.pwd}`,
    `a=fingerprint:sha-256 ${offer.fingerprint}`,
    'a=setup:passive',
    `a=mid:${mid}`,
    'a=sctp-port:5000',
    `a=candidate:1 1 udp 2130706431 ${c.address} ${c.port} typ host`,
    'a=end-of-candidates',
    '',
  ].join('\r\n');
}

/** The `a=mid` of the first m-section of `sdp`, or `0` when it has none. */
export function firstMid(sdp: string): string {
  return /^a=mid:(\S+)\r?$/m.exec(sdp)?.[1] ?? '0';
}

/** What the browser and the report server saw of one outside-reach attempt. */
export interface OutsideObservation {
  /** The path's server label (`PathTarget.server`) and the host of its TURN URL. */
  server: string;
  turnHost: string;
  /** The responder's address, or null when the report server has none (`reason` says why). */
  reportServer: TransportAddress | null;
  /**
   * The local relay candidate of the pair to the responder (getStats), else the first local relay candidate
   * of the responder's address family; null when the browser reported none of that family.
   */
  relayed: { address: string; port: number } | null;
  /** The address families of every local relay candidate the browser reported (empty: none). */
  relayFamilies?: Family[];
  /** Whether a pair to the responder reached `succeeded`. */
  succeeded: boolean;
  /**
   * The evidence of a failure: `failed` when the pair to the responder reached state `failed` (or the
   * connection did), `silent` when checks were sent to it (`requestsSent` > 0) for at least
   * {@link CHECKS_EVIDENCE_MS} without an answer, else `none` (out of time before either: not proved).
   * Absent counts as `none`.
   */
  failure?: 'failed' | 'silent' | 'none';
  /** The sources the report server answered valid checks from; null when it could not be asked. */
  seen: TransportAddress[] | null;
  /** Why the attempt could not run (no responder, the browser refused the description …), if so. */
  reason?: string;
}

/** Where an IP literal can be reached from: this host only, this link only, a private network, or anywhere. */
export type ReachScope = 'loopback' | 'link-local' | 'private' | 'public';

/**
 * The {@link ReachScope} of an IP literal: IPv4 loopback (127/8), link-local (169.254/16), private
 * (RFC 1918, RFC 6598 100.64/10); IPv6 loopback (::1), link-local (fe80::/10), unique local (fc00::/7);
 * IPv4-mapped IPv6 by its IPv4 part; anything else public. (src/client/turn-check/address-scope.ts classifies
 * with node:net's BlockList, which the page cannot import.)
 */
export function reachScope(address: string): ReachScope {
  const ip = unbracketed(address)
    .toLowerCase()
    .replace(/^::ffff:(?=\d+\.)/, '');
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(ip);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    if (a === 127) return 'loopback';
    if (a === 169 && b === 254) return 'link-local';
    const priv =
      a === 10 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127);
    return priv ? 'private' : 'public';
  }
  if (ip === '::1') return 'loopback';
  if (/^fe[89ab]/.test(ip)) return 'link-local';
  return /^f[cd]/.test(ip) ? 'private' : 'public';
}

/** True for an address no TURN server on the internet can send to ({@link reachScope} not `public`). */
export function isPrivateAddress(address: string): boolean {
  return reachScope(address) !== 'public';
}

const same = (a: string, b: string): boolean => unbracketed(a).toLowerCase() === unbracketed(b).toLowerCase();

/** Why a failed attempt proves nothing about this relay from the report server, or null when it may. */
function unprovable(o: OutsideObservation, here: TransportAddress): string | null {
  if (o.relayed === null) {
    const families = [...new Set(o.relayFamilies ?? [])];
    if (families.length > 0 && !families.includes(here.family))
      return `the report server's responder is ${here.family} (${here.address}) and this TURN server gave only ${families.join(' and ')} relay candidates: a relay cannot send across address families`;
    return "the proof's own connection got no relay candidate from this TURN server";
  }
  const mine = reachScope(here.address);
  const theirs = reachScope(o.relayed.address);
  if ((mine === 'loopback' || mine === 'link-local') && theirs !== 'loopback')
    return `the report server's address ${here.address} is ${mine}: a TURN server on another host cannot send to it (give serve --public-host the report server's public IP)`;
  if (mine === 'private' && theirs !== 'private')
    return `the report server's address ${here.address} is private and the relayed address ${o.relayed.address} is not: a TURN server outside this network cannot send to it (give serve --public-host the report server's public IP)`;
  return null;
}

/**
 * Judges one attempt (see browser-reach-schema.ts for the results). `not-proved` first when the report
 * server and the TURN server run on the same host — the bundled server, or the responder's IP is the TURN
 * URL's host or the relayed IP — since traffic between them never crosses the TURN host's firewall; then
 * `reachable` only when the pair succeeded AND the report server saw the checks come from the relayed address
 * (both directions, from both ends). A failure is `not-reachable` only with evidence ({@link
 * OutsideObservation.failure}: the pair failed, or checks went unanswered for {@link CHECKS_EVIDENCE_MS}) and
 * only when the report server could have been reached at all: not when the address families differ, not when
 * its address is loopback or link-local (unless the relayed one is loopback too), not when it is private and
 * the relayed one is not; each of those, and a time-out without evidence, is `not-proved` with the reason.
 */
export function judgeOutsideReach(o: OutsideObservation): OutsideReach {
  const reportServer = o.reportServer ? hostPort(o.reportServer.address, o.reportServer.port) : null;
  const relayedAddress = o.relayed ? hostPort(o.relayed.address, o.relayed.port) : null;
  const seenByReportServer = (o.seen ?? []).map((a) => hostPort(a.address, a.port));
  const result = (r: OutsideReach['result'], detail: string): OutsideReach => ({
    result: r,
    reportServer,
    relayedAddress,
    seenByReportServer,
    detail,
  });
  const sameHost = (where: string): OutsideReach =>
    result(
      'not-proved',
      `the report server (${where}) and the TURN server run on the same host, so the proof would not cross a firewall; run the page's report server on another host (or use turn-check's outside-reach check) to prove it`,
    );
  if (o.server === BUNDLED_SERVER_LABEL) return sameHost('beside the bundled TURN server');
  if (!o.reportServer)
    return result(
      'not-proved',
      `the report server could not be the outside peer: ${o.reason ?? 'no responder'}`,
    );
  const here = o.reportServer.address;
  if (same(here, o.turnHost) || (o.relayed && same(here, o.relayed.address))) return sameHost(here);
  if (o.reason !== undefined) return result('not-proved', `the proof could not run: ${o.reason}`);
  const blocked = o.succeeded ? null : unprovable(o, o.reportServer);
  if (blocked !== null) return result('not-proved', blocked);
  const sawRelay =
    o.relayed !== null &&
    (o.seen ?? []).some((a) => same(a.address, o.relayed!.address) && a.port === o.relayed!.port);
  if (o.succeeded && sawRelay)
    return result(
      'reachable',
      `the report server at ${reportServer} exchanged ICE checks with the relayed address ${relayedAddress}: the relay port sends out and lets answers in from outside the TURN host`,
    );
  if (o.succeeded)
    return result(
      'not-proved',
      `the browser's checks to the report server succeeded, but the report server did not see them come from the relayed address${relayedAddress ? ` ${relayedAddress}` : ''} (seen: ${seenByReportServer.join(', ') || 'nothing'})`,
    );
  const seenText = seenByReportServer.join(', ') || 'nothing';
  if ((o.failure ?? 'none') === 'none')
    return result(
      'not-proved',
      `timed out: the pair to the report server at ${reportServer} neither succeeded nor failed, and checks were not sent long enough to count silence as evidence (the report server saw: ${seenText})`,
    );
  if (seenByReportServer.length > 0)
    return result(
      'not-reachable',
      `the report server got the checks from ${seenText} and answered, but no answer came back through the relay: either traffic from outside does not reach the relay port (a firewall or security group closing the relay port range), or the report server's own outbound UDP (its egress firewall) dropped the answers`,
    );
  return result(
    'not-reachable',
    `no check from the relayed address reached the report server at ${reportServer}: either the TURN server did not relay to it (its peer policy, or outbound traffic from the relay ports blocked), or the report server's UDP port is closed`,
  );
}

/** An address from an `RTCIceCandidateStats` (`address`, or the older `ip`, and `port`). */
function candidateAddress(s: StatsLike | undefined): { address: string; port: number } | null {
  const address = str(s, 'address') ?? str(s, 'ip');
  const port = num(s, 'port');
  return address === null || port === null ? null : { address, port };
}

/** What `getStats()` shows of one outside-reach attempt ({@link readOutsidePair}). */
export interface OutsidePairStats {
  /** Whether a pair to the responder reached `succeeded`. */
  succeeded: boolean;
  /** Whether a pair to the responder is in state `failed` (and none succeeded). */
  failed: boolean;
  /** Whether the browser reports a candidate pair to the responder at all. */
  paired: boolean;
  /** The most ICE checks sent on one pair to the responder (`requestsSent`), 0 when there is no such pair. */
  requestsSent: number;
  /** See {@link OutsideObservation.relayed}. */
  relayed: { address: string; port: number } | null;
  /** The address families of every local relay candidate. */
  relayFamilies: Family[];
}

/**
 * What `getStats()` shows of the attempt: the candidate pairs whose remote candidate is `target` (succeeded,
 * failed, checks sent) and the local relay candidate's address (the succeeded pair's local candidate, else a
 * pair's, else the first local `relay` candidate of `target`'s family), null when the browser reports none.
 */
export function readOutsidePair(
  stats: readonly StatsLike[],
  target: { address: string; port: number },
): OutsidePairStats {
  const ids = byId(stats);
  const relays = stats
    .filter((s) => s.type === 'local-candidate' && str(s, 'candidateType') === 'relay')
    .map(candidateAddress)
    .filter((a) => a !== null);
  const relayFamilies = [
    ...new Set(relays.map((a) => ipFamily(unbracketed(a.address))).filter((f) => f !== null)),
  ];
  const family = ipFamily(unbracketed(target.address));
  let relayed = relays.find((a) => ipFamily(unbracketed(a.address)) === family) ?? null;
  let failed = false;
  let paired = false;
  let requestsSent = 0;
  for (const p of stats) {
    if (p.type !== 'candidate-pair') continue;
    const remote = candidateAddress(ids.get(str(p, 'remoteCandidateId') ?? ''));
    if (!remote || !same(remote.address, target.address) || remote.port !== target.port) continue;
    const local = candidateAddress(ids.get(str(p, 'localCandidateId') ?? ''));
    if (str(p, 'state') === 'succeeded')
      return {
        succeeded: true,
        paired: true,
        failed: false,
        requestsSent: num(p, 'requestsSent') ?? 0,
        relayed: local,
        relayFamilies,
      };
    paired = true;
    relayed = local ?? relayed;
    failed ||= str(p, 'state') === 'failed';
    requestsSent = Math.max(requestsSent, num(p, 'requestsSent') ?? 0);
  }
  return { succeeded: false, paired, failed, requestsSent, relayed, relayFamilies };
}

/**
 * Whether a TURN path's outside-reach proof may start, asked once the path's gathering and relay proof
 * returned (never before: the proof's own Allocate with the same credential could take the path's place on
 * a per-user allocation quota, e.g. coturn's `user-quota`): only when the path is proved, gathered, and
 * gathered a relay candidate (`candidates` of any path; those of `result.id` count).
 */
export function reachMayStart(
  prove: boolean,
  result: Pick<PathResult, 'id' | 'gathered'>,
  candidates: readonly Pick<BrowserCandidate, 'pathId' | 'type'>[],
): boolean {
  return prove && result.gathered && candidates.some((c) => c.pathId === result.id && c.type === 'relay');
}

/**
 * The failure evidence ({@link OutsideObservation.failure}) of an attempt that has not succeeded: `failed`
 * when a pair to the responder is `failed`, or the connection (`RTCPeerConnection.iceConnectionState`) is
 * `failed`, or it is `disconnected` with a relay candidate of the responder's family but no pair to the
 * responder left (Chromium drops the pair when the TURN server refuses its CreatePermission, e.g. 403 for a
 * denied peer, RFC 8656 §9); `silent` when checks were sent for {@link CHECKS_EVIDENCE_MS} (`sendingForMs`,
 * null when none were sent); else `none`.
 */
export function failureEvidence(
  seen: OutsidePairStats,
  iceState: string,
  sendingForMs: number | null,
): 'failed' | 'silent' | 'none' {
  if (seen.failed || iceState === 'failed') return 'failed';
  if (iceState === 'disconnected' && !seen.paired && seen.relayed !== null) return 'failed';
  return sendingForMs !== null && sendingForMs >= CHECKS_EVIDENCE_MS ? 'silent' : 'none';
}

/**
 * The plain answer's statement on reach from outside (key `relay-outside`), from the TURN paths that have an
 * outside-reach result: `ok` when one is reachable and none is not reachable, `warn` when some are and some
 * are not (the closed ones named in `why`), `fail` when none is and one is not reachable, else `unknown` with
 * why it could not be proved (e.g. both servers on one host). None when no path has one (a report from before
 * this proof, or no TURN path gathered).
 */
export function outsideReachStatements(paths: readonly PathResult[]): Statement[] {
  const tried = paths.filter((p) => p.outsideReach !== undefined);
  const by = (r: OutsideReach['result']) => tried.filter((p) => p.outsideReach?.result === r);
  const first = tried[0]?.outsideReach;
  if (!first) return [];
  const key = 'relay-outside';
  const urls = (ps: PathResult[]): string => [...new Set(ps.map((p) => p.url))].join(', ');
  const reachable = by('reachable');
  const closed = by('not-reachable');
  if (reachable.length > 0) {
    const from = first.reportServer ?? 'the report server';
    return [
      closed.length === 0
        ? {
            key,
            mark: 'ok',
            text: 'The relay is reachable from outside the TURN host',
            why: `${urls(reachable)} from ${from}`,
          }
        : {
            key,
            mark: 'warn',
            text: 'The relay is reachable from outside the TURN host on some servers only',
            why: `reachable: ${urls(reachable)}; not reachable from ${from}: ${urls(closed)} (${closed[0]!.outsideReach!.detail})`,
          },
    ];
  }
  if (closed.length > 0)
    return [
      {
        key,
        mark: 'fail',
        text: 'The relay is not reachable from the report server',
        why:
          closed.length === 1
            ? closed[0]!.outsideReach!.detail
            : `${urls(closed)}: ${closed[0]!.outsideReach!.detail}`,
      },
    ];
  return [
    {
      key,
      mark: 'unknown',
      text: 'Relay reachable from outside the TURN host: not proved',
      why: first.detail,
    },
  ];
}
