import type { RequestHandler } from 'express';
import { MemoryStore, rateLimit } from 'express-rate-limit';
import type { ApiError } from './api-errors.js';
import { clientRateLimiter, type RateLimit } from './ice-rate-limit.js';

/** Reports posted to one invite: 10 a minute. */
export const INVITE_REPORT_RATE_LIMIT: RateLimit = { limit: 10, windowMs: 60_000 };
/** Reports posted from one client IP (IPv6: per /56): 30 in 10 minutes. */
export const IP_REPORT_RATE_LIMIT: RateLimit = { limit: 30, windowMs: 600_000 };

/**
 * Per-invite rate limiting of `POST /api/invites/:token/report` (express-rate-limit, fixed window, in
 * memory, keyed by the token's invite id): over the limit, `429 {error: 'rate-limited', message}`.
 */
function perInvite(limit: RateLimit): RequestHandler {
  return rateLimit({
    windowMs: limit.windowMs,
    limit: limit.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: new MemoryStore(),
    keyGenerator: (req) => `invite:${String(req.params.token).split('.')[0]}`,
    handler: (_req, res) => {
      const body: ApiError = {
        error: 'rate-limited',
        message: `more than ${limit.limit} reports in ${Math.round(limit.windowMs / 1000)} s for this link; try again later`,
      };
      res.status(429).json(body);
    },
  });
}

/**
 * The two limiters in front of a report upload, per client IP first, then per invite
 * ({@link IP_REPORT_RATE_LIMIT}, {@link INVITE_REPORT_RATE_LIMIT}). Their stores' sweep timers are unref'd.
 */
export function reportRateLimits(): RequestHandler[] {
  return [clientRateLimiter(IP_REPORT_RATE_LIMIT).middleware, perInvite(INVITE_REPORT_RATE_LIMIT)];
}
