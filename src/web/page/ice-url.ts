import type { Family } from './address.js';
import { ipFamily } from './address.js';

/**
 * ICE server URLs as the page meets them in `RTCIceServer.urls`, `RTCIceCandidate.url`, the `url` of
 * `local-candidate` stats and `RTCPeerConnectionIceErrorEvent.url`: `stun:`/`stuns:` (RFC 7064 §3.1) and
 * `turn:`/`turns:` (RFC 7065 §3.1) with an optional `?transport=udp|tcp`. Browser-safe: no Node APIs.
 */

/** A parsed ICE server URL. */
export interface IceUrl {
  scheme: 'stun' | 'stuns' | 'turn' | 'turns';
  /** Host name or IP literal (IPv6 without brackets), lower-cased. */
  host: string;
  /** The port, or the scheme's default: 3478 for stun/turn, 5349 for stuns/turns (RFC 8489 §18.5, RFC 8656 §4). */
  port: number;
  /**
   * How the browser reaches the server: `tls` for `stuns:`/`turns:`, `tcp` for `?transport=tcp`, else `udp`
   * (a `turn:` URL without `?transport=` is UDP in browsers).
   */
  transport: 'udp' | 'tcp' | 'tls';
}

const URL_RE =
  /^(stuns?|turns?):(?:\/\/)?(?:[^@/?]*@)?(\[[0-9a-fA-F:.]+\]|[^:?/[\]@]+)(?::(\d{1,5}))?(?:\?(.*))?$/i;

/**
 * Parses an ICE server URL (see {@link IceUrl}); tolerates a `//` after the scheme and a `user@` part (both
 * outside RFC 7065, dropped).
 * @returns the parsed URL, or null when `url` is not a stun/stuns/turn/turns URL with a valid port (1–65535)
 * and, if present, `transport=udp|tcp`.
 */
export function parseIceUrl(url: string): IceUrl | null {
  const m = URL_RE.exec(url.trim());
  if (!m) return null;
  const scheme = m[1]!.toLowerCase() as IceUrl['scheme'];
  const secure = scheme === 'stuns' || scheme === 'turns';
  const port = m[3] === undefined ? (secure ? 5349 : 3478) : Number(m[3]);
  if (port < 1 || port > 65535) return null;
  const query = new Map((m[4] ?? '').split('&').map((kv) => kv.split('=') as [string, string | undefined]));
  const t = query.get('transport')?.toLowerCase();
  if (t !== undefined && t !== 'udp' && t !== 'tcp') return null;
  const transport = secure ? 'tls' : t === 'tcp' ? 'tcp' : 'udp';
  return { scheme, host: m[2]!.replace(/^\[|\]$/g, '').toLowerCase(), port, transport };
}

/**
 * The URL in canonical form: `scheme:host:port` plus `?transport=tcp` for `stun:`/`turn:` over TCP (and
 * `?transport=udp` for `turn:` over UDP, so a TURN URL always says its transport). `turns:` and `stuns:` carry
 * no query. Null when the URL does not parse.
 */
export function canonicalIceUrl(url: string): string | null {
  const u = parseIceUrl(url);
  if (!u) return null;
  const host = ipFamily(u.host) === 'IPv6' ? `[${u.host}]` : u.host;
  const query =
    u.transport === 'tcp' || (u.scheme === 'turn' && u.transport === 'udp')
      ? `?transport=${u.transport}`
      : '';
  return `${u.scheme}:${host}:${u.port}${query}`;
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
  const u = parseIceUrl(url);
  if (u) {
    const host = ipFamily(u.host) === 'IPv6' ? `[${u.host}]` : u.host;
    const explicit = /[?&]transport=(udp|tcp)/i.exec(url)?.[1]?.toLowerCase();
    return `${u.scheme}:${host}:${u.port}${explicit ? `?transport=${explicit}` : ''}`;
  }
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1').replace(/[?#].*$/, '');
}
