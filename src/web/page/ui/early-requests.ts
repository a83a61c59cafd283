/**
 * The page's first API requests, started as the very first thing app.js runs (main.ts imports this module
 * before any other), so they travel while the rest of the bundle — zod's schemas, the views — is evaluated,
 * instead of after it. The live page's two: `GET /api/config` and `GET /api/ice-servers`. A support link
 * (`/i/<token>`, invite-path.ts) starts only `GET /api/invites/<token>`: nothing that sets up a test runs
 * before the visitor presses Start (ui/invite-page.ts); a malformed one starts nothing. A share link
 * (`#report=`, share-prefix.ts) starts nothing: the read-only view asks the server for nothing.
 */
import { invitePath } from '../invite-path.js';
import { SHARE_PREFIX } from '../share-prefix.js';

const early = new Map<string, Promise<Response>>();

/** The paths to request at once for this URL. */
function firstPaths(loc: Location): string[] {
  if (loc.hash.startsWith(SHARE_PREFIX)) return [];
  const invite = invitePath(loc.pathname);
  if (invite.kind === 'invite') return [inviteStatusPath(invite.token)];
  return invite.kind === 'none' ? ['/api/config', '/api/ice-servers'] : [];
}

/** `GET` path of a support link's status (src/web/invite-api-schema.ts). */
export function inviteStatusPath(token: string): string {
  return `/api/invites/${encodeURIComponent(token)}`;
}

for (const path of firstPaths(location)) {
  const request = fetch(path, { cache: 'no-store', credentials: 'same-origin' });
  request.catch(() => undefined);
  early.set(path, request);
}

/**
 * The early request of `path`, handed out once (a later load fetches anew); undefined when none was started.
 * The promise rejects as `fetch` does (network error).
 */
export function takeEarlyRequest(path: string): Promise<Response> | undefined {
  const request = early.get(path);
  early.delete(path);
  return request;
}
