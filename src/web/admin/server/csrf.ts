import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { sendError } from './send-error.js';
import { sessionOf } from './sessions.js';

/** The request header that carries the session's CSRF token on every non-GET dashboard request. */
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** This request's own origin: `http(s)://<Host header>`, serialized (RFC 6454 §6.2), or null when unusable. */
function ownOrigin(req: Request): string | null {
  try {
    return new URL(`${req.secure ? 'https' : 'http'}://${req.headers.host ?? ''}`).origin;
  } catch {
    return null;
  }
}

/**
 * Whether a request came from a page of this origin (Fetch Metadata and RFC 6454): its `Origin` header is
 * this server's own origin as the request reached it (scheme by listener, host and port by the Host header);
 * without an `Origin`, `Sec-Fetch-Site: same-origin`. A present cross-site or `null` Origin is refused
 * whatever `Sec-Fetch-Site` says; a request with neither header is refused.
 */
export function sameOrigin(req: Request): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const own = ownOrigin(req);
    try {
      return own !== null && new URL(origin).origin === own;
    } catch {
      return false;
    }
  }
  return req.headers['sec-fetch-site'] === 'same-origin';
}

/** Whether `given` equals `expected`, compared in constant time for equal lengths. */
function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `403 {error: 'csrf'}` for a request that is not same-origin ({@link sameOrigin}); used alone in front of
 * sign-in, which has no session yet (login CSRF).
 */
export const requireSameOrigin: RequestHandler = (req, res, next) => {
  if (SAFE_METHODS.has(req.method) || sameOrigin(req)) return next();
  sendError(res, 403, 'csrf', 'refused: the request did not come from this dashboard');
};

/**
 * CSRF protection of every non-GET request of a session (after `requireSession`): the `X-CSRF-Token` header
 * must equal the session's synchronizer token (constant-time) AND the request must be same-origin
 * ({@link sameOrigin}); else `403 {error: 'csrf'}`. GET, HEAD and OPTIONS pass (they change nothing).
 */
export const requireCsrf: RequestHandler = (req, res, next) => {
  if (SAFE_METHODS.has(req.method)) return next();
  const token = req.headers[CSRF_HEADER];
  if (
    sameOrigin(req) &&
    tokenMatches(typeof token === 'string' ? token : undefined, sessionOf(res).csrfToken)
  )
    return next();
  sendError(res, 403, 'csrf', 'refused: missing or wrong X-CSRF-Token, or not from this dashboard');
};
