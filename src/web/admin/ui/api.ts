/**
 * The dashboard's requests to `/admin/api`: same-origin `fetch` (the session cookie goes along by itself),
 * JSON in and out, the session's CSRF token in `X-CSRF-Token` on every non-GET.
 */

/** A refused request: the HTTP status and the server's `{error, message}` (or words for a network failure). */
export class ApiFailure extends Error {
  override name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let signedOut: () => void = () => undefined;

/** Sets the CSRF token sent on every non-GET request (from `GET /admin/api/session`), or null. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** What to do when any request answers 401 (the session ended): show the sign-in form. */
export function onSignedOut(handler: () => void): void {
  signedOut = handler;
}

/** Reads an error body `{error, message}` (src/web/server/api-errors.ts) when it is one. */
async function failure(res: Response): Promise<ApiFailure> {
  const body = (await res.json().catch(() => null)) as { error?: unknown; message?: unknown } | null;
  return new ApiFailure(
    res.status,
    typeof body?.error === 'string' ? body.error : 'http',
    typeof body?.message === 'string' ? body.message : `the server answered HTTP ${res.status}`,
  );
}

/**
 * `method` `/admin/api/<path>` with `body` as JSON (when given). Resolves with the parsed JSON answer, or
 * undefined for 204.
 * @throws ApiFailure for any answer outside 2xx (after calling the signed-out handler on 401) and for a
 *   network failure (status 0).
 */
export async function api<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/admin/api/${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw new ApiFailure(0, 'network', `the server could not be reached (${String(err)})`);
  }
  if (res.status === 401 && path !== 'login') signedOut();
  if (!res.ok) throw await failure(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}
