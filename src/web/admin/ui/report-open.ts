import { encodeShareFragment, ShareLinkError } from '../../page/share-link.js';
import { byId, h } from '../../page/ui/dom.js';
import type { ReportDetail } from '../admin-api.js';
import { ApiFailure, api } from './api.js';
import { showError } from './status.js';

/** Offers the report as a JSON download in `#reports-error` (a report too large for a share link). */
function offerDownload(detail: ReportDetail): void {
  const blob = new Blob([JSON.stringify(detail.report, null, 2)], { type: 'application/json' });
  const link = h(
    'a',
    { href: URL.createObjectURL(blob), download: `ice-doctor-report-${detail.summary.id}.json` },
    'Download its JSON',
  );
  showError(
    'reports-error',
    'The report is too large for the read-only view (a link holds at most 32,768 characters). ',
  );
  byId('reports-error', HTMLElement).append(link);
}

/**
 * Opens stored report `id` in the report page's read-only view: fetches it (`/admin/api/reports/:id`), builds
 * the page's share link (`/#report=…`, src/web/page/share-link.ts) and goes there in this tab (Back returns
 * to the dashboard). A report too large for a link is offered as a JSON download instead; a refused request
 * is said in `#reports-error`.
 */
export async function openReport(id: string): Promise<void> {
  let detail: ReportDetail;
  try {
    detail = await api<ReportDetail>(`reports/${encodeURIComponent(id)}`);
  } catch (err) {
    if (!(err instanceof ApiFailure && err.status === 401))
      showError(
        'reports-error',
        `The report could not be opened: ${String(err instanceof Error ? err.message : err)}`,
      );
    return;
  }
  try {
    location.assign(`/${await encodeShareFragment(detail.report)}`);
  } catch (err) {
    if (err instanceof ShareLinkError && err.code === 'share-too-large') offerDownload(detail);
    else showError('reports-error', `The report could not be opened: ${String(err)}`);
  }
}
