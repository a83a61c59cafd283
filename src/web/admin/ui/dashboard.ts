import { byId } from '../../page/ui/dom.js';
import type { SessionInfo } from '../admin-api.js';
import { loadAggregates, wireAggregates } from './aggregates-view.js';
import { api, setCsrfToken } from './api.js';
import { loadInvites, wireInvites } from './invites-view.js';
import { refreshReports, stopReports, wireReports } from './reports-view.js';
import { setStatus, setView } from './status.js';

const TABS = ['reports', 'aggregates', 'invites'] as const;
type Tab = (typeof TABS)[number];

/** Shows one section; the reports list is (re)loaded and polled, the others loaded, when shown. */
function showTab(tab: Tab): void {
  for (const t of TABS) byId(t, HTMLElement).hidden = t !== tab;
  for (const b of document.querySelectorAll<HTMLButtonElement>('button.tab'))
    b.setAttribute('aria-pressed', String(b.dataset.tab === tab));
  if (tab === 'reports') void refreshReports();
  if (tab === 'aggregates') void loadAggregates();
  if (tab === 'invites') void loadInvites();
}

/**
 * Wires the dashboard once: the tabs (Reports, Aggregates, Invites), sign-out (POST `/admin/api/logout`,
 * then the sign-in form) and each section's controls.
 */
export function wireDashboard(): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('button.tab'))
    b.addEventListener('click', () => showTab(b.dataset.tab as Tab));
  byId('sign-out', HTMLButtonElement).addEventListener('click', () => {
    stopReports();
    void api<undefined>('logout', 'POST').finally(() => {
      setCsrfToken(null);
      location.reload();
    });
  });
  wireReports();
  wireAggregates();
  wireInvites();
}

/** Shows the dashboard for a session: its user name, then the reports list. */
export function showDashboard(session: SessionInfo): void {
  byId('who-name', HTMLElement).textContent = `Signed in as ${session.username}`;
  setView('dashboard');
  setStatus('');
  showTab('reports');
}
