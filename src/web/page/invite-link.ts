import { ipFamily, isLoopback } from './address.js';
import { shareablePath } from './invite-path.js';
import { roomLink } from './signaling-url.js';

/**
 * The two-peer test's invitation link as another device must open it: on the `serve --public-host` name
 * (`/api/config` `publicHost`) when the server has one, keeping the page's scheme, port and path (`/` on a
 * support link, invite-path.ts `shareablePath`); and whether
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
 * The link to `room` (`#room=<id>`, signaling-url.ts `roomLink`): on `publicHost` when it is set (the page's
 * scheme, port and path kept), else on the page's own origin; never on a support link's path (`/` instead).
 */
export function inviteLink(loc: InviteLocation, room: string, publicHost: string | null): InviteLink {
  const host = publicHost === null ? loc.hostname : urlHost(publicHost);
  const origin =
    publicHost === null ? loc.origin : `${loc.protocol}//${host}${loc.port ? `:${loc.port}` : ''}`;
  return {
    url: roomLink({ origin, pathname: shareablePath(loc.pathname) }, room),
    host,
    loopback: isLoopback(host, true),
  };
}
