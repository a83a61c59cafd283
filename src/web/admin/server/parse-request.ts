import type { Response } from 'express';
import type { z } from 'zod';
import type { ReportFilter } from '../../../store/types.js';
import { type FilterQuery, toReportFilter } from './report-query.js';
import { sendError, sendInvalid } from './send-error.js';

/**
 * `input` parsed with `schema`, or undefined after answering `400 {error: 'invalid-request', message}` with
 * zod's first issues in words.
 */
export function parseOr400<S extends z.ZodType>(
  schema: S,
  input: unknown,
  res: Response,
): z.output<S> | undefined {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  sendInvalid(res, parsed.error);
  return undefined;
}

/** The store filter of a parsed query, or undefined after answering 400 (`from` not before `to`). */
export function filterOr400(q: FilterQuery, res: Response): ReportFilter | undefined {
  const result = toReportFilter(q);
  if ('filter' in result) return result.filter;
  sendError(res, 400, 'invalid-request', result.message);
  return undefined;
}
