import { once } from 'node:events';
import type { RequestHandler, Response } from 'express';
import type { ReportFilter, Store, StoredReportSummary } from '../../../store/types.js';
import type { SupportDeps } from '../../server/support-deps.js';
import { csvLine } from './csv.js';
import { EXPORT_COLUMNS } from './export-columns.js';
import { filterOr400, parseOr400 } from './parse-request.js';
import { exportQuerySchema } from './report-query.js';

/** The most rows one export holds (the newest that match), so one request cannot hold the store for long. */
export const MAX_EXPORT_ROWS = 100_000;
/** Rows read from the store per query while exporting. */
const PAGE_ROWS = 500;

/**
 * Writes `text`, waiting for `drain` when the socket's buffer is full (backpressure).
 * @returns false when the client went away (the response closed before it drained): stop exporting.
 */
async function write(res: Response, text: string): Promise<boolean> {
  if (res.write(text)) return true;
  const done = new AbortController();
  try {
    await Promise.race([
      once(res, 'drain', { signal: done.signal }),
      once(res, 'close', { signal: done.signal }),
    ]);
  } finally {
    done.abort();
  }
  return !res.destroyed;
}

/**
 * Every row matching `filter`, newest first, one store page at a time, at most {@link MAX_EXPORT_ROWS}
 * (the loop is bounded by it); `truncated` tells whether more matched.
 */
async function* rows(
  store: Store,
  filter: ReportFilter,
): AsyncGenerator<StoredReportSummary, { truncated: boolean }> {
  let cursor: string | null = null;
  let count = 0;
  for (let pages = 0; pages < MAX_EXPORT_ROWS / PAGE_ROWS; pages++) {
    const page = await store.listReports(filter, PAGE_ROWS, cursor);
    for (const row of page.rows) {
      yield row;
      count++;
    }
    cursor = page.nextCursor;
    if (cursor === null) return { truncated: false };
  }
  return { truncated: count >= MAX_EXPORT_ROWS };
}

/**
 * `GET /admin/api/export?format=csv|json&<filter>`: the matching list rows as a download
 * (`Content-Disposition: attachment; filename=ice-doctor-reports-<UTC date>.<csv|json>`), streamed page by page:
 * - `csv`: `text/csv; charset=utf-8; header=present`, the header line then one line per row
 *   (export-columns.ts; csv.ts quotes per RFC 4180 and defuses formula starts);
 * - `json`: `{exportedAt, rows: StoredReportSummary[], truncated}` (`truncated`: more rows matched than it holds).
 * At most {@link MAX_EXPORT_ROWS} rows, newest first; bad queries → 400 `invalid-request`. A client that goes
 * away mid-export stops it (no more store reads).
 */
export function exportRoute(deps: SupportDeps): RequestHandler {
  return async (req, res) => {
    const q = parseOr400(exportQuerySchema, req.query, res);
    const filter = q && filterOr400(q, res);
    if (q === undefined || filter === undefined) return;
    const exportedAt = new Date(deps.now()).toISOString();
    res.attachment(`ice-doctor-reports-${exportedAt.slice(0, 10)}.${q.format}`);
    const it = rows(deps.store, filter);
    if (q.format === 'csv') {
      res.type('text/csv; charset=utf-8; header=present');
      let open = await write(res, csvLine(EXPORT_COLUMNS.map(([name]) => name)));
      for await (const row of it) {
        if (!open) return;
        open = await write(res, csvLine(EXPORT_COLUMNS.map(([, cell]) => cell(row))));
      }
      res.end();
      return;
    }
    res.type('application/json');
    let open = await write(res, `{"exportedAt":${JSON.stringify(exportedAt)},"rows":[`);
    let first = true;
    let next = await it.next();
    while (next.done !== true) {
      if (!open) return;
      open = await write(res, (first ? '' : ',') + JSON.stringify(next.value));
      first = false;
      next = await it.next();
    }
    res.end(`],"truncated":${next.value.truncated}}`);
  };
}
