import type { Response } from 'express';
import type { ZodError } from 'zod';
import type { ApiError } from '../../server/api-errors.js';

/** Answers `status` with `{error, message}` (src/web/server/api-errors.ts `ApiError`). */
export function sendError(res: Response, status: number, error: string, message: string): void {
  const body: ApiError = { error, message };
  res.status(status).json(body);
}

/**
 * The first issues of a zod error in words, each prefixed with the field's path, e.g. `limit: Too big:
 * expected number to be <=500; verdict: Invalid string`. At most three issues.
 */
export function zodWords(err: ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`)
    .join('; ');
}

/** `400 {error: 'invalid-request', message}` with the zod issues in words ({@link zodWords}). */
export function sendInvalid(res: Response, err: ZodError): void {
  sendError(res, 400, 'invalid-request', zodWords(err));
}
