/**
 * The live page's two API requests (`GET /api/config`, `GET /api/ice-servers`), started as the very first
 * thing app.js runs (main.ts imports this module before any other), so they travel while the rest of the
 * bundle — zod's schemas, the views — is evaluated, instead of after it. A share link (`#report=`,
 * share-prefix.ts) starts nothing: the read-only view asks the server for nothing.
 */
import { SHARE_PREFIX } from '../share-prefix.js';

const early = new Map<string, Promise<Response>>();

if (!location.hash.startsWith(SHARE_PREFIX))
  for (const path of ['/api/config', '/api/ice-servers']) {
    const request = fetch(path, { cache: 'no-store', credentials: 'same-origin' });
    request.catch(() => undefined);
    early.set(path, request);
  }

/**
 * The early request of `path`, handed out once (a later load fetches anew); undefined when none was started.
 * The promise rejects as `fetch` does (network error).
 */
export function takeEarlyRequest(path: string): Promise<Response> | undefined {
  const request = early.get(path);
  early.delete(path);
  return request;
}
