import { randomBytes } from 'node:crypto';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { SupportDeps } from '../../server/support-deps.js';
import type { SessionInfo } from '../admin-api.js';
import { requireCsrf, requireSameOrigin } from './csrf.js';
import { loginRateLimit } from './login-limit.js';
import { hashPassword, verifyPassword } from './password.js';
import { sendError, sendInvalid } from './send-error.js';
import { sessionCookieName, sessionCookieOptions } from './session-cookie.js';
import { requireSession, sessionOf, startSession } from './sessions.js';

const loginSchema = z.object({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(1024),
});

/** Clears the session cookie with the attributes it was set with (a cookie is cleared only by its own Path). */
function clearCookie(req: Request, res: Response): void {
  const { maxAge: _, ...options } = sessionCookieOptions(req);
  res.clearCookie(sessionCookieName(req), options);
}

/**
 * Sign-in, sign-out and the session, mounted under `/admin/api`:
 * - `POST /login` `{username, password}` (same-origin only; rate-limited, `loginRateLimit`): 204 and the
 *   session cookie; `401 {error: 'login-failed'}` for an unknown user or a wrong password alike — an unknown
 *   user is verified against a dummy scrypt hash of the same cost, so both take one scrypt;
 * - `POST /logout` (session and CSRF token): deletes the session, clears the cookie, 204;
 * - `GET /session`: `{username, csrfToken}` ({@link SessionInfo}) or 401.
 * Expired sessions are deleted at each sign-in.
 */
export function loginRoutes(deps: SupportDeps): Router {
  const router = Router();
  const dummyHash = hashPassword(randomBytes(18).toString('base64url'));
  router.post('/login', requireSameOrigin, loginRateLimit(), async (req, res) => {
    const parsed = loginSchema.safeParse(req.body);
    if (!parsed.success) return sendInvalid(res, parsed.error);
    const { username, password } = parsed.data;
    const admin = await deps.store.getAdmin(username);
    const ok = await verifyPassword(password, admin?.passwordHash ?? (await dummyHash));
    if (admin === null || !ok) {
      deps.log.info({ remote: req.socket.remoteAddress }, 'dashboard sign-in refused');
      return sendError(res, 401, 'login-failed', 'wrong user name or password');
    }
    const now = deps.now();
    await deps.store.deleteExpiredSessions(now);
    const { secret } = await startSession(deps.store, admin.username, now);
    res.cookie(sessionCookieName(req), secret, sessionCookieOptions(req));
    res.status(204).end();
  });
  router.post('/logout', requireSession(deps), requireCsrf, async (req, res) => {
    await deps.store.deleteSession(sessionOf(res).idHash);
    clearCookie(req, res);
    res.status(204).end();
  });
  router.get('/session', requireSession(deps), (_req, res) => {
    const session = sessionOf(res);
    const body: SessionInfo = { username: session.username, csrfToken: session.csrfToken };
    res.json(body);
  });
  return router;
}
