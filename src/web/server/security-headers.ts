import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** The ports this report server listens on (null: that listener is off). */
export interface ListenPorts {
  http: number | null;
  https: number | null;
}

/** `host[:port]` of a Host header (RFC 9110 §7.2): a DNS name, an IPv4 literal or a bracketed IPv6 literal. */
const HOST_HEADER = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;

/**
 * The host part (name, IPv4, or `[IPv6]`) of a Host header, lowercased, or null when it is missing or not
 * a plain `host[:port]` (anything else could smuggle tokens into a header that echoes it).
 */
export function hostOf(hostHeader: string | undefined): string | null {
  const m = hostHeader === undefined ? null : HOST_HEADER.exec(hostHeader);
  return m ? m[1]!.toLowerCase() : null;
}

/**
 * The WebSocket origins of this server as the page reached it: `ws://<host>:<http port>` and
 * `wss://<host>:<https port>`, with `<host>` from the request's Host header; empty when the header is
 * not a plain `host[:port]`. CSP `'self'` does not cover ws:/wss: in every browser (CSP Level 3 §6.7.2.8),
 * so `connect-src` names them.
 */
export function signalingOrigins(req: IncomingMessage, ports: ListenPorts): string[] {
  const host = hostOf(req.headers.host);
  if (host === null) return [];
  return [
    ...(ports.http === null ? [] : [`ws://${host}:${ports.http}`]),
    ...(ports.https === null ? [] : [`wss://${host}:${ports.https}`]),
  ];
}

/**
 * helmet with the page's strict Content Security Policy (CSP Level 3): `default-src 'self'; script-src
 * 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' <ws origins>; object-src 'none';
 * base-uri 'none'; frame-ancestors 'none'; form-action 'none'` — no inline script or style, no
 * `upgrade-insecure-requests` (the page is served over plain HTTP too). `X-Frame-Options: DENY`. No
 * `Strict-Transport-Security`: the HTTPS listener usually has a self-signed certificate, and HSTS would make
 * its warning impossible to click through and pin the host to HTTPS for the HTTP page.
 * @param ports read per request (the listeners' ports are known only once they are bound).
 */
export function securityHeaders(ports: () => ListenPorts): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'", (req) => signalingOrigins(req, ports()).join(' ')],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'none'"],
      },
    },
    strictTransportSecurity: false,
    xFrameOptions: { action: 'deny' },
  });
}
