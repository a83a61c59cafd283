import {
  networkFailure,
  readSendAnswer,
  readStatusAnswer,
  type SendOutcome,
  type StatusOutcome,
} from '../invite-answers.js';
import { inviteStatusPath, takeEarlyRequest } from './early-requests.js';

/**
 * The page's two support-link requests (src/web/invite-api-schema.ts) on its own origin, uncached; the answers
 * are read by invite-answers.ts. Neither rejects: a lost connection is an outcome too.
 */

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * `GET /api/invites/:token` (the request early-requests.ts started, the first time): open, refused, or an
 * error in words (`host` names the server in it).
 */
export async function checkInvite(token: string, host: string): Promise<StatusOutcome> {
  const path = inviteStatusPath(token);
  try {
    const res = await (takeEarlyRequest(path) ??
      fetch(path, { cache: 'no-store', credentials: 'same-origin' }));
    return readStatusAnswer(res.status, await res.text());
  } catch (err) {
    return { kind: 'error', why: `could not reach ${host} (${message(err)})` };
  }
}

/**
 * `POST /api/invites/:token/report` with `body` (the report's JSON, invite-answers.ts `reportBody`) and the
 * run's `idempotencyKey` (the same on every retry: the server answers a repeated upload with the first one's
 * reference instead of storing it twice): sent with the server's reference, or failed (see
 * {@link readSendAnswer}; a lost connection may be retried).
 */
export async function sendInviteReport(
  token: string,
  body: string,
  host: string,
  idempotencyKey: string,
): Promise<SendOutcome> {
  let res: Response;
  try {
    res = await fetch(`${inviteStatusPath(token)}/report`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
      body,
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch (err) {
    return networkFailure(host, message(err));
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    return { kind: 'failed', why: `the answer of ${host} was cut off (${message(err)})`, retry: true };
  }
  return readSendAnswer(res.status, text);
}
