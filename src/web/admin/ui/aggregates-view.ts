import { byId } from '../../page/ui/dom.js';
import type { ReportAggregates } from '../admin-api.js';
import { ApiFailure, api } from './api.js';
import { type Bar, barFigure } from './charts.js';
import { percentText } from './format.js';

const DAY_MS = 86_400_000;

/** A count map as bars, largest first (ties by name). */
function bars(counts: Readonly<Record<string, number>>): Bar[] {
  return Object.entries(counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
}

/** Draws every aggregate of one period into `#aggregate-charts`. */
function render(a: ReportAggregates, days: number): void {
  const total = byId('aggregates-total', HTMLElement);
  total.textContent =
    `${a.total} report${a.total === 1 ? '' : 's'} in the last ${days} days; ` +
    `${percentText(a.relayNeeded.yes, a.relayNeeded.yes + a.relayNeeded.no)} of those that show it needed a relay ` +
    `(${a.relayNeeded.unknown} do not show it), ` +
    `${percentText(a.tlsOnly, a.total)} worked only over TURN/TLS on 443.`;
  total.dataset.total = String(a.total);
  const box = byId('aggregate-charts', HTMLElement);
  box.replaceChildren();
  barFigure(box, 'verdicts', 'Verdicts', bars(a.byVerdict), a.total);
  barFigure(box, 'mapping', 'NAT mapping (RFC 4787)', bars(a.byMapping), a.total);
  barFigure(
    box,
    'filtering',
    'NAT filtering (a browser never sees it: mostly unknown)',
    bars(a.byFiltering),
    a.total,
  );
  barFigure(
    box,
    'relay',
    'Needed a relay (the two-peer call’s pair, else the verdict)',
    [
      ['yes', a.relayNeeded.yes],
      ['no', a.relayNeeded.no],
      ['not shown', a.relayNeeded.unknown],
    ],
    a.total,
  );
  barFigure(
    box,
    'tls-only',
    'Only TURN over TLS on 443 worked (verdict only-tls-443)',
    [
      ['only TLS', a.tlsOnly],
      ['other', a.total - a.tlsOnly],
    ],
    a.total,
  );
  barFigure(
    box,
    'per-day',
    'Reports per day (UTC)',
    a.byDay.map((d) => [d.day, d.total] as const),
    a.total,
  );
  byId('aggregates', HTMLElement).dataset.loaded = 'true';
}

/** Loads the aggregates of the chosen period (`#period`: 7, 30 or 90 days up to now) and draws them. */
export async function loadAggregates(): Promise<void> {
  const days = Number(byId('period', HTMLSelectElement).value);
  const from = new Date(Date.now() - days * DAY_MS).toISOString();
  try {
    render(await api<ReportAggregates>(`aggregates?from=${encodeURIComponent(from)}`), days);
  } catch (err) {
    if (!(err instanceof ApiFailure && err.status === 401))
      byId('aggregates-total', HTMLElement).textContent = `The aggregates failed: ${String(err)}`;
  }
}

/** Wires the period select, once. */
export function wireAggregates(): void {
  byId('period', HTMLSelectElement).addEventListener('change', () => void loadAggregates());
}
