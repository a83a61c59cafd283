import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { logText } from '../../shared/log-text.js';

/** The body of every error response: a stable code and one line for a human; never a stack trace. */
export interface ApiError {
  error: string;
  message: string;
}

/** `404 {error: 'not-found'}` for a path under `/api` that does not exist (or a method it does not take). */
export const apiNotFound: RequestHandler = (req, res) => {
  const body: ApiError = {
    error: 'not-found',
    message: `no such API endpoint: ${req.method} ${req.baseUrl}${req.path}`,
  };
  res.status(404).json(body);
};

/** `404` in plain text for any other path the static page does not have. */
export const pageNotFound: RequestHandler = (_req, res) => {
  res.status(404).type('text/plain').send('not found\n');
};

/** The HTTP status an error asks for (`status`/`statusCode` 400–599, as http-errors sets), else 500. */
function statusOf(err: unknown): number {
  const e = err as { status?: unknown; statusCode?: unknown } | null;
  const status = typeof e?.status === 'number' ? e.status : e?.statusCode;
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 500;
}

/**
 * The last middleware: answers any error as JSON `{error, message}` with its status (4xx from express
 * itself, e.g. a malformed URL) or 500 `internal` with a generic message; the error itself goes to the log
 * at error level (500) or debug level (4xx), never to the client.
 */
export function apiErrorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const status = statusOf(err);
    const path = logText(req.path);
    if (status >= 500) log.error({ err, path }, 'report server request failed');
    else log.debug({ err, path }, 'report server request refused');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body: ApiError =
      status >= 500
        ? { error: 'internal', message: 'the report server failed to answer this request' }
        : { error: 'bad-request', message: `the request was refused (HTTP ${status})` };
    res.status(status).json(body);
  };
}
