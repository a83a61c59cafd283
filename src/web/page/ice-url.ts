import { ipFamily } from '../../shared/address-text.js';
import { type IceScheme, iceUrlText, parseIceServerUrl } from '../../shared/ice-url.js';
import { type Family, isLoopback } from './address.js';

/**
 * The page's policy on the shared ICE-URL parser (`shared/ice-url.ts`), for URLs as the page meets them in
 * `RTCIceServer.urls`, `RTCIceCandidate.url`, the `url` of `local-candidate` stats and
 * `RTCPeerConnectionIceErrorEvent.url`: `stun:`/`stuns:` (RFC 7064 §3.1) and `turn:`/`turns:` (RFC 7065 §3.1)
 * with an optional `?transport=udp|tcp`. It reads what the browser already accepted, so it is lenient: a
 * `//`, a `user@` part and other query parameters are tolerated (and dropped), the host is lower-cased.
 */

/** A parsed ICE server URL. */
export interface IceUrl {
  scheme: IceScheme;
  /** Host name or IP literal (IPv6 without brackets), lower-cased. */
  host: string;
  /** The port, or the scheme's default: 3478 for stun/turn, 5349 for stuns/turns (RFC 8489 §18.5, RFC 8656 §4). */
  port: number;
  /**
   * How the browser reaches the server: `tls` for `stuns:`/`turns:` (whatever `?transport=` says), `tcp` for
   * `?transport=tcp`, else `udp` (a `turn:` URL without `?transport=` is UDP in browsers).
   */
  transport: 'udp' | 'tcp' | 'tls';
}

/**
 * Parses an ICE server URL (see {@link IceUrl}); tolerates a `//` after the scheme, a `user@` part and query
 * parameters besides `transport` (all outside RFC 7065, dropped).
 * @returns the parsed URL, or null when `url` is not a stun/stuns/turn/turns URL with a valid host, a port
 * 1–65535 and, if present, `transport=udp|tcp`.
 */
export function parseIceUrl(url: string): IceUrl | null {
  const parsed = parseIceServerUrl(url);
  if (!parsed.ok) return null;
  const u = parsed.url;
  const transport = u.secure ? 'tls' : (u.transport ?? 'udp');
  return { scheme: u.scheme, host: u.host.toLowerCase(), port: u.port, transport };
}

/**
 * The URL in canonical form: `scheme:host:port` plus `?transport=tcp` for `stun:`/`turn:` over TCP (and
 * `?transport=udp` for `turn:` over UDP, so a TURN URL always says its transport). `turns:` and `stuns:` carry
 * no query. Null when the URL does not parse.
 */
export function canonicalIceUrl(url: string): string | null {
  const u = parseIceUrl(url);
  if (!u) return null;
  const t = u.transport === 'tls' ? undefined : u.transport;
  return iceUrlText(
    u.scheme,
    u.host,
    u.port,
    t === 'tcp' || (u.scheme === 'turn' && t === 'udp') ? t : undefined,
  );
}

/**
 * True when two ICE server URLs name the same server, port and transport (`turn:h` = `turn:h:3478?transport=udp`;
 * `turns:h:5349?transport=tcp` = `turns:h`). False when either does not parse.
 */
export function sameIceUrl(a: string, b: string): boolean {
  const ca = canonicalIceUrl(a);
  return ca !== null && ca === canonicalIceUrl(b);
}

/**
 * The family of the server when its URL host is an IP literal; null for a host name (its addresses are
 * unknown to the page: browsers do not expose DNS).
 */
export function urlHostFamily(url: string): Family | null {
  const u = parseIceUrl(url);
  return u ? ipFamily(u.host) : null;
}

/**
 * The URL safe to export: a `user@` part and every query parameter but `transport` are dropped; host and port
 * stay. A string that is not an ICE URL (e.g. a `ws://` signaling URL) loses its user-info, query and fragment.
 */
export function sanitizeUrl(url: string): string {
  const parsed = parseIceServerUrl(url);
  if (parsed.ok) {
    const u = parsed.url;
    return iceUrlText(u.scheme, u.host.toLowerCase(), u.port, u.transport);
  }
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1').replace(/[?#].*$/, '');
}

/**
 * True when `url` names a server on this machine: its host is a loopback literal (127.0.0.0/8, ::1) or
 * `localhost` (see `isLoopback`). False for any other host and for a URL that does not parse.
 */
export function isLoopbackUrl(url: string): boolean {
  const host = parseIceUrl(url)?.host;
  return host !== undefined && isLoopback(host, true);
}
