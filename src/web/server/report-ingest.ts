import { randomBytes } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ZodError } from 'zod';
import { type BrowserReport, browserReportSchema } from '../../report/browser-schema.js';
import { summarizeReport } from '../../store/summary.js';
import { verifyInvite } from '../../support-links/invite-token.js';
import { scrubReportIps } from '../../support-links/scrub-ips.js';
import type { ApiError } from './api-errors.js';
import { sendRefusal } from './invite-refusal.js';
import type { SupportDeps } from './support-deps.js';

/** The largest report body accepted, in bytes (512 KiB). */
export const MAX_REPORT_BYTES = 512 * 1024;

/** How many of zod's issues a 400 names. */
const ISSUES_SAID = 3;

function invalid(message: string): ApiError {
  return { error: 'report-invalid', message };
}

/** zod's first issues in words: `paths.0.kind: Invalid option …; verdict: Required`. */
export function issuesInWords(err: ZodError): string {
  const said = err.issues
    .slice(0, ISSUES_SAID)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'the report'}: ${i.message}`);
  const more = err.issues.length - said.length;
  return `the report does not match the page's export schema: ${said.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`;
}

/** The JSON that is stored for `report` (scrubbed when asked): the zod-parsed object, never the raw body. */
/**
 * The header of the page's idempotency key: one random key per run, sent again on a retry, so a report whose
 * answer was lost is not stored twice (`Store.collectReport` answers the first upload again).
 */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const CLIENT_KEY = /^[A-Za-z0-9_-]{16,64}$/;

/** The upload's source address as text, plain and (for an IPv4-mapped IPv6 one) without `::ffff:`. */
function seenFrom(remote: string | undefined): string[] {
  if (remote === undefined) return [];
  const plain = remote.toLowerCase().startsWith('::ffff:') ? remote.slice(7) : remote;
  return plain === remote ? [remote] : [remote, plain];
}

function storedReport(report: BrowserReport, scrub: boolean, remote: string | undefined): BrowserReport {
  return scrub ? scrubReportIps(report, seenFrom(remote)) : report;
}

/**
 * `POST /api/invites/:token/report` after the rate limits and `express.json`: 404 for a forged token
 * (without the store), 400 `report-invalid` when the body is not a browser report (zod's first issues in
 * words), 404/410 for an unknown or closed invite, else — in one store transaction (`collectReport`) — one
 * run of the invite taken, the parsed report (unknown keys stripped, IP addresses scrubbed when the invite
 * does not collect them or `--scrub-ips`) stored with its summary columns, and one webhook delivery
 * enqueued per URL (the global `--webhook-url`, the invite's): 201 `{id}`. Nothing is stored on a refusal.
 */
export function ingestReport(deps: SupportDeps): RequestHandler<{ token: string }> {
  return async (req, res) => {
    const id = verifyInvite(deps.inviteKey, req.params.token);
    if (id === null) return sendRefusal(res, 'unknown');
    if (req.body === undefined)
      return void res.status(400).json(invalid('the body must be JSON (Content-Type: application/json)'));
    const parsed = browserReportSchema.safeParse(req.body);
    if (!parsed.success) return void res.status(400).json(invalid(issuesInWords(parsed.error)));
    const startedAtMs = Date.parse(parsed.data.startedAt);
    if (!Number.isFinite(startedAtMs))
      return void res.status(400).json(invalid(`startedAt: not a date and time: '${parsed.data.startedAt}'`));
    const clientKey = req.get(IDEMPOTENCY_HEADER) ?? null;
    if (clientKey !== null && !CLIENT_KEY.test(clientKey))
      return void res
        .status(400)
        .json(
          invalid(`${IDEMPOTENCY_HEADER}: 16 to 64 base64url characters, got ${clientKey.length} characters`),
        );
    const invite = await deps.store.getInvite(id);
    if (invite === null) return sendRefusal(res, 'unknown');
    const report = storedReport(
      parsed.data,
      deps.scrubIpsAlways || !invite.collectIps,
      req.socket.remoteAddress,
    );
    const webhookUrls = [...new Set([deps.webhookUrl, invite.webhookUrl].filter((u) => u !== null))];
    const result = await deps.store.collectReport({
      inviteId: id,
      nowMs: deps.now(),
      reportId: randomBytes(16).toString('base64url'),
      reportJson: JSON.stringify(report),
      startedAtMs,
      columns: summarizeReport(report),
      webhookUrls,
      clientKey,
    });
    if (!result.ok) return sendRefusal(res, result.refusal);
    if (result.repeated)
      deps.log.info({ report: result.summary.id, invite: id }, 'support report sent again');
    else deps.log.info({ report: result.summary.id, invite: id }, 'support report collected');
    res.status(201).json({ id: result.summary.id });
  };
}

/**
 * The upload's body errors as the API says them: 413 `{error: 'report-too-large'}` over
 * {@link MAX_REPORT_BYTES}, 400 `report-invalid` for a body that is not JSON; others go on.
 */
export const reportBodyErrors: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large') {
    const body: ApiError = {
      error: 'report-too-large',
      message: `the report is larger than ${MAX_REPORT_BYTES / 1024} KiB`,
    };
    res.status(413).json(body);
    return;
  }
  if (type === 'entity.parse.failed') return void res.status(400).json(invalid('the body is not valid JSON'));
  next(err);
};
