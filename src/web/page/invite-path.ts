/**
 * Whether the page was opened from a support link (issue 17): `<base>/i/<token>`, where the token is
 * `<id>.<mac>`, each 22 base64url characters (src/support-links/invite-token.ts). The page reads the token from
 * `location.pathname`; the fragment and query play no part.
 */

/** The path prefix of a support link. */
export const INVITE_PATH_PREFIX = '/i/';

const TOKEN = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/;

/**
 * What a path says: `none` (not a support link: the page runs as it always did), `invite` with the token,
 * or `malformed` (under `/i/` but not one token: cut short, with a trailing slash or more, mistyped).
 */
export type InvitePath =
  | { readonly kind: 'none' }
  | { readonly kind: 'invite'; readonly token: string }
  | { readonly kind: 'malformed' };

/** Reads {@link InvitePath} from `pathname` (`location.pathname`, percent-encoded as the browser has it). */
export function invitePath(pathname: string): InvitePath {
  if (!pathname.startsWith(INVITE_PATH_PREFIX)) return { kind: 'none' };
  const token = pathname.slice(INVITE_PATH_PREFIX.length);
  return TOKEN.test(token) ? { kind: 'invite', token } : { kind: 'malformed' };
}

/**
 * The path links made on this page (the two-peer room link, a `#servers=` link) should carry: `/` on a
 * support link, so whoever opens them does not land on the support link (nor use up its runs); else
 * `pathname` itself.
 */
export function shareablePath(pathname: string): string {
  return invitePath(pathname).kind === 'none' ? pathname : '/';
}
