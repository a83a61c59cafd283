import { SIGNATURE_HEADER, signWebhook } from './webhook-signature.js';

/** How long one attempt may take, connect to the end of the answer's headers, in ms. */
export const WEBHOOK_TIMEOUT_MS = 5000;

/** The outcome of one attempt: a 2xx answer, or the error in words. */
export type SendOutcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

function errorWords(err: unknown, timedOut: boolean): string {
  if (timedOut) return `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`;
  const e = err as { message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  const cause = e?.cause;
  if (cause && typeof cause.message === 'string') return cause.message;
  return typeof e?.message === 'string' ? e.message : String(err);
}

/**
 * One webhook attempt: POST `rawBody` to `url` with `Content-Type: application/json` and the
 * `X-Ice-Doctor-Signature` header (webhook-signature.ts, signed at `nowS`), within
 * {@link WEBHOOK_TIMEOUT_MS}. A 2xx answer is success; a redirect is never followed (it is a failure, so
 * a webhook cannot be bounced to another host); any other status, a connection error or the timeout is a
 * failure in words. Never throws.
 * @param stop aborts the attempt (the dispatcher closing); the outcome is then a failure.
 */
export async function sendWebhook(
  url: string,
  rawBody: string,
  secret: Buffer,
  nowS: number,
  stop: AbortSignal,
): Promise<SendOutcome> {
  const timeout = AbortSignal.timeout(WEBHOOK_TIMEOUT_MS);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        [SIGNATURE_HEADER]: signWebhook(secret, rawBody, nowS),
        'User-Agent': 'ice-doctor-webhook',
      },
      body: rawBody,
      redirect: 'manual',
      signal: AbortSignal.any([timeout, stop]),
    });
    await res.body?.cancel();
    if (res.status >= 200 && res.status <= 299) return { ok: true };
    if (res.status >= 300 && res.status <= 399)
      return { ok: false, error: `HTTP ${res.status}: redirects are not followed` };
    return { ok: false, error: `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, error: errorWords(err, timeout.aborted) };
  }
}
