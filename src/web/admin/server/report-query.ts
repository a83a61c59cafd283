import { z } from 'zod';
import { behaviourSchema } from '../../../report/nat-verdict-schema.js';
import type { ReportFilter } from '../../../store/types.js';

const DAY_MS = 86_400_000;
/** A `YYYY-MM-DD` date (UTC) or an ISO 8601 date-time with `Z` or an offset. */
const dateOrTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'use an ISO date (2026-12-01) or date-time (2026-12-01T10:00:00Z)',
});
const isDateOnly = (text: string): boolean => text.length === 10;

/**
 * The dashboard's report filter as query parameters (every one optional, unknown ones refused):
 * `from` (inclusive) and `to` (a date: through the end of that UTC day; a date-time: exclusive), `verdict`
 * (a verdict code, lowercase words and dashes), `mapping` (an RFC 4787 behaviour or `unknown`), `label`
 * (case-insensitive substring, ≤ 200 characters), `invite` (an invite id, 22 base64url characters).
 */
export const filterQueryShape = {
  from: dateOrTime.optional(),
  to: dateOrTime.optional(),
  verdict: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, 'use a verdict code such as direct or only-tls-443')
    .optional(),
  mapping: z.union([behaviourSchema, z.literal('unknown')]).optional(),
  label: z.string().max(200).optional(),
  invite: z
    .string()
    .regex(/^[A-Za-z0-9_-]{22}$/, 'use an invite id (22 base64url characters)')
    .optional(),
};

/** The query of `GET /admin/api/aggregates`: the filter only. */
export const filterQuerySchema = z.strictObject(filterQueryShape);

/** The query of `GET /admin/api/reports`: the filter, `limit` (1–500, default 50) and `cursor` (opaque). */
export const listQuerySchema = z.strictObject({
  ...filterQueryShape,
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(512).optional(),
});

/** The query of `GET /admin/api/export`: the filter and `format` (`csv` or `json`). */
export const exportQuerySchema = z.strictObject({
  ...filterQueryShape,
  format: z.enum(['csv', 'json']),
});

/** The filter part of a parsed query. */
export type FilterQuery = z.infer<typeof filterQuerySchema>;

/**
 * The store's {@link ReportFilter} of a parsed query: `from` to epoch ms; `to` to an exclusive epoch ms (a
 * date-only `to` becomes the next day's midnight UTC); empty `label` ignored.
 * @returns the filter, or a message when `from` is not before `to`.
 */
export function toReportFilter(q: FilterQuery): { filter: ReportFilter } | { message: string } {
  const fromMs = q.from === undefined ? undefined : Date.parse(q.from);
  const toMs = q.to === undefined ? undefined : Date.parse(q.to) + (isDateOnly(q.to) ? DAY_MS : 0);
  if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs)
    return { message: `from (${q.from}) must be before to (${q.to})` };
  return {
    filter: {
      ...(fromMs === undefined ? {} : { fromMs }),
      ...(toMs === undefined ? {} : { toMs }),
      ...(q.verdict === undefined ? {} : { verdict: q.verdict }),
      ...(q.mapping === undefined ? {} : { mapping: q.mapping }),
      ...(q.label ? { labelContains: q.label } : {}),
      ...(q.invite === undefined ? {} : { inviteId: q.invite }),
    },
  };
}
