import type { IncomingHttpHeaders } from 'node:http';
import { fetchRaw } from './web-report.js';

/** An answer read whole. */
export interface AdminResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How {@link send} sends one request. */
export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON (`Content-Type: application/json`) unless a string, sent as it is. */
  body?: unknown;
  /** The client's source address, e.g. `127.0.0.9` (another "client IP" for the rate limits). */
  localAddress?: string;
}

/**
 * One HTTP(S) request on a fresh connection (any certificate accepted: the report server's is self-signed),
 * with exactly the headers given (no Origin, Cookie or Sec-Fetch-* unless set), read whole.
 */
export async function send(url: string, opts: SendOptions = {}): Promise<AdminResponse> {
  const payload =
    opts.body === undefined
      ? undefined
      : typeof opts.body === 'string'
        ? opts.body
        : JSON.stringify(opts.body);
  const headers: Record<string, string> = {
    ...(payload !== undefined && typeof opts.body !== 'string' ? { 'Content-Type': 'application/json' } : {}),
    ...opts.headers,
  };
  const {
    status,
    headers: answered,
    body,
  } = await fetchRaw(url, {
    method: opts.method ?? (payload === undefined ? 'GET' : 'POST'),
    headers,
    ...(payload !== undefined ? { body: payload } : {}),
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
  });
  return { status, headers: answered, body };
}

/** The `name=value` part of each Set-Cookie header of a response. */
export function setCookies(res: AdminResponse): string[] {
  return res.headers['set-cookie'] ?? [];
}
