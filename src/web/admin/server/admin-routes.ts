import express, { type ErrorRequestHandler, type RequestHandler, Router } from 'express';
import { apiNotFound } from '../../server/api-errors.js';
import type { SupportDeps } from '../../server/support-deps.js';
import { requireCsrf } from './csrf.js';
import { exportRoute } from './export-route.js';
import { inviteRoutes } from './invite-routes.js';
import { loginRoutes } from './login-routes.js';
import { reportRoutes } from './report-routes.js';
import { sendError } from './send-error.js';
import { requireSession } from './sessions.js';

/** Largest JSON body the dashboard API reads, in bytes (a sign-in or an invite is far smaller). */
const MAX_BODY_BYTES = 16 * 1024;

/**
 * `GET /admin` and `/admin/`: the dashboard page. The request goes on as `/admin/admin.html` to the app's
 * static files (scripts/build-page.mjs puts admin.html, admin.js and admin.css in `<publicDir>/admin/`),
 * served with the page's headers and CSP; it signs in or shows the dashboard itself (`/admin/api/session`).
 */
const dashboardPage: RequestHandler = (req, _res, next) => {
  req.url = '/admin.html';
  next();
};

/** A body that is not JSON → `400 {error: 'invalid-json'}`; too large → `413 {error: 'body-too-large'}`. */
const bodyErrors: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') return sendError(res, 400, 'invalid-json', 'the body is not JSON');
  if (type === 'entity.too.large')
    return sendError(res, 413, 'body-too-large', `the body is larger than ${MAX_BODY_BYTES} bytes`);
  next(err);
};

/**
 * The dashboard (issue 17), mounted at `/admin` by src/web/server/app.ts when `serve` has a store:
 * the page (`GET /admin`) and its API under `/admin/api` — every answer `Cache-Control: no-store`, JSON
 * bodies ≤ 16 KiB. Sign-in, sign-out and the session (login-routes.ts) come first; every other
 * `/admin/api` path needs a session (`401 {error: 'unauthenticated'}`, unknown paths included) and, for any
 * non-GET, the session's CSRF token in `X-CSRF-Token` and a same-origin request (`403 {error: 'csrf'}`):
 * the reports and aggregates (report-routes.ts), the export (export-route.ts), the invites
 * (invite-routes.ts); other paths `404 {error: 'not-found'}`.
 */
export function adminRoutes(deps: SupportDeps): Router {
  const api = Router();
  api.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  api.use(express.json({ limit: MAX_BODY_BYTES }), bodyErrors);
  api.use(loginRoutes(deps));
  api.use(requireSession(deps), requireCsrf);
  api.use(reportRoutes(deps));
  api.get('/export', exportRoute(deps));
  api.use(inviteRoutes(deps));
  api.use(apiNotFound);
  const router = Router();
  router.get('/', dashboardPage);
  router.use('/api', api);
  return router;
}
