import { UserError } from '../errors.js';
import type { InviteRecord, Store } from '../store/types.js';
import { newInviteId, signInvite } from './invite-token.js';

/** Longest label, in characters. */
export const MAX_LABEL_CHARS = 200;
/** Largest `maxRuns`. */
export const MAX_RUNS = 1000;
/** Shortest and longest expiry, in ms: one minute and 365 days. */
export const MIN_EXPIRY_MS = 60_000;
export const MAX_EXPIRY_MS = 365 * 24 * 3_600_000;

/** What creating an invite needs: the store, the signing key (32 bytes) and the clock (epoch ms). */
export interface CreateInviteDeps {
  readonly store: Store;
  readonly inviteKey: Buffer;
  readonly now: () => number;
}

/** What the operator asks for (CLI flags or the dashboard's form). */
export interface InviteRequest {
  /** Ticket number, customer …; ≤ 200 characters, may be empty. */
  readonly label: string;
  /** Lifetime from now, in ms: 1 min – 365 d. */
  readonly expiresInMs: number;
  /** Reports it accepts, 1–1000. */
  readonly maxRuns: number;
  /** False: IP addresses are scrubbed from its reports. */
  readonly collectIps: boolean;
  /** An http(s) URL each of its reports is POSTed to, or null. */
  readonly webhookUrl: string | null;
  /** `cli` or the admin's user name. */
  readonly createdBy: string;
}

/** A created invite, its token `<id>.<mac>` and its link `<baseUrl>/i/<token>`. */
export interface CreatedInvite {
  readonly invite: InviteRecord;
  readonly token: string;
  readonly url: string;
}

const usage = (field: string, detail: string): UserError => new UserError('usage', `${field}: ${detail}`);

/**
 * The webhook URL as stored: an absolute `http:` or `https:` URL without user-info.
 * @param field the name the error uses (`webhookUrl`, or the CLI's `--webhook-url`).
 * @throws UserError `usage` naming `field`.
 */
export function checkWebhookUrl(url: string, field = 'webhookUrl'): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usage(field, `'${url}' is not a URL; use http(s)://host[:port]/path`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw usage(field, `'${url}' must be an http:// or https:// URL`);
  if (parsed.username !== '' || parsed.password !== '')
    throw usage(field, 'must not hold a user name or password (the HMAC signature authenticates the sender)');
  return parsed.href;
}

/** Checks `request` against the limits above. @throws UserError `usage` naming the field. */
function checkRequest(request: InviteRequest): void {
  if (request.label.length > MAX_LABEL_CHARS)
    throw usage('label', `at most ${MAX_LABEL_CHARS} characters, got ${request.label.length}`);
  if (!Number.isInteger(request.maxRuns) || request.maxRuns < 1 || request.maxRuns > MAX_RUNS)
    throw usage('maxRuns', `a whole number from 1 to ${MAX_RUNS}, got ${request.maxRuns}`);
  const e = request.expiresInMs;
  if (!Number.isFinite(e) || e < MIN_EXPIRY_MS || e > MAX_EXPIRY_MS)
    throw usage('expiresIn', `from 1 minute to 365 days, got ${e} ms`);
}

/**
 * Creates an invite (a support link) in the store and signs its token; shared by `ice-doctor invite create`
 * and the dashboard. The invite expires `expiresInMs` after `deps.now()`.
 * @param baseUrl the link's base, e.g. `https://support.example.org:8443` (a trailing `/` is dropped).
 * @throws UserError `usage` naming the field (`label`, `maxRuns`, `expiresIn`, `webhookUrl`, `baseUrl`) when a
 *   value is outside its range; the store's error when it cannot write.
 */
export async function createInviteLink(
  deps: CreateInviteDeps,
  request: InviteRequest,
  baseUrl: string,
): Promise<CreatedInvite> {
  checkRequest(request);
  const webhookUrl = request.webhookUrl === null ? null : checkWebhookUrl(request.webhookUrl);
  const base = checkBaseUrl(baseUrl);
  const nowMs = deps.now();
  const invite = await deps.store.createInvite({
    id: newInviteId(),
    label: request.label,
    createdAtMs: nowMs,
    expiresAtMs: nowMs + request.expiresInMs,
    maxRuns: request.maxRuns,
    collectIps: request.collectIps,
    webhookUrl,
    createdBy: request.createdBy,
  });
  const token = signInvite(deps.inviteKey, invite.id);
  return { invite, token, url: `${base}/i/${token}` };
}

/**
 * The base of invite links: an `http(s)://host[:port]` origin (a path is kept, a trailing `/` dropped).
 * @throws UserError `usage` naming `field`.
 */
export function checkBaseUrl(baseUrl: string, field = 'baseUrl'): string {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw usage(field, `'${baseUrl}' is not a URL; use https://host[:port]`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw usage(field, `'${baseUrl}' must be an http:// or https:// URL`);
  if (parsed.search !== '' || parsed.hash !== '' || parsed.username !== '' || parsed.password !== '')
    throw usage(field, `'${baseUrl}' must be only scheme, host, port and path`);
  return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
}
