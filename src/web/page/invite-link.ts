import { ipFamily } from './address.js';
import { roomLink } from './signaling-url.js';

/**
 * The two-peer test's invitation link as another device must open it: on the `serve --public-host` name
 * (`/api/config` `publicHost`) when the server has one, keeping the page's scheme, port and path; and whether
 * the link's host is a loopback one (127.0.0.0/8, ::1, `localhost`), which no other device can open.
 */

/** The parts of `window.location` (WHATWG URL) the link is built from. */
export interface InviteLocation {
  protocol: string;
  hostname: string;
  port: string;
  pathname: string;
  origin: string;
}

/** An invitation link and whether only this device can open it. */
export interface InviteLink {
  url: string;
  /** The link's host, as written in it (an IPv6 literal in brackets). */
  host: string;
  /** True when {@link host} is loopback: another device cannot open the link. */
  loopback: boolean;
}

/** `host` with an IPv6 literal in brackets (a bracketed one is left as it is). */
function urlHost(host: string): string {
  return ipFamily(host) === 'IPv6' ? `[${host}]` : host;
}

/**
 * True for a loopback host: 127.0.0.0/8, `::1` (bracketed or not, or IPv4-mapped `::ffff:127.x.y.z`),
 * `localhost` and names under `.localhost` (RFC 6761 §6.3), case-insensitive.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (ipFamily(h) === 'IPv4') return h.startsWith('127.');
  if (ipFamily(h) === 'IPv6') return h === '::1' || /^::ffff:127\./.test(h) || /^(0+:){7}0*1$/.test(h);
  return false;
}

/**
 * The link to `room` (`#room=<id>`, signaling-url.ts `roomLink`): on `publicHost` when it is set (the page's
 * scheme, port and path kept), else on the page's own origin.
 */
export function inviteLink(loc: InviteLocation, room: string, publicHost: string | null): InviteLink {
  const host = publicHost === null ? loc.hostname : urlHost(publicHost);
  const origin =
    publicHost === null ? loc.origin : `${loc.protocol}//${host}${loc.port ? `:${loc.port}` : ''}`;
  return { url: roomLink({ origin, pathname: loc.pathname }, room), host, loopback: isLoopbackHost(host) };
}
