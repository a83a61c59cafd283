import type { StoredReportSummary } from '../../../store/types.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const yesNo = (b: boolean | null): string => (b === null ? '' : b ? 'yes' : 'no');

/**
 * The export's columns, in order: header name and the cell of one list row. Times are ISO 8601 UTC;
 * `transports_ok` the path kinds that worked separated by spaces; `relay_needed` `yes`, `no` or empty
 * (no selected pair); `mapping`/`filtering` empty when unknown.
 */
export const EXPORT_COLUMNS: readonly (readonly [string, (r: StoredReportSummary) => string])[] = [
  ['id', (r) => r.id],
  ['received_at', (r) => iso(r.receivedAtMs)],
  ['started_at', (r) => iso(r.startedAtMs)],
  ['label', (r) => r.label],
  ['invite_id', (r) => r.inviteId ?? ''],
  ['verdict', (r) => r.verdict],
  ['mapping', (r) => r.mapping ?? ''],
  ['filtering', (r) => r.filtering ?? ''],
  ['transports_ok', (r) => r.transportsOk.join(' ')],
  ['relay_needed', (r) => yesNo(r.relayNeeded)],
  ['tls_only', (r) => yesNo(r.tlsOnly)],
  ['size_bytes', (r) => String(r.sizeBytes)],
];
