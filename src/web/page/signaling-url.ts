import type { PageConfig } from '../api-schema.js';
import { hostPort } from './address.js';

/**
 * Where the page's signaling WebSocket is (signaling-schema.ts: `/signal` over ws:// on the report server's
 * HTTP port and wss:// on its HTTPS port), and the two-peer test's invitation links (`#room=<id>` in the
 * page's URL fragment, so the room id never reaches a server log).
 */

/** `ws` (the HTTP port) or `wss` (the HTTPS port). */
export type SignalingScheme = 'ws' | 'wss';

/** The parts of `window.location` (WHATWG URL) the links are built from. */
export interface PageLocation {
  /** `http:` or `https:`. */
  protocol: string;
  hostname: string;
  origin: string;
  pathname: string;
}

/** The fragment key of an invitation link. */
const ROOM_KEY = 'room';

/**
 * `scheme://host:port/path` for the signaling endpoint. `hostname` is `Location.hostname`, whose IPv6
 * literal is already bracketed (WHATWG URL §4.5 host serializer); a bare one is bracketed here.
 */
export function signalingUrl(scheme: SignalingScheme, hostname: string, port: number, path: string): string {
  return `${scheme}://${hostPort(hostname, port)}${path.startsWith('/') ? path : `/${path}`}`;
}

/**
 * The endpoint a page uses for its own signaling: wss:// when the page came over https: (a secure page may
 * not open ws://, W3C Mixed Content §4.4), ws:// otherwise, falling back to the other listener when that
 * one is off. Null when the server has neither.
 */
export function pageSignalingUrl(
  signaling: PageConfig['signaling'],
  loc: Pick<PageLocation, 'protocol' | 'hostname'>,
): string | null {
  const { httpPort, httpsPort, path } = signaling;
  if (loc.protocol === 'https:')
    return httpsPort === null ? null : signalingUrl('wss', loc.hostname, httpsPort, path);
  if (httpPort !== null) return signalingUrl('ws', loc.hostname, httpPort, path);
  return httpsPort === null ? null : signalingUrl('wss', loc.hostname, httpsPort, path);
}

/** The invitation link to a room: this page's URL without query, with `#room=<id>`. */
export function roomLink(loc: Pick<PageLocation, 'origin' | 'pathname'>, room: string): string {
  return `${loc.origin}${loc.pathname}#${ROOM_KEY}=${encodeURIComponent(room)}`;
}

/**
 * The room id of an invitation link's fragment (`#room=<id>`, other `key=value` pairs allowed), unchecked;
 * null when the fragment has no `room`.
 */
export function roomFromHash(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, '')).get(ROOM_KEY);
}
