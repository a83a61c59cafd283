import type { InviteView, StoredReportSummary } from '../admin-api.js';

/**
 * The dashboard's words for stored values (pure: no DOM), shared by the list, the aggregates and the
 * invites.
 */

/** The path kinds as the page names them. */
const KIND_WORDS: Readonly<Record<string, string>> = {
  stun: 'STUN',
  'turn-udp': 'TURN/UDP',
  'turn-tcp': 'TURN/TCP',
  turns: 'TURN/TLS',
};

/** An epoch-ms time as `YYYY-MM-DD HH:MM UTC`. */
export function timeText(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The transports that worked, e.g. `STUN, TURN/TLS`, or `none`. */
export function transportsText(kinds: readonly string[]): string {
  return kinds.length === 0 ? 'none' : kinds.map((k) => KIND_WORDS[k] ?? k).join(', ');
}

/** Whether the page's own call needed a relay: `yes`, `no`, or `no pair` (none was selected). */
export function relayText(row: Pick<StoredReportSummary, 'relayNeeded'>): string {
  return row.relayNeeded === null ? 'not shown' : row.relayNeeded ? 'yes' : 'no';
}

/** `part` of `total` as a percentage with one decimal, e.g. `12.5 %`; `0 %` of nothing. */
export function percentText(part: number, total: number): string {
  return total === 0 ? '0 %' : `${(Math.round((part / total) * 1000) / 10).toString()} %`;
}

/** An invite's status in words. */
export function inviteStatusText(status: InviteView['status']): string {
  return status === 'used-up' ? 'used up' : status;
}

/**
 * The query string of a filter form's non-empty fields (`from`, `to`, `verdict`, …), with `extra` pairs
 * after them, e.g. `verdict=direct&format=csv`.
 */
export function queryOf(fields: Iterable<[string, string]>, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const [name, value] of fields) if (value.trim() !== '') q.set(name, value.trim());
  for (const [name, value] of Object.entries(extra)) q.set(name, value);
  return q.toString();
}
