import type { BrowserCandidate, BrowserReport, CandidateErrorRow } from '../../report/browser-schema.js';
import type { NatVerdictField } from '../../report/schema.js';
import { type Family, hostPort, ipFamily, isLoopback, isMdnsName } from './address.js';
import { isLoopbackUrl, sameIceUrl } from './ice-url.js';

/**
 * The NAT fields of the browser report, judged from gathered candidates alone. Same names, values and meanings
 * as `ice-doctor probe --json` (src/report/schema.ts; RFC 4787 mapping/filtering, RFC 3489 §5 label): a
 * `null` always has its reason in `reasons`, keyed by field name.
 */

/** The NAT fields of a {@link BrowserReport}, plus `mappingVaries` and `sameMachine` for the verdict. */
export type NatFacts = Pick<BrowserReport, NatVerdictField | 'mappingMethod'> & {
  /** True when two STUN servers saw different mapped addresses from one socket (symmetric-like NAT). */
  mappingVaries: boolean;
  /**
   * True when servers answered (a srflx over UDP or a relay candidate) and every such candidate came from a
   * server on this machine (every server URL of the run is loopback, or the candidate's URL or address is):
   * nothing about this network's NAT or firewall was observed.
   */
  sameMachine: boolean;
};

/**
 * One peer connection that asked two or more STUN servers at once. Browsers share one UDP socket per
 * interface across the servers of one connection, so their srflx candidates come from the same base and
 * show how the NAT maps it towards each destination (RFC 4787 §4.1). A separate connection per server would
 * use other sockets and prove nothing.
 */
export interface MappingProbe {
  /** Its `pathId` in the candidates. */
  pathId: string;
  /** Its STUN servers with an IP address each (the URL's IP literal, or the address it resolves to). */
  servers: readonly { url: string; address: string }[];
  /** True once its gathering reached `complete`: a server without a candidate or an error then answered. */
  complete: boolean;
}

/** What {@link natFacts} judges from. */
export interface NatFactsInput {
  candidates: readonly BrowserCandidate[];
  /** Every STUN/TURN URL the run asked (its paths'): when all are on loopback, every answer is this machine's. */
  serverUrls: readonly string[];
  candidateErrors: readonly CandidateErrorRow[];
  mappingProbe: MappingProbe | null;
}

const FILTERING_REASON =
  'a browser cannot test filtering: a page only sees replies from addresses it sent to (no RFC 5780 CHANGE-REQUEST)';
const NO_SRFLX_REASON =
  'no srflx candidate: no STUN server answered over UDP, or the browser dropped a srflx equal to one of its host candidates (no NAT)';
const HAIRPIN_REASON = 'not tested: a page cannot send to its own mapped address outside ICE';
const SAME_MACHINE_MAPPING =
  'not judged: the STUN servers are on this machine (loopback mapped address), so no mapping towards the internet was observed';

/** The reason `natPresent` is false for a loopback mapped address (`ice-doctor probe` says "No NAT" too). */
const loopbackReason = (mapped: string): string =>
  `the STUN server is on this machine (a loopback address), so the mapped address ${mapped} crossed no NAT (this says nothing about this network's NAT towards the internet)`;

const hiddenBase = (c: BrowserCandidate): boolean =>
  c.relatedAddress === null ||
  c.relatedPort === null ||
  c.relatedPort === 0 ||
  c.relatedAddress === '0.0.0.0' ||
  c.relatedAddress === '::';

/** The srflx candidates over UDP whose address is an IP, first gathered first. */
function udpSrflx(candidates: readonly BrowserCandidate[]): BrowserCandidate[] {
  return candidates
    .filter((c) => c.type === 'srflx' && c.protocol === 'udp' && ipFamily(c.address) !== null)
    .sort((a, b) => a.tMs - b.tMs);
}

function judgeNat(
  srflx: readonly BrowserCandidate[],
  candidates: readonly BrowserCandidate[],
  local: (c: BrowserCandidate) => boolean,
): { natPresent: boolean | null; reason: string } {
  if (srflx.length === 0) return { natPresent: null, reason: NO_SRFLX_REASON };
  const outward = srflx.filter((c) => !local(c));
  if (outward.length === 0)
    return { natPresent: false, reason: loopbackReason(hostPort(srflx[0]!.address, srflx[0]!.port)) };
  const verdicts = outward.map((c) => {
    const mapped = hostPort(c.address, c.port);
    if (!hiddenBase(c)) {
      const base = hostPort(c.relatedAddress!, c.relatedPort!);
      return base === mapped
        ? { nat: false, why: `the mapped address ${mapped} is the socket's own address` }
        : { nat: true, why: `the mapped address ${mapped} differs from the socket's address ${base}` };
    }
    const hosts = candidates.filter(
      (h) => h.type === 'host' && h.pathId === c.pathId && h.protocol === 'udp',
    );
    if (hosts.some((h) => h.address === c.address && h.port === c.port))
      return { nat: false, why: `the mapped address ${mapped} is one of this browser's host candidates` };
    if (hosts.length > 0 && hosts.every((h) => ipFamily(h.address) !== null))
      return { nat: true, why: `the mapped address ${mapped} is none of this browser's host addresses` };
    return {
      nat: null,
      why: `the browser hides its local address (${hosts.some((h) => isMdnsName(h.address)) ? 'mDNS names' : 'no host candidate'}, related address 0.0.0.0), so the mapped address ${mapped} cannot be compared with it`,
    };
  });
  const found = verdicts.find((v) => v.nat === true) ?? verdicts.find((v) => v.nat === false) ?? verdicts[0]!;
  return { natPresent: found.nat, reason: found.why };
}

interface MappingVerdict {
  mapping: NatFacts['mapping'];
  method: NatFacts['mappingMethod'];
  varies: boolean;
  reason: string;
}

function judgeMapping(
  input: NatFactsInput,
  natPresent: boolean | null,
  sameMachine: boolean,
): MappingVerdict {
  if (sameMachine) return { mapping: null, method: 'none', varies: false, reason: SAME_MACHINE_MAPPING };
  if (natPresent === false)
    return {
      mapping: 'endpoint-independent',
      method: 'local-address',
      varies: false,
      reason: "no NAT: the mapped address is this host's own address",
    };
  const probe = input.mappingProbe;
  if (!probe)
    return {
      mapping: null,
      method: 'none',
      varies: false,
      reason: 'not judged: no connection asked two STUN servers on different IPs',
    };
  const srflx = udpSrflx(input.candidates).filter((c) => c.pathId === probe.pathId && !isLoopback(c.address));
  const seen = probe.servers
    .filter((s) => !isLoopback(s.address))
    .map((s) => {
      const c = srflx.find((x) => x.url !== null && sameIceUrl(x.url, s.url));
      const failed = input.candidateErrors.some((e) => e.pathId === probe.pathId && sameIceUrl(e.url, s.url));
      const state = c ? 'mapped' : failed || !probe.complete ? 'no-answer' : 'duplicate';
      return { ...s, family: ipFamily(s.address), mapped: c ? hostPort(c.address, c.port) : null, state };
    });
  const family: Family | null = srflx.length > 0 ? ipFamily(srflx[0]!.address) : null;
  const answered = seen.filter((s) => s.state !== 'no-answer' && s.family === family);
  const ips = new Set(answered.map((s) => s.address));
  const explicit = answered.filter((s) => s.mapped !== null);
  const distinct = [...new Set(explicit.map((s) => s.mapped))];
  const list = explicit.map((s) => `${s.mapped} towards ${s.url}`).join(', ');
  if (distinct.length >= 2) {
    const sameIp = explicit.flatMap((a, i) =>
      explicit
        .slice(i + 1)
        .filter((b) => b.address === a.address)
        .map((b) => [a, b]),
    );
    if (sameIp.some(([a, b]) => a!.mapped !== b!.mapped))
      return {
        mapping: 'address-and-port-dependent',
        method: 'multi-server',
        varies: true,
        reason: `a new mapping per destination port, even on one server IP (${list})`,
      };
    if (sameIp.length > 0)
      return {
        mapping: 'address-dependent',
        method: 'multi-server',
        varies: true,
        reason: `a new mapping per destination IP, kept across ports of one IP (${list})`,
      };
    return {
      mapping: null,
      method: 'multi-server',
      varies: true,
      reason: `mapping varies by destination (${list}): address-dependent or address-and-port-dependent; telling them apart needs two servers on one IP with different ports`,
    };
  }
  if (ips.size >= 2 && distinct.length === 1) {
    const dup = answered.filter((s) => s.state === 'duplicate').map((s) => s.url);
    return {
      mapping: 'endpoint-independent',
      method: 'multi-server',
      varies: false,
      reason:
        `the same mapped address ${distinct[0]} towards STUN servers on ${ips.size} IPs from one socket` +
        (dup.length > 0
          ? ` (${dup.join(', ')} answered without a new candidate: browsers drop a srflx candidate equal to one they have)`
          : ''),
    };
  }
  const silent = seen.filter((s) => s.state === 'no-answer').map((s) => s.url);
  return {
    mapping: null,
    method: 'none',
    varies: false,
    reason: `needs answers from two STUN servers on different IPs in one connection; answered from ${ips.size} IP(s)${silent.length > 0 ? `, no answer from ${silent.join(', ')}` : ''}`,
  };
}

/**
 * Judges the NAT fields from gathered candidates (W3C WebRTC `RTCIceCandidate`, RFC 8445 §5.1.1 types):
 * - `udp`: a srflx candidate over UDP or a relay candidate reached over UDP exists (a UDP reply came back).
 * - `publicAddress`: the first srflx candidate over UDP (its port is the NAT's mapped port).
 * - `natPresent`: judged from the srflx candidates of servers not on this machine (neither the mapped address,
 *   nor the candidate's URL, nor every server URL of the run is loopback): srflx ≠ its base (raddr/rport);
 *   when the browser hides the base (`0.0.0.0 0`), compared with the host candidates of the same connection,
 *   or null when those are mDNS names. When every srflx is from a server on this machine (Chromium gathers
 *   no loopback host candidate, so its srflx 127.0.0.1 has another interface as base; Firefox with its
 *   loopback preference and mDNS shows its interface's address), false: no NAT between the browser and the
 *   server, as `ice-doctor probe` says, with a reason that it tells nothing about the way to the internet.
 * - `mapping`: null + `none` when {@link NatFacts.sameMachine}; `endpoint-independent` + `local-address`
 *   without NAT; else from the {@link MappingProbe} (`multi-server`, loopback servers left out), or null +
 *   `none`.
 * - `filtering`: always null (a browser cannot test it); `hairpinning`: null (not tested).
 * - `legacyNatType`: `symmetric` when the mapping varies, `udp-blocked` when no UDP reply came while TURN over
 *   TCP/TLS answered (so the servers are up), else null (the other labels need filtering).
 */
export function natFacts(input: NatFactsInput): NatFacts {
  const reasons: Record<string, string> = { filtering: FILTERING_REASON, hairpinning: HAIRPIN_REASON };
  const srflx = udpSrflx(input.candidates);
  const relays = input.candidates.filter((c) => c.type === 'relay');
  const udpRelay = relays.find((c) => c.relayProtocol === 'udp');
  const streamRelay = relays.find((c) => c.relayProtocol === 'tcp' || c.relayProtocol === 'tls');
  const udp = srflx.length > 0 || udpRelay !== undefined;
  if (srflx[0])
    reasons.udp = `${srflx[0].url ?? 'a STUN server'} answered over UDP (srflx ${hostPort(srflx[0].address, srflx[0].port)})`;
  else if (udpRelay) reasons.udp = `${udpRelay.url ?? 'a TURN server'} answered over UDP (relay candidate)`;
  else
    reasons.udp = streamRelay
      ? `no UDP reply from any STUN/TURN server, while TURN over ${streamRelay.relayProtocol?.toUpperCase()} answered: UDP is blocked`
      : 'no UDP reply from any STUN/TURN server (no srflx candidate, no relay over UDP)';

  const allLocal = input.serverUrls.length > 0 && input.serverUrls.every(isLoopbackUrl);
  /** A candidate from a server on this machine: a loopback address, a loopback server URL, or only such servers. */
  const local = (c: BrowserCandidate): boolean =>
    allLocal || isLoopback(c.address) || (c.url !== null && isLoopbackUrl(c.url));
  const first = srflx.find((c) => !local(c)) ?? srflx[0];
  const publicAddress = first
    ? { address: first.address, port: first.port, family: ipFamily(first.address)! }
    : null;
  if (!first) reasons.publicAddress = NO_SRFLX_REASON;
  const others = [...new Set(srflx.map((c) => hostPort(c.address, c.port)))];
  const notes = [
    others.length > 1
      ? `several mapped addresses (${others.join(', ')}); the first from a server not on this machine is shown`
      : '',
    first && local(first)
      ? `the STUN server is on this machine (loopback), so ${hostPort(first.address, first.port)} is not this network's public address`
      : '',
  ].filter((n) => n !== '');
  if (notes.length > 0) reasons.publicAddress = notes.join('; ');

  const answered = [...srflx, ...relays];
  const sameMachine = answered.length > 0 && answered.every(local);
  const nat = judgeNat(srflx, input.candidates, local);
  reasons.natPresent = nat.reason;
  const m = judgeMapping(input, nat.natPresent, sameMachine);
  reasons.mapping = m.reason;

  let legacyNatType: NatFacts['legacyNatType'] = null;
  if (m.varies) {
    legacyNatType = 'symmetric';
    reasons.legacyNatType = 'the mapping varies by destination';
  } else if (!udp && streamRelay) {
    legacyNatType = 'udp-blocked';
    reasons.legacyNatType = reasons.udp;
  } else {
    reasons.legacyNatType = udp
      ? 'needs the filtering behaviour, which a browser cannot test'
      : 'no server answered at all: UDP blocked and servers down cannot be told apart';
  }
  return {
    udp,
    publicAddress,
    natPresent: nat.natPresent,
    mapping: m.mapping,
    mappingMethod: m.method,
    filtering: null,
    legacyNatType,
    hairpinning: null,
    reasons,
    mappingVaries: m.varies,
    sameMachine,
  };
}
