import { byId, h } from '../../page/ui/dom.js';
import type { ReportList, StoredReportSummary } from '../admin-api.js';
import { ApiFailure, api } from './api.js';
import { queryOf, relayText, timeText, transportsText } from './format.js';
import { openReport } from './report-open.js';
import { showError } from './status.js';

/** How often the first page of the list is asked again while it is on screen, in ms: a report collected a moment ago is listed within 2 s (the goal) with room for the request. */
export const POLL_MS = 1500;
/** Rows per page. */
const PAGE_ROWS = 25;

/** Cursors of the pages seen so far (`[0]` is the first page: null); the last one is on screen. */
let cursors: (string | null)[] = [null];
let nextCursor: string | null = null;
let shownJson = '';
let loading = false;
/** A load was asked for while one ran (a page button, a new filter): run once more after it. */
let again = false;
let timer: ReturnType<typeof setInterval> | null = null;

/** The filter form's fields as `[name, value]` pairs. */
function filterFields(): [string, string][] {
  return [...new FormData(byId('filters', HTMLFormElement)).entries()].map(([k, v]) => [k, String(v)]);
}

/** Points the export links at the current filter. */
function updateExportLinks(): void {
  for (const format of ['csv', 'json'])
    byId(`export-${format}`, HTMLAnchorElement).href =
      `/admin/api/export?${queryOf(filterFields(), { format })}`;
}

function row(r: StoredReportSummary): HTMLTableRowElement {
  const open = h('button', { type: 'button', class: 'link' }, r.label === '' ? '(no label)' : r.label);
  open.addEventListener('click', () => void openReport(r.id));
  return h(
    'tr',
    { 'data-id': r.id, 'data-verdict': r.verdict },
    h('td', {}, open),
    h('td', {}, timeText(r.receivedAtMs)),
    h('td', {}, r.verdict),
    h('td', {}, r.mapping ?? 'unknown'),
    h('td', {}, transportsText(r.transportsOk)),
    h('td', {}, relayText(r)),
  );
}

function render(list: ReportList): void {
  const tbody = byId('report-list', HTMLTableElement).tBodies[0]!;
  tbody.replaceChildren(
    ...(list.rows.length === 0
      ? [h('tr', {}, h('td', { colspan: '6', class: 'empty' }, 'No reports match.'))]
      : list.rows.map(row)),
  );
  byId('page-prev', HTMLButtonElement).disabled = cursors.length === 1;
  byId('page-next', HTMLButtonElement).disabled = list.nextCursor === null;
}

/**
 * Loads the page on screen (the last cursor) with the form's filter and redraws the table when the answer
 * changed (a poll that brings nothing new leaves the rows, and a click on them, alone).
 */
export async function refreshReports(): Promise<void> {
  if (loading) {
    again = true;
    return;
  }
  loading = true;
  try {
    const cursor = cursors[cursors.length - 1] ?? null;
    const extra: Record<string, string> = { limit: String(PAGE_ROWS), ...(cursor ? { cursor } : {}) };
    const list = await api<ReportList>(`reports?${queryOf(filterFields(), extra)}`);
    showError('reports-error', null);
    nextCursor = list.nextCursor;
    const json = JSON.stringify(list);
    if (json !== shownJson) render(list);
    shownJson = json;
  } catch (err) {
    if (!(err instanceof ApiFailure && err.status === 401))
      showError('reports-error', err instanceof Error ? err.message : String(err));
  } finally {
    loading = false;
  }
  startPolling();
  if (again) {
    again = false;
    await refreshReports();
  }
}

/** Whether the list should be polled now: on screen, the tab visible, on the first page. */
function pollable(): boolean {
  return (
    !byId('reports', HTMLElement).hidden &&
    !byId('dashboard', HTMLElement).hidden &&
    document.visibilityState === 'visible' &&
    cursors.length === 1
  );
}

/**
 * Polls the first page every {@link POLL_MS} while {@link pollable} (a report collected a moment ago shows
 * within 2 s), and refreshes when the window gets the focus back.
 */
function startPolling(): void {
  timer ??= setInterval(() => {
    if (pollable()) void refreshReports();
  }, POLL_MS);
}

/** Stops polling (sign-out). */
export function stopReports(): void {
  if (timer !== null) clearInterval(timer);
  timer = null;
}

/** Starts again from the first page (a new filter). */
function restart(): void {
  cursors = [null];
  shownJson = '';
  updateExportLinks();
  void refreshReports();
}

/** Wires the filter form, the paging buttons and the refresh on focus, once. */
export function wireReports(): void {
  const form = byId('filters', HTMLFormElement);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    restart();
  });
  form.addEventListener('reset', () => setTimeout(restart, 0));
  byId('page-next', HTMLButtonElement).addEventListener('click', () => {
    if (nextCursor === null) return;
    cursors.push(nextCursor);
    void refreshReports();
  });
  byId('page-prev', HTMLButtonElement).addEventListener('click', () => {
    if (cursors.length > 1) cursors.pop();
    void refreshReports();
  });
  window.addEventListener('focus', () => {
    if (!byId('reports', HTMLElement).hidden && !byId('dashboard', HTMLElement).hidden) void refreshReports();
  });
  updateExportLinks();
}
