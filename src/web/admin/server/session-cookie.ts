import type { CookieOptions, Request } from 'express';

/** The dashboard session's lifetime from sign-in, in ms (12 h, absolute: activity does not extend it). */
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;

/** The session cookie's name over plain HTTP. */
export const SESSION_COOKIE = 'ice_doctor_admin';

/**
 * The session cookie's name for a request: `__Host-ice_doctor_admin` when it came over TLS (RFC 6265bis
 * §4.1.3.2: Secure, no Domain, Path=/ — so a sibling host or an HTTP page cannot plant or shadow it), else
 * `ice_doctor_admin`.
 */
export function sessionCookieName(req: Request): string {
  return req.secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}

/**
 * The session cookie's attributes: HttpOnly, SameSite=Strict, Max-Age 12 h; over TLS also Secure and
 * Path=/ (the `__Host-` prefix demands Path=/), over plain HTTP Path=/admin.
 */
export function sessionCookieOptions(req: Request): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    secure: req.secure,
    path: req.secure ? '/' : '/admin',
    maxAge: SESSION_LIFETIME_MS,
  };
}

/**
 * The value of cookie `name` in a `Cookie` header (RFC 6265 §5.4: `name=value` pairs separated by `; `),
 * or null when absent. Values are taken as they are (the dashboard's are base64url, never quoted or
 * percent-encoded); the first pair of that name wins.
 */
export function readCookie(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return null;
}
