import express, { type RequestHandler, Router } from 'express';
import { reportRateLimits } from './invite-rate-limits.js';
import { inviteStatus } from './invite-status.js';
import { ingestReport, MAX_REPORT_BYTES, reportBodyErrors } from './report-ingest.js';
import type { SupportDeps } from './support-deps.js';

/**
 * `GET /i/:token`: the page itself. The request goes on as `GET /` (an internal rewrite), so the app's
 * page handlers answer it exactly as `/` — index.html, precompressed, under the same CSP — with
 * `Cache-Control: no-store`; the page reads the token from `location.pathname`.
 */
const invitePage: RequestHandler = (req, res, next) => {
  res.set('Cache-Control', 'no-store');
  req.url = '/';
  next();
};

/**
 * The support-link routes (issue 17) of the report app, mounted before the `/api` 404:
 * - `GET /i/:token` — the page (an internal rewrite to `/`);
 * - `GET /api/invites/:token` — the invite's status (invite-status.ts);
 * - `POST /api/invites/:token/report` — rate-limited per client IP and per invite (invite-rate-limits.ts),
 *   a JSON body of at most 512 KiB (413 beyond), then report-ingest.ts.
 */
export function supportLinkRoutes(deps: SupportDeps): Router {
  const router = Router();
  router.get('/i/:token', invitePage);
  router.get('/api/invites/:token', inviteStatus(deps));
  router.post(
    '/api/invites/:token/report',
    ...reportRateLimits(),
    express.json({ limit: MAX_REPORT_BYTES }),
    ingestReport(deps),
    reportBodyErrors,
  );
  return router;
}
