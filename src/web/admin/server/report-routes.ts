import { Router } from 'express';
import type { BrowserReport } from '../../../report/browser-schema.js';
import { InvalidCursorError } from '../../../store/cursor.js';
import type { ReportPage } from '../../../store/types.js';
import type { SupportDeps } from '../../server/support-deps.js';
import type { ReportDetail, ReportList } from '../admin-api.js';
import { filterOr400, parseOr400 } from './parse-request.js';
import { filterQuerySchema, listQuerySchema } from './report-query.js';
import { sendError } from './send-error.js';

const REPORT_ID = /^[A-Za-z0-9_-]{22}$/;

/**
 * The stored reports, mounted under `/admin/api` behind the session check:
 * - `GET /reports?from&to&verdict&mapping&label&invite&limit&cursor` → {@link ReportList} (newest first);
 * - `GET /reports/:id` → {@link ReportDetail}, `404 {error: 'report-unknown'}`;
 * - `GET /aggregates?from&to&verdict&mapping&label&invite` → `ReportAggregates`.
 * Bad queries (a cursor this store did not write included): `400 {error: 'invalid-request', message}`
 * (report-query.ts names the accepted values).
 */
export function reportRoutes(deps: SupportDeps): Router {
  const router = Router();
  router.get('/reports', async (req, res) => {
    const q = parseOr400(listQuerySchema, req.query, res);
    const filter = q && filterOr400(q, res);
    if (q === undefined || filter === undefined) return;
    let page: ReportPage;
    try {
      page = await deps.store.listReports(filter, q.limit, q.cursor ?? null);
    } catch (err) {
      if (err instanceof InvalidCursorError) return sendError(res, 400, 'invalid-request', err.message);
      throw err;
    }
    const body: ReportList = { rows: page.rows, nextCursor: page.nextCursor };
    res.json(body);
  });
  router.get('/reports/:id', async (req, res) => {
    const found = REPORT_ID.test(req.params.id) ? await deps.store.getReport(req.params.id) : null;
    if (found === null)
      return sendError(res, 404, 'report-unknown', 'no such report (deleted by retention?)');
    const body: ReportDetail = {
      summary: found.summary,
      report: JSON.parse(found.reportJson) as BrowserReport,
    };
    res.json(body);
  });
  router.get('/aggregates', async (req, res) => {
    const q = parseOr400(filterQuerySchema, req.query, res);
    const filter = q && filterOr400(q, res);
    if (filter === undefined) return;
    res.json(await deps.store.aggregate(filter));
  });
  return router;
}
