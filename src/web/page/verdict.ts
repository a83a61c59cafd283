import type {
  BrowserCandidate,
  CandidateErrorRow,
  PathKind,
  PathResult,
  SelectedPair,
  SignalingCheck,
  Verdict,
} from '../../report/browser-schema.js';
import { isLoopback } from './address.js';
import { isLoopbackUrl, parseIceUrl, sameIceUrl } from './ice-url.js';
import type { NatFacts } from './nat-facts.js';
import { onlyTls443 } from './verdict-tls-443.js';

/**
 * The page's verdict: one or two plain sentences on whether and how calls connect from this network, a
 * stable code, and the facts behind it. Codes, in the order they are tried:
 * `no-candidates` (the browser gathered nothing, not even a host candidate), `browser-ignores-loopback`
 * (Firefox, every server on a loopback address, none used), `turn-credentials-rejected`, `no-path`,
 * `signaling-blocked`, `relayed` / `direct` (from the two-peer call), `same-machine` (the servers answered
 * over loopback: they are proved, this network is not tested), `only-tls-443` (verdict-tls-443.ts), `udp-blocked-tls-works`, `udp-blocked-tcp-works`, `relay-only`, `symmetric-nat`, `turn-udp-only`,
 * `no-relay` (UDP works but every configured TURN path failed its proof), `direct` / `udp-works` (from the NAT
 * facts).
 */

/** What the verdict is judged from. */
export interface VerdictInput {
  paths: readonly PathResult[];
  /** Every candidate of the run (all paths, the call and the mapping probe). */
  candidates: readonly BrowserCandidate[];
  /** `navigator.userAgent`: Firefox's loopback rule is Firefox's alone. */
  userAgent: string;
  nat: NatFacts;
  signaling: readonly SignalingCheck[];
  candidateErrors: readonly CandidateErrorRow[];
  /**
   * The pair of the page's own `iceTransportPolicy: 'all'` call. Both ends are in this browser, so it pairs host
   * candidates whatever the network: listed as a fact, never judged on.
   */
  selectedPair: SelectedPair | null;
  /** The pair of the two-peer test (this browser ↔ another one), or null when it did not run or failed. */
  peerPair: SelectedPair | null;
}

const LABEL: Readonly<Record<PathKind, string>> = {
  stun: 'STUN',
  'turn-udp': 'TURN/UDP',
  'turn-tcp': 'TURN/TCP',
  turns: 'TURN/TLS',
};

const isTurn = (p: PathResult): boolean => p.kind !== 'stun';
const proved = (p: PathResult): boolean => p.proof?.ok === true;
const portOf = (url: string): string => String(parseIceUrl(url)?.port ?? '?');
const pairText = (p: SelectedPair): string =>
  `${p.localType} ↔ ${p.remoteType} over ${p.protocol.toUpperCase()}` +
  (p.relayProtocol ? ` (relayed over ${p.relayProtocol.toUpperCase()}${p.url ? ` via ${p.url}` : ''})` : '') +
  (p.rttMs !== null ? `, RTT ${p.rttMs} ms` : '');

function pathFact(p: PathResult): string {
  const head = `${LABEL[p.kind]} ${p.url}: `;
  if (p.kind === 'stun')
    return (
      head +
      (p.gathered
        ? `answered (srflx after ${p.firstCandidateMs ?? '?'} ms)`
        : `no answer${p.error ? ` (${p.error})` : ''}`)
    );
  if (proved(p)) return `${head}relay proved (echo ${p.proof!.rttMs ?? '?'} ms)`;
  const failed = p.proof?.assertions.find((a) => !a.ok);
  const why = p.proof?.error ?? p.error ?? (failed ? `${failed.name}: ${failed.detail}` : undefined);
  return `${head}${p.gathered ? 'relay candidate, but the proof failed' : 'no relay candidate'}${why ? ` (${why})` : ''}`;
}

/**
 * True when the STUN path `p`, without a srflx candidate, most likely did answer: no candidate error names it
 * (a harmless one, from a socket of the other address family, aside), and a proved TURN/UDP path is on the
 * same host and port (one server, one UDP socket, which answered the TURN requests). Browsers drop a srflx
 * candidate equal to a host candidate (a host without NAT), and Firefox fires no `icecandidateerror`, so a
 * missing srflx alone does not mean the STUN server was silent; a STUN timeout in Chromium is a 701 error
 * for the URL (coturn's `no-stun` answers TURN but not Binding).
 */
function stunAnsweredSilently(input: VerdictInput, p: PathResult): boolean {
  if (p.kind !== 'stun' || p.gathered) return false;
  const stun = parseIceUrl(p.url);
  if (!stun || input.candidateErrors.some((e) => !e.harmless && sameIceUrl(e.url, p.url))) return false;
  return input.paths.some((t) => {
    const turn = t.kind === 'turn-udp' && proved(t) ? parseIceUrl(t.url) : null;
    return turn !== null && turn.host === stun.host && turn.port === stun.port;
  });
}

/** True when a path works: a STUN server answered (see {@link stunAnsweredSilently}) or a relay was proved. */
const works = (input: VerdictInput, p: PathResult): boolean =>
  p.kind === 'stun' ? p.gathered || stunAnsweredSilently(input, p) : proved(p);

/** True for Gecko (Firefox, Firefox ESR, Firefox for Android), whose loopback rule this module names. */
const isFirefox = (userAgent: string): boolean => /\bFirefox\/\d/.test(userAgent);

/**
 * The paths Firefox ignored for being on loopback: in Firefox, with no loopback host candidate (the
 * `media.peerconnection.ice.loopback` preference set adds them), the paths on a loopback URL that produced no
 * srflx or relay candidate. Empty in any other browser.
 */
function ignoredLoopback(input: VerdictInput): PathResult[] {
  if (!isFirefox(input.userAgent)) return [];
  if (input.candidates.some((c) => c.type === 'host' && isLoopback(c.address))) return [];
  return input.paths.filter(
    (p) =>
      isLoopbackUrl(p.url) &&
      !input.candidates.some((c) => c.pathId === p.id && (c.type === 'srflx' || c.type === 'relay')),
  );
}

const LOOPBACK_RULE =
  'Firefox ignores STUN and TURN servers on a loopback address (127.0.0.1, ::1, localhost) unless the preference media.peerconnection.ice.loopback is true';

/** ` (reason)`, without a leading `not judged:` that would repeat the value before it; empty for none. */
const because = (reason: string | undefined): string =>
  reason ? ` (${reason.replace(/^not judged:\s*/, '')})` : '';

function facts(input: VerdictInput): string[] {
  const { nat } = input;
  const out = [
    `UDP: ${nat.udp ? 'works' : 'no reply'} (${nat.reasons.udp ?? ''})`,
    `NAT: ${nat.natPresent === null ? 'unknown' : nat.natPresent ? 'present' : 'none'} (${nat.reasons.natPresent ?? ''})`,
    `Mapping: ${nat.mapping ?? (nat.mappingVaries ? 'varies by destination' : 'not judged')}${because(nat.reasons.mapping)}`,
  ];
  if (nat.publicAddress)
    out.push(`Public address: ${nat.publicAddress.address} port ${nat.publicAddress.port}`);
  out.push(...input.paths.map(pathFact));
  const seen = new Set<string>();
  for (const e of input.candidateErrors.filter((x) => !x.harmless)) {
    const key = `${e.errorCode} ${e.url}`;
    if (!seen.has(key)) out.push(`Error ${e.errorCode} from ${e.url}: ${e.explanation}`);
    seen.add(key);
  }
  for (const s of input.signaling)
    out.push(
      `Signaling ${s.url}: ${s.ok ? `open in ${s.upgradeMs ?? '?'} ms` : `failed${s.error ? ` (${s.error})` : ''}`}`,
    );
  if (input.selectedPair)
    out.push(`The page's own call (in this browser) selected ${pairText(input.selectedPair)}`);
  if (input.peerPair) out.push(`The two-peer call selected ${pairText(input.peerPair)}`);
  const ignored = ignoredLoopback(input);
  if (ignored.length > 0)
    out.push(`${LOOPBACK_RULE} (about:config): not asked, ${ignored.map((p) => p.url).join(', ')}`);
  return out;
}

function sameMachineText(input: VerdictInput): string {
  const failed = input.paths.filter((p) => !works(input, p));
  const count = `${input.paths.length - failed.length} of ${input.paths.length} paths work`;
  const list =
    failed.length > 0 ? `; not working: ${failed.map((p) => `${LABEL[p.kind]} ${p.url}`).join(', ')}` : '';
  return `The STUN/TURN servers answered over loopback: they run on this machine, so this run proves the servers (${count}${list}) but not this network's NAT or firewall. To test this network, open this page from another device at the server's network address (serve --public-host NAME gives it a name).`;
}

function judge(input: VerdictInput): { code: string; text: string } {
  const { nat, paths, peerPair } = input;
  if (input.candidates.length === 0 && !peerPair)
    return {
      code: 'no-candidates',
      text: 'This browser gathered no ICE candidate at all, not even a host candidate (its own address): WebRTC is blocked here (a browser policy, an extension or a privacy setting) or the browser has no usable network interface. No server was reached, so this says nothing about the servers or this network.',
    };
  const ignored = ignoredLoopback(input);
  if (paths.length > 0 && ignored.length === paths.length && !peerPair)
    return {
      code: 'browser-ignores-loopback',
      text: `${LOOPBACK_RULE}, so none of this page's servers was asked: no fault of the servers. To test them from Firefox, set media.peerconnection.ice.loopback to true in about:config, or open this page at the server's network address instead of a loopback one.`,
    };
  const turn = paths.filter(isTurn);
  const provedTurn = turn.filter(proved);
  const fallback = provedTurn[0]
    ? ` TURN works here as a fallback (${LABEL[provedTurn[0].kind]} via ${provedTurn[0].url}).`
    : '';
  const rejected = input.candidateErrors.some(
    (e) => e.errorCode === 401 && parseIceUrl(e.url)?.scheme.startsWith('turn'),
  );
  if (turn.length > 0 && provedTurn.length === 0 && rejected)
    return {
      code: 'turn-credentials-rejected',
      text: nat.udp
        ? 'The TURN server rejects the credentials (401), so calls that need a relay will fail. Direct calls still work where both NATs allow them.'
        : 'The TURN server rejects the credentials (401) and UDP gets no answer: no call can connect from this network until the credentials are fixed.',
    };
  if (!nat.udp && provedTurn.length === 0 && !peerPair)
    return {
      code: 'no-path',
      text: 'No path works from this network: no STUN or TURN server answered over UDP, TCP or TLS, so calls cannot connect.',
    };
  if (input.signaling.length > 0 && input.signaling.every((s) => !s.ok))
    return {
      code: 'signaling-blocked',
      text: 'This browser cannot open the signaling WebSocket (neither ws:// nor wss://), so a call cannot even be set up from here.',
    };
  if (peerPair)
    return peerPair.localType === 'relay' || peerPair.remoteType === 'relay'
      ? {
          code: 'relayed',
          text: `The call between the two browsers went through TURN${peerPair.relayProtocol ? ` over ${peerPair.relayProtocol.toUpperCase()}` : ''}: no direct path between them worked.`,
        }
      : {
          code: 'direct',
          text: `The two browsers connected directly (${peerPair.localType} ↔ ${peerPair.remoteType} over ${peerPair.protocol.toUpperCase()}), without a relay.`,
        };
  if (nat.sameMachine) return { code: 'same-machine', text: sameMachineText(input) };
  if (!nat.udp) {
    const only443 = onlyTls443(
      turn.filter((p) => p.kind !== 'turn-udp'),
      paths.filter((p) => p.kind === 'stun' || p.kind === 'turn-udp'),
    );
    if (only443) return only443;
    const tls = provedTurn.find((p) => p.kind === 'turns');
    const tcp = provedTurn.find((p) => p.kind === 'turn-tcp');
    if (tls)
      return {
        code: 'udp-blocked-tls-works',
        text: `UDP is blocked on this network; calls will relay over TURN/TLS on ${portOf(tls.url)}.`,
      };
    if (tcp)
      return {
        code: 'udp-blocked-tcp-works',
        text: `UDP is blocked on this network; calls will relay over TURN/TCP on ${portOf(tcp.url)}.`,
      };
  }
  if (nat.publicAddress === null && provedTurn[0] && !paths.some((p) => stunAnsweredSilently(input, p)))
    return {
      code: 'relay-only',
      text: `Only TURN works from here: no STUN server answered, so direct calls cannot be set up and calls will relay via ${provedTurn[0].url}.`,
    };
  if (nat.mappingVaries)
    return {
      code: 'symmetric-nat',
      text: `This network's NAT gives a new public port per destination (symmetric-like): calls to peers behind similar NATs need TURN.${provedTurn.length > 0 ? fallback : ' No TURN path works here, so such calls will fail.'}`,
    };
  const udpTurn = provedTurn.find((p) => p.kind === 'turn-udp');
  const stream = turn.filter((p) => p.kind === 'turn-tcp' || p.kind === 'turns');
  if (udpTurn && stream.length > 0 && !stream.some(proved))
    return {
      code: 'turn-udp-only',
      text: 'TURN over UDP works, but TURN over TCP and TLS do not: calls work here, but users on networks that block UDP cannot be relayed (check the server’s TCP/TLS ports and certificate).',
    };
  if (turn.length > 0 && provedTurn.length === 0)
    return {
      code: 'no-relay',
      text: 'UDP works from here, but no TURN relay works: calls with peers behind symmetric NATs or firewalls that block UDP will fail (see the path matrix for why each relay failed).',
    };
  if (nat.natPresent === false || nat.mapping === 'endpoint-independent')
    return {
      code: 'direct',
      text: `${nat.natPresent === false ? 'UDP works and there is no NAT' : "UDP works and this network's NAT keeps one public port per socket"}: direct calls should work with most peers.${fallback}`,
    };
  return {
    code: 'udp-works',
    text: `UDP works from this network, but how its NAT maps addresses could not be judged: some calls may need TURN.${fallback}`,
  };
}

/**
 * The verdict of a run (see the codes above) with its facts: UDP, NAT and mapping with their reasons, the public
 * address, one line per path, each distinct non-harmless candidate error, each signaling check, and the
 * selected pairs.
 */
export function verdict(input: VerdictInput): Verdict {
  return { ...judge(input), facts: facts(input) };
}
