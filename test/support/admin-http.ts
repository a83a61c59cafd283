import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

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
export function send(url: string, opts: SendOptions = {}): Promise<AdminResponse> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
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
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      {
        method: opts.method ?? (payload === undefined ? 'GET' : 'POST'),
        headers,
        rejectUnauthorized: false,
        agent: false,
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The `name=value` part of each Set-Cookie header of a response. */
export function setCookies(res: AdminResponse): string[] {
  return res.headers['set-cookie'] ?? [];
}
