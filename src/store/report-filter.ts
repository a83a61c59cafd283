import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { StoreTables } from './db-schema.js';
import type { ReportFilter } from './types.js';

/** `text` as a LIKE pattern matching it literally anywhere (`%`, `_` and `\` escaped with `\`). */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The WHERE condition of a {@link ReportFilter} over `reports` (all parts ANDed; none → true): a received
 * time range [fromMs, toMs), verdict, mapping (`unknown` = null), invite, and a case-insensitive label
 * substring matched against `label_lower` (lower-cased by JavaScript at ingest, the same on both dialects).
 */
export function reportWhere(
  eb: ExpressionBuilder<StoreTables, 'reports'>,
  filter: ReportFilter,
): Expression<SqlBool> {
  const parts: Expression<SqlBool>[] = [];
  if (filter.fromMs !== undefined) parts.push(eb('received_at_ms', '>=', filter.fromMs));
  if (filter.toMs !== undefined) parts.push(eb('received_at_ms', '<', filter.toMs));
  if (filter.verdict !== undefined) parts.push(eb('verdict', '=', filter.verdict));
  if (filter.mapping !== undefined)
    parts.push(filter.mapping === 'unknown' ? eb('mapping', 'is', null) : eb('mapping', '=', filter.mapping));
  if (filter.inviteId !== undefined) parts.push(eb('invite_id', '=', filter.inviteId));
  if (filter.labelContains !== undefined && filter.labelContains !== '')
    parts.push(
      sql<SqlBool>`${eb.ref('label_lower')} like ${containsPattern(filter.labelContains)} escape '\\'`,
    );
  return eb.and(parts);
}
