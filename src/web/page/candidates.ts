import { UserError } from '../../errors.js';
import type { BrowserCandidate, CandidateType } from '../../report/browser-schema.js';
import { parseIceUrl } from './ice-url.js';

/**
 * ICE candidates as the page gathers them: the RFC 8839 §5.1 candidate-attribute, its priority decoded per
 * RFC 8445 §5.1.2.1, and the report's {@link BrowserCandidate} row built from an `RTCIceCandidate`.
 */

/** A candidate line that is not RFC 8839 §5.1 grammar. `code` is `bad-candidate`. */
export class CandidateParseError extends UserError {
  override name = 'CandidateParseError';
  /** @param line the line as given. @param why what is wrong with it, in a few words. */
  constructor(line: string, why: string) {
    super('bad-candidate', `not an ICE candidate line (${why}): "${line.slice(0, 200)}"`);
  }
}

/** The fields of one RFC 8839 §5.1 candidate-attribute. */
export interface ParsedCandidate {
  foundation: string;
  /** component-id, 1–256 (1 = RTP, 2 = RTCP). */
  component: number;
  protocol: 'udp' | 'tcp';
  /** 0 – 2^32−1 on the wire; RFC 8445 §5.1.2.1 keeps it below 2^31. */
  priority: number;
  /** connection-address: an IP literal or an FQDN (browsers: an mDNS `.local` name). */
  address: string;
  port: number;
  type: CandidateType;
  /** rel-addr / rel-port (`raddr`/`rport`), null when absent. Chromium writes `0.0.0.0 0` to hide them. */
  relatedAddress: string | null;
  relatedPort: number | null;
  /** RFC 6544 §4.5 `tcptype` of a TCP candidate, null for UDP. */
  tcpType: 'active' | 'passive' | 'so' | null;
  /** The other extension attributes (`generation`, `ufrag`, `network-id`, `network-cost` …) by name. */
  extensions: Record<string, string>;
}

const TYPES: readonly string[] = ['host', 'srflx', 'prflx', 'relay'];

function port(text: string | undefined, line: string, what: string): number {
  if (text === undefined || !/^\d{1,5}$/.test(text) || Number(text) > 65535)
    throw new CandidateParseError(line, `bad ${what} "${text ?? ''}"`);
  return Number(text);
}

/**
 * Parses an RFC 8839 §5.1 candidate-attribute: `candidate:F C udp|tcp P ADDR PORT typ T [raddr R] [rport RP]
 * [name value]…`, with or without the `a=` and `candidate:` prefixes (`RTCIceCandidate.candidate` has
 * `candidate:`, SDP has `a=candidate:`). Transport and type names are case-insensitive.
 * @throws CandidateParseError when a field is missing or malformed: component outside 1–256, priority outside
 * 0 – 2^32−1, port outside 0–65535, a transport other than UDP/TCP, an unknown type, an odd extension list.
 */
export function parseCandidateLine(line: string): ParsedCandidate {
  const tokens = line
    .trim()
    .replace(/^a=/, '')
    .replace(/^candidate:/i, '')
    .split(/\s+/);
  if (tokens.length < 8) throw new CandidateParseError(line, 'too few fields');
  const [foundation, componentText, transport, priorityText, address, portText, typ, typeText] = tokens as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!/^[A-Za-z0-9+/]{1,32}$/.test(foundation)) throw new CandidateParseError(line, 'bad foundation');
  const component = Number(componentText);
  if (!/^\d{1,3}$/.test(componentText) || component < 1 || component > 256)
    throw new CandidateParseError(line, 'component-id outside 1–256');
  const protocol = transport.toLowerCase();
  if (protocol !== 'udp' && protocol !== 'tcp')
    throw new CandidateParseError(line, `transport "${transport}" is neither UDP nor TCP`);
  if (!/^\d{1,10}$/.test(priorityText) || Number(priorityText) > 0xffffffff)
    throw new CandidateParseError(line, 'priority outside 0 – 2^32−1');
  const type = typeText.toLowerCase();
  if (typ !== 'typ' || !TYPES.includes(type))
    throw new CandidateParseError(line, 'no "typ host|srflx|prflx|relay"');
  const rest = tokens.slice(8);
  if (rest.length % 2 !== 0) throw new CandidateParseError(line, 'an extension without a value');
  const extensions: Record<string, string> = {};
  let relatedAddress: string | null = null;
  let relatedPort: number | null = null;
  let tcpType: ParsedCandidate['tcpType'] = null;
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i]!;
    const value = rest[i + 1]!;
    if (name === 'raddr') relatedAddress = value;
    else if (name === 'rport') relatedPort = port(value, line, 'rport');
    else if (name === 'tcptype' && (value === 'active' || value === 'passive' || value === 'so'))
      tcpType = value;
    else extensions[name] = value;
  }
  return {
    foundation,
    component,
    protocol,
    priority: Number(priorityText),
    address,
    port: port(portText, line, 'port'),
    type: type as CandidateType,
    relatedAddress,
    relatedPort,
    tcpType,
    extensions,
  };
}

/** The three parts of an RFC 8445 §5.1.2.1 priority. */
export interface PriorityParts {
  /** 0–126: 126 host, 110 prflx, 100 srflx, 0 relay are the RECOMMENDED values (§5.1.2.2); browsers vary. */
  typePreference: number;
  /** 0–65535: the preference of the IP address/interface (and, in browsers, of the relay protocol). */
  localPreference: number;
  /** component-id, 1–256. */
  component: number;
}

/** The largest priority RFC 8445 §5.1.2.1 allows: typePreference 126, localPreference 65535, component 1. */
export const MAX_PRIORITY = 126 * 2 ** 24 + 65535 * 2 ** 8 + 255;

/**
 * Splits a priority into its parts: `priority = 2^24·typePreference + 2^8·localPreference + (256 − component)`
 * (RFC 8445 §5.1.2.1).
 * @throws RangeError when `priority` is not an integer in 0 – {@link MAX_PRIORITY} (a typePreference above 126
 * is outside the RFC).
 */
export function decodePriority(priority: number): PriorityParts {
  if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY)
    throw new RangeError(`priority ${priority} is outside 0–${MAX_PRIORITY} (RFC 8445 §5.1.2.1)`);
  return {
    typePreference: Math.floor(priority / 2 ** 24),
    localPreference: Math.floor(priority / 2 ** 8) % 2 ** 16,
    component: 256 - (priority % 2 ** 8),
  };
}

/**
 * Joins the parts into a priority (RFC 8445 §5.1.2.1), the inverse of {@link decodePriority}.
 * @throws RangeError when a part is not an integer in its range (typePreference 0–126, localPreference
 * 0–65535, component 1–256).
 */
export function encodePriority(parts: PriorityParts): number {
  const { typePreference: t, localPreference: l, component: c } = parts;
  const inRange = (v: number, min: number, max: number): boolean =>
    Number.isInteger(v) && v >= min && v <= max;
  if (!inRange(t, 0, 126) || !inRange(l, 0, 65535) || !inRange(c, 1, 256))
    throw new RangeError(
      `priority parts out of range: typePreference ${t}, localPreference ${l}, component ${c}`,
    );
  return t * 2 ** 24 + l * 2 ** 8 + (256 - c);
}

/**
 * The fields of an `RTCIceCandidate` (W3C WebRTC §4.8.1) the page reads. `url` and `relayProtocol` are
 * missing in older browsers (pass `RTCPeerConnectionIceEvent.url` as `url` there) and empty (`''`/null) for
 * host candidates.
 */
export interface IceCandidateLike {
  candidate: string;
  url?: string | null;
  relayProtocol?: string | null;
}

/**
 * How the browser reached the TURN server of a relay candidate: `RTCIceCandidate.relayProtocol` when set,
 * otherwise derived from its URL (`turns:` → `tls`, `?transport=tcp` → `tcp`, else `udp`). Chromium 156 leaves
 * `relayProtocol` null on the `RTCIceCandidate` of a UDP relay candidate (its `local-candidate` stats do carry
 * `udp`; see test/fixtures/webrtc-stats/chromium-relay-udp.json), hence the URL fallback. Null for other
 * candidate types, or when neither field says.
 */
export function relayProtocolOf(
  type: CandidateType,
  relayProtocol: string | null | undefined,
  url: string | null | undefined,
): 'udp' | 'tcp' | 'tls' | null {
  if (type !== 'relay') return null;
  if (relayProtocol === 'udp' || relayProtocol === 'tcp' || relayProtocol === 'tls') return relayProtocol;
  const u = url ? parseIceUrl(url) : null;
  return u && (u.scheme === 'turn' || u.scheme === 'turns') ? u.transport : null;
}

/**
 * The report row of one gathered candidate (RFC 8839 §5.1 line decoded, priority split per RFC 8445
 * §5.1.2.1). `url` is null for host candidates (Chromium gives `''`); `relayProtocol` per
 * {@link relayProtocolOf}.
 * @param pathId the path (`PathTarget.id`) or `call` whose peer connection gathered it.
 * @param tMs ms since the page's run started.
 * @throws CandidateParseError for a malformed line; RangeError for a priority above {@link MAX_PRIORITY}.
 */
export function toBrowserCandidate(ice: IceCandidateLike, pathId: string, tMs: number): BrowserCandidate {
  const c = parseCandidateLine(ice.candidate);
  const parts = decodePriority(c.priority);
  const url = c.type === 'host' || !ice.url ? null : ice.url;
  return {
    pathId,
    tMs,
    type: c.type,
    foundation: c.foundation,
    protocol: c.protocol,
    address: c.address,
    port: c.port,
    priority: c.priority,
    typePreference: parts.typePreference,
    localPreference: parts.localPreference,
    component: c.component,
    relatedAddress: c.relatedAddress,
    relatedPort: c.relatedPort,
    relayProtocol: relayProtocolOf(c.type, ice.relayProtocol, url),
    url,
  };
}
