import {
  INVITE_REPORT_MAX_BYTES,
  type InviteRefusalBody,
  type InviteStatus,
  inviteApiErrorSchema,
  inviteRefusalSchema,
  inviteStatusSchema,
  reportAcceptedSchema,
} from '../invite-api-schema.js';
import { refusalReason } from './invite-words.js';

/**
 * The support-link API's answers (src/web/invite-api-schema.ts) read into what the page does next — pure:
 * the HTTP status and body text in, an outcome out. A failure says why in words and whether trying again
 * can help (`retry`: a lost connection, 429, a server error; not a refusal, an invalid or oversized report).
 */

/** The outcome of `GET /api/invites/:token`. */
export type StatusOutcome =
  | { readonly kind: 'open'; readonly status: InviteStatus }
  | { readonly kind: 'refused'; readonly refusal: InviteRefusalBody }
  | { readonly kind: 'error'; readonly why: string };

/** The outcome of `POST /api/invites/:token/report`. */
export type SendOutcome =
  | { readonly kind: 'sent'; readonly id: string }
  | { readonly kind: 'failed'; readonly why: string; readonly retry: boolean };

function json(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** ` (the server's message)` when the body is an error with one, else ''. */
function serverSays(value: unknown): string {
  const parsed = inviteApiErrorSchema.safeParse(value);
  return parsed.success && parsed.data.message ? ` (${parsed.data.message.replace(/\.$/, '')})` : '';
}

/** A refusal body (404/410 `invite-…`), or null. */
function refusalOf(status: number, value: unknown): InviteRefusalBody | null {
  if (status !== 404 && status !== 410) return null;
  const parsed = inviteRefusalSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The answer of a server that is not the one this page expects (a proxy's page, another version). */
const unexpected = (status: number, value: unknown): string =>
  `the server answered ${status}${serverSays(value)}, which this page does not understand (is a proxy in the way?)`;

/**
 * Reads the answer of `GET /api/invites/:token`: 200 with the open status; 404/410 with a refusal; anything
 * else (429, 5xx, a body that does not match) an error, which the visitor may try again.
 */
export function readStatusAnswer(status: number, body: string): StatusOutcome {
  const value = json(body);
  if (status === 200) {
    const parsed = inviteStatusSchema.safeParse(value);
    if (parsed.success) return { kind: 'open', status: parsed.data };
  }
  const refusal = refusalOf(status, value);
  if (refusal) return { kind: 'refused', refusal };
  if (status === 429)
    return { kind: 'error', why: 'the server has had too many requests from here; wait a minute' };
  return { kind: 'error', why: unexpected(status, value) };
}

/**
 * Reads the answer of `POST /api/invites/:token/report`: 201 `{id}` is sent; a refusal (the link expired,
 * was used up or revoked while the test ran), 400 (report refused as invalid) and 413 (too large) cannot
 * change by trying again; 429, 5xx and anything else may.
 */
export function readSendAnswer(status: number, body: string): SendOutcome {
  const value = json(body);
  if (status === 201) {
    const parsed = reportAcceptedSchema.safeParse(value);
    if (parsed.success) return { kind: 'sent', id: parsed.data.id };
    return { kind: 'failed', why: unexpected(status, value), retry: false };
  }
  const refusal = refusalOf(status, value);
  if (refusal) return { kind: 'failed', why: refusalReason(refusal.error), retry: false };
  if (status === 400)
    return {
      kind: 'failed',
      why: `the server refused the report as invalid${serverSays(value)}`,
      retry: false,
    };
  if (status === 413) return { kind: 'failed', why: tooLarge(), retry: false };
  if (status === 429)
    return {
      kind: 'failed',
      why: 'the server has had too many reports from this link or this address just now; wait a minute and try again',
      retry: true,
    };
  if (status >= 500)
    return { kind: 'failed', why: `the server had a problem (${status}${serverSays(value)})`, retry: true };
  return { kind: 'failed', why: unexpected(status, value), retry: true };
}

/** The request never got an answer (`fetch` rejected with `message`): try again. */
export function networkFailure(host: string, message: string): SendOutcome {
  return { kind: 'failed', why: `the connection to ${host} failed (${message})`, retry: true };
}

/** Why a report over {@link INVITE_REPORT_MAX_BYTES} is not sent. */
export function tooLarge(): string {
  return `the report is larger than the server takes (${INVITE_REPORT_MAX_BYTES / 1024} KiB)`;
}

/**
 * The report's JSON body for the POST, or null when it is larger than {@link INVITE_REPORT_MAX_BYTES} (the
 * server would answer 413: the page says so without sending it). Size in UTF-8 bytes.
 */
export function reportBody(report: unknown): string | null {
  const text = JSON.stringify(report);
  return new TextEncoder().encode(text).length > INVITE_REPORT_MAX_BYTES ? null : text;
}
