import type { RequestHandler } from 'express';
import { MemoryStore, rateLimit } from 'express-rate-limit';
import type { ApiError } from './api-errors.js';

/** How many requests one client IP may make in a window. */
export interface RateLimit {
  limit: number;
  /** Window length in ms. */
  windowMs: number;
}

/** `/api/ice-servers`: 30 requests per minute per client IP (an IPv6 client counts per /56). */
export const DEFAULT_ICE_RATE_LIMIT: RateLimit = { limit: 30, windowMs: 60_000 };

/** A rate-limiting middleware and the store it owns (whose timer `close()` stops). */
export interface ClientRateLimiter {
  middleware: RequestHandler;
  close(): void;
}

/**
 * Per-client-IP rate limiting with express-rate-limit (fixed window, in memory). The client is the socket's
 * remote address: express's `trust proxy` stays off, so `X-Forwarded-For` is neither trusted nor warned
 * about. Over the limit: `429 {error: 'rate-limited', message}` with `RateLimit` and `Retry-After` headers
 * (draft-ietf-httpapi-ratelimit-headers-08).
 */
export function clientRateLimiter(limit: RateLimit): ClientRateLimiter {
  const store = new MemoryStore();
  const middleware = rateLimit({
    windowMs: limit.windowMs,
    limit: limit.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store,
    validate: { xForwardedForHeader: false },
    handler: (_req, res) => {
      const body: ApiError = {
        error: 'rate-limited',
        message: `more than ${limit.limit} requests in ${Math.round(limit.windowMs / 1000)} s from this address; try again later`,
      };
      res.status(429).json(body);
    },
  });
  return { middleware, close: () => store.shutdown() };
}
