import type { OutsideReach } from '../../report/browser-reach-schema.js';
import type { PathResult } from '../../report/browser-schema.js';
import type { TransportAddressJson as TransportAddress } from '../../report/schema.js';
import { hostPort, unbracketed } from '../../shared/address-text.js';
import type { OutsidePeerOffer } from '../api-schema.js';
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

/** The label of the bundled server's paths (`PathTarget.server`): it runs beside the report server. */
export const BUNDLED_SERVER = 'bundled';

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
  /** The local relay candidate of the pair to the responder (getStats), when the browser reported one. */
  relayed: { address: string; port: number } | null;
  /** Whether a pair to the responder reached `succeeded`. */
  succeeded: boolean;
  /** The sources the report server answered valid checks from; null when it could not be asked. */
  seen: TransportAddress[] | null;
  /** Why the attempt could not run (no responder, the browser refused the description …), if so. */
  reason?: string;
}

/**
 * True for an address no TURN server on the internet can send to: IPv4 private (RFC 1918), shared
 * (100.64.0.0/10), loopback, link-local; IPv6 loopback, unique local, link-local.
 */
export function isPrivateAddress(address: string): boolean {
  const ip = unbracketed(address).toLowerCase();
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(ip);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 10 ||
      a === 127 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254)
    );
  }
  return ip === '::1' || /^f[cd]/.test(ip) || /^fe[89ab]/.test(ip);
}

const same = (a: string, b: string): boolean => unbracketed(a).toLowerCase() === unbracketed(b).toLowerCase();

/**
 * Judges one attempt (see browser-reach-schema.ts for the results). `not-proved` first when the report
 * server and the TURN server run on the same host — the bundled server, or the responder's IP is the TURN
 * URL's host or the relayed IP — since traffic between them never crosses the TURN host's firewall; also
 * for a failure when the responder's address is private and the relayed one public (it could not be
 * reached from there whatever the relay's firewall does); then
 * `reachable` only when the pair succeeded AND the report server saw the checks come from the relayed address
 * (both directions, from both ends); otherwise `not-reachable`, saying which direction was seen.
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
  if (!o.reportServer)
    return result(
      'not-proved',
      `the report server could not be the outside peer: ${o.reason ?? 'no responder'}`,
    );
  const here = o.reportServer.address;
  if (o.server === BUNDLED_SERVER || same(here, o.turnHost) || (o.relayed && same(here, o.relayed.address)))
    return result(
      'not-proved',
      `the report server (${here}) and the TURN server run on the same host, so the proof would not cross a firewall; run the page's report server on another host (or use turn-check's outside-reach check) to prove it`,
    );
  if (o.reason !== undefined) return result('not-proved', `the proof could not run: ${o.reason}`);
  if (!o.succeeded && o.relayed === null)
    return result('not-proved', "the proof's own connection got no relay candidate from this TURN server");
  if (!o.succeeded && isPrivateAddress(here) && !isPrivateAddress(o.relayed!.address))
    return result(
      'not-proved',
      `the report server's address ${here} is private and the relayed address public: a TURN server outside this network cannot send to it (give serve --public-host the report server's public IP)`,
    );
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
  if (seenByReportServer.length > 0)
    return result(
      'not-reachable',
      `the report server got the checks from ${seenByReportServer.join(', ')} and answered, but no answer came back through the relay: traffic from outside does not reach the relay port (a firewall or security group closing the relay port range)`,
    );
  return result(
    'not-reachable',
    `no check from the relayed address reached the report server at ${reportServer}: the TURN server did not relay to it (its peer policy, or outbound traffic from the relay ports blocked), or the report server's UDP port is closed`,
  );
}

/** An address from an `RTCIceCandidateStats` (`address`, or the older `ip`, and `port`). */
function candidateAddress(s: StatsLike | undefined): { address: string; port: number } | null {
  const address = str(s, 'address') ?? str(s, 'ip');
  const port = num(s, 'port');
  return address === null || port === null ? null : { address, port };
}

/**
 * What `getStats()` shows of the attempt: whether a `candidate-pair` whose remote candidate is `target`
 * reached `succeeded`, and the local relay candidate's address (that pair's local candidate, else the
 * first local `relay` candidate), null when the browser reports none.
 */
export function readOutsidePair(
  stats: readonly StatsLike[],
  target: { address: string; port: number },
): { succeeded: boolean; relayed: { address: string; port: number } | null } {
  const ids = byId(stats);
  let relayed: { address: string; port: number } | null = null;
  for (const p of stats) {
    if (p.type !== 'candidate-pair' || str(p, 'state') !== 'succeeded') continue;
    const remote = candidateAddress(ids.get(str(p, 'remoteCandidateId') ?? ''));
    if (!remote || !same(remote.address, target.address) || remote.port !== target.port) continue;
    return { succeeded: true, relayed: candidateAddress(ids.get(str(p, 'localCandidateId') ?? '')) };
  }
  for (const s of stats)
    if (s.type === 'local-candidate' && str(s, 'candidateType') === 'relay') {
      relayed = candidateAddress(s);
      if (relayed) break;
    }
  return { succeeded: false, relayed };
}

/**
 * The plain answer's statement on reach from outside (key `relay-outside`), from the TURN paths that have an
 * outside-reach result: `ok` when one is reachable, `fail` when none is and one is not reachable, else
 * `unknown` with why it could not be proved (e.g. both servers on one host). None when no path has one (a
 * report from before this proof, or no TURN path gathered).
 */
export function outsideReachStatements(paths: readonly PathResult[]): Statement[] {
  const tried = paths.filter((p) => p.outsideReach !== undefined);
  const by = (r: OutsideReach['result']) => tried.filter((p) => p.outsideReach?.result === r);
  const first = tried[0]?.outsideReach;
  if (!first) return [];
  const key = 'relay-outside';
  const reachable = by('reachable');
  if (reachable.length > 0) {
    const urls = [...new Set(reachable.map((p) => p.url))];
    const from = first.reportServer ?? 'the report server';
    return [
      {
        key,
        mark: 'ok',
        text: 'The relay is reachable from outside the TURN host',
        why: `${urls.join(', ')} from ${from}`,
      },
    ];
  }
  const closed = by('not-reachable')[0]?.outsideReach;
  if (closed)
    return [
      { key, mark: 'fail', text: 'The relay is not reachable from the report server', why: closed.detail },
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
