import type { Kysely } from 'kysely';
import type { StoreTables } from './db-schema.js';
import { reportWhere } from './report-filter.js';
import type { ReportAggregates, ReportFilter } from './types.js';

/** A UTC day in ms; `reports.received_day` is `floor(received_at_ms / DAY_MS)`. */
export const DAY_MS = 86_400_000;

function add(counts: Record<string, number>, key: string | null, n: number): void {
  const k = key ?? 'unknown';
  counts[k] = (counts[k] ?? 0) + n;
}

/**
 * The dashboard's aggregates over `filter` in one GROUP BY query over (received_day, verdict, mapping,
 * filtering, relay_needed, tls_only) — the leading columns of the covering index `reports_aggregate`, in its
 * order, so both dialects stream the groups out of an index range scan — folded here into the
 * {@link ReportAggregates} counts. The time range is given twice: as the day range (what the index scans)
 * and exactly on `received_at_ms` (read from the same index). Days are written `YYYY-MM-DD` here, so SQLite
 * and PostgreSQL give the same output.
 */
export async function aggregateReports(
  db: Kysely<StoreTables>,
  filter: ReportFilter,
): Promise<ReportAggregates> {
  const rows = await db
    .selectFrom('reports')
    .where((eb) => reportWhere(eb, filter))
    .$if(filter.fromMs !== undefined, (q) =>
      q.where('received_day', '>=', Math.floor((filter.fromMs ?? 0) / DAY_MS)),
    )
    .$if(filter.toMs !== undefined, (q) =>
      q.where('received_day', '<=', Math.floor(((filter.toMs ?? 0) - 1) / DAY_MS)),
    )
    .select(['received_day', 'verdict', 'mapping', 'filtering', 'relay_needed', 'tls_only'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .groupBy(['received_day', 'verdict', 'mapping', 'filtering', 'relay_needed', 'tls_only'])
    .execute();
  const byVerdict: Record<string, number> = {};
  const byMapping: Record<string, number> = {};
  const byFiltering: Record<string, number> = {};
  const days = new Map<number, number>();
  const relayNeeded = { yes: 0, no: 0, unknown: 0 };
  let total = 0;
  let tlsOnly = 0;
  for (const r of rows) {
    const n = Number(r.n);
    total += n;
    add(byVerdict, r.verdict, n);
    add(byMapping, r.mapping, n);
    add(byFiltering, r.filtering, n);
    const relay = r.relay_needed === null ? 'unknown' : Number(r.relay_needed) === 1 ? 'yes' : 'no';
    relayNeeded[relay] += n;
    if (Number(r.tls_only) === 1) tlsOnly += n;
    const d = Number(r.received_day);
    days.set(d, (days.get(d) ?? 0) + n);
  }
  const byDay = [...days.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([d, n]) => ({ day: new Date(d * DAY_MS).toISOString().slice(0, 10), total: n }));
  return { total, byVerdict, byMapping, byFiltering, relayNeeded, tlsOnly, byDay };
}
