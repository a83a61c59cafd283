import { type Kysely, sql } from 'kysely';
import type { StoreTables } from './db-schema.js';
import { reportWhere } from './report-filter.js';
import type { ReportAggregates, ReportFilter } from './types.js';

const DAY_MS = 86_400_000;

function add(counts: Record<string, number>, key: string | null, n: number): void {
  const k = key ?? 'unknown';
  counts[k] = (counts[k] ?? 0) + n;
}

/**
 * The dashboard's aggregates over `filter` in one GROUP BY query (UTC day, verdict, mapping, filtering,
 * relay_needed, tls_only), folded here into the {@link ReportAggregates} counts. The day is the integer
 * division of `received_at_ms` by 86,400,000 on both dialects (days since 1970-01-01 UTC), written as
 * `YYYY-MM-DD` here, so SQLite and PostgreSQL give the same output.
 */
export async function aggregateReports(
  db: Kysely<StoreTables>,
  filter: ReportFilter,
): Promise<ReportAggregates> {
  const day = sql<number>`received_at_ms / ${sql.lit(DAY_MS)}`;
  const rows = await db
    .selectFrom('reports')
    .where((eb) => reportWhere(eb, filter))
    .select([day.as('day'), 'verdict', 'mapping', 'filtering', 'relay_needed', 'tls_only'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .groupBy([day, 'verdict', 'mapping', 'filtering', 'relay_needed', 'tls_only'])
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
    const d = Number(r.day);
    days.set(d, (days.get(d) ?? 0) + n);
  }
  const byDay = [...days.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([d, n]) => ({ day: new Date(d * DAY_MS).toISOString().slice(0, 10), total: n }));
  return { total, byVerdict, byMapping, byFiltering, relayNeeded, tlsOnly, byDay };
}
