import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { sendError } from './send-error.js';

/** Failed sign-ins allowed per client IP in {@link LOGIN_WINDOW_MS}. */
export const LOGIN_ATTEMPTS = 10;
/** The sign-in rate limit's window, in ms (15 min). */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

/**
 * The sign-in rate limit (express-rate-limit, fixed window, in memory, per client IP; an IPv6 client counts
 * per /56): {@link LOGIN_ATTEMPTS} refused sign-ins per {@link LOGIN_WINDOW_MS}, a successful one is not
 * counted. Over it: `429 {error: 'rate-limited'}` with `RateLimit` and `Retry-After` headers. Its
 * store's sweep timer is unref'd, so it never holds the process open.
 */
export function loginRateLimit(): RequestHandler {
  return rateLimit({
    windowMs: LOGIN_WINDOW_MS,
    limit: LOGIN_ATTEMPTS,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    validate: { xForwardedForHeader: false },
    handler: (_req, res) =>
      sendError(
        res,
        429,
        'rate-limited',
        `more than ${LOGIN_ATTEMPTS} failed sign-ins in ${LOGIN_WINDOW_MS / 60_000} minutes from this address; try again later`,
      ),
  });
}
