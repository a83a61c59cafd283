import { createHash, randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { SessionRecord, Store } from '../../../store/types.js';
import type { SupportDeps } from '../../server/support-deps.js';
import { sendError } from './send-error.js';
import { readCookie, SESSION_LIFETIME_MS, sessionCookieName } from './session-cookie.js';

/** Bytes of the cookie's secret (base64url in the cookie) and of the CSRF token. */
const SECRET_BYTES = 32;
const CSRF_BYTES = 16;
/** The cookie's secret: 43 base64url characters. */
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** SHA-256 (hex) of a cookie secret: all the store keeps of it, so a leaked table opens no session. */
export function sessionHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Starts a session for `username` at `nowMs`: a fresh 32-byte secret (for the cookie, never stored), a
 * fresh 16-byte CSRF token, stored as {@link SessionRecord} keyed by the secret's SHA-256, valid 12 h.
 * @returns the cookie's secret and the stored record. Rejects with the store's error.
 */
export async function startSession(
  store: Store,
  username: string,
  nowMs: number,
): Promise<{ secret: string; session: SessionRecord }> {
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  const session: SessionRecord = {
    idHash: sessionHash(secret),
    username,
    csrfToken: randomBytes(CSRF_BYTES).toString('base64url'),
    createdAtMs: nowMs,
    expiresAtMs: nowMs + SESSION_LIFETIME_MS,
  };
  await store.createSession(session);
  return { secret, session };
}

/** The session of a request, or null: its cookie's secret looked up by hash, unexpired at `deps.now()`. */
export async function findSession(deps: SupportDeps, req: Request): Promise<SessionRecord | null> {
  const secret = readCookie(req.headers.cookie, sessionCookieName(req));
  if (secret === null || !SECRET_SHAPE.test(secret)) return null;
  return deps.store.getSession(sessionHash(secret), deps.now());
}

/** The session {@link requireSession} found for this request. @throws Error when it did not run first. */
export function sessionOf(res: Response): SessionRecord {
  const session: unknown = res.locals.session;
  if (session === undefined) throw new Error('requireSession must run before this handler');
  return session as SessionRecord;
}

/**
 * Lets a request on only with a valid session (kept for {@link sessionOf}); else `401 {error:
 * 'unauthenticated'}`.
 */
export function requireSession(deps: SupportDeps): RequestHandler {
  return async (req, res, next) => {
    const session = await findSession(deps, req);
    if (session === null) {
      sendError(res, 401, 'unauthenticated', 'sign in to the dashboard first');
      return;
    }
    res.locals.session = session;
    next();
  };
}
