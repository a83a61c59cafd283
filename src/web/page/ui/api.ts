import type { z } from 'zod';
import {
  type IceConfig,
  iceConfigSchema,
  type OutsidePeerOffer,
  type OutsidePeerSeen,
  outsidePeerOfferSchema,
  outsidePeerSeenSchema,
  type PageConfig,
  pageConfigSchema,
} from '../../api-schema.js';
import { takeEarlyRequest } from './early-requests.js';

/**
 * The report server's API as the page reads it (src/web/api-schema.ts): every response is validated
 * before use, so a proxy's error page or an older server gives one clear message instead of a broken run.
 */

/** The page could not load what it needs from the report server; `message` is one plain sentence. */
export class PageApiError extends Error {
  override name = 'PageApiError';
}

/** The `message` of a JSON `{error, message}` error body, if the body is one. */
function serverMessage(body: string): string | null {
  try {
    const value: unknown = JSON.parse(body);
    if (
      value !== null &&
      typeof value === 'object' &&
      'message' in value &&
      typeof value.message === 'string'
    )
      return value.message;
  } catch {
    return null;
  }
  return null;
}

/**
 * GETs (or with `method` POSTs, without a body) `path` on the page's own origin (no cache; for a GET the
 * request early-requests.ts started, when there is one) and validates the JSON body with `schema`.
 * @throws PageApiError when the request fails, the status is not 2xx (429 says to wait), or the body is not
 * valid.
 */
async function getJson<T>(path: string, schema: z.ZodType<T>, method: 'GET' | 'POST' = 'GET'): Promise<T> {
  let res: Response;
  try {
    const early = method === 'GET' ? takeEarlyRequest(path) : undefined;
    res = await (early ?? fetch(path, { method, cache: 'no-store', credentials: 'same-origin' }));
  } catch (err) {
    throw new PageApiError(`could not reach ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const body = await res.text();
  if (res.status === 429)
    throw new PageApiError(
      path === '/api/ice-servers'
        ? `the server refused ${path} (429 Too Many Requests: it mints TURN credentials at most 30 times a minute per address); wait a minute and reload`
        : `the server refused ${path} (429 Too Many Requests); wait a minute and reload`,
    );
  if (!res.ok) {
    const why = serverMessage(body);
    throw new PageApiError(`${path} answered ${res.status}${why ? `: ${why}` : ''}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new PageApiError(`${path} did not answer JSON (is a proxy in the way?)`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new PageApiError(
      `${path} answered something this page does not understand (an older or newer server?)`,
    );
  return parsed.data;
}

/**
 * `GET /api/config`: the visitor's address as the server saw it, and the signaling path and ports.
 * @throws PageApiError (see {@link getJson}).
 */
export function loadPageConfig(): Promise<PageConfig> {
  return getJson('/api/config', pageConfigSchema);
}

/**
 * `GET /api/ice-servers`: the path matrix and the ICE servers, with TURN credentials minted for this request.
 * @throws PageApiError (see {@link getJson}).
 */
export function loadIceConfig(): Promise<IceConfig> {
  return getJson('/api/ice-servers', iceConfigSchema);
}

/**
 * `POST /api/outside-peer`: a session of the report server's ICE-lite responder (the outside-reach proof).
 * @throws PageApiError (see {@link getJson}); 503 when the report server has no responder.
 */
export function issueOutsidePeer(): Promise<OutsidePeerOffer> {
  return getJson('/api/outside-peer', outsidePeerOfferSchema, 'POST');
}

/**
 * `GET /api/outside-peer/:ufrag`: the addresses the responder answered checks from.
 * @throws PageApiError (see {@link getJson}); 404 once the session expired.
 */
export function outsidePeerSeen(ufrag: string): Promise<OutsidePeerSeen> {
  return getJson(`/api/outside-peer/${encodeURIComponent(ufrag)}`, outsidePeerSeenSchema);
}
