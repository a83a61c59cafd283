import { z } from 'zod';

/**
 * The support-link API (issue 17) as the report page reads it and the report server answers it, shared by
 * both: `GET /api/invites/:token` (may this link still send a report?) and `POST /api/invites/:token/report`
 * (the page's exported browser report, src/report/browser-schema.ts). Every answer is JSON with
 * `Cache-Control: no-store`; errors are `{error, message}` like src/web/server/api-errors.ts.
 */

/** Largest report body `POST /api/invites/:token/report` accepts, in bytes (512 KiB); larger is 413. */
export const INVITE_REPORT_MAX_BYTES = 512 * 1024;

/**
 * 200 of `GET /api/invites/:token`: the link takes a report. `collectsIps` false: the server stores the
 * report without IP addresses (and the page sends it redacted). `expiresAt` is an ISO 8601 UTC time;
 * `runsLeft` how many more reports it takes (≥ 1 while open).
 */
export const inviteStatusSchema = z.object({
  status: z.literal('open'),
  collectsIps: z.boolean(),
  expiresAt: z.iso.datetime(),
  runsLeft: z.number().int().nonnegative(),
});
export type InviteStatus = z.infer<typeof inviteStatusSchema>;

/**
 * Why a link takes no report: `invite-unknown` (404: a bad MAC or no such invite), `invite-expired`,
 * `invite-used-up`, `invite-revoked` (410).
 */
export const inviteRefusalCodeSchema = z.enum([
  'invite-unknown',
  'invite-expired',
  'invite-used-up',
  'invite-revoked',
]);
export type InviteRefusalCode = z.infer<typeof inviteRefusalCodeSchema>;

/**
 * The 404/410 body of either route: the code, the refusal in words for the visitor (`message`, optional for
 * 404), and for `invite-expired` optionally when it expired (`expiresAt`, ISO 8601), which the page then
 * shows in the visitor's own time zone.
 */
export const inviteRefusalSchema = z.object({
  error: inviteRefusalCodeSchema,
  message: z.string().max(500).optional(),
  expiresAt: z.iso.datetime().optional(),
});
export type InviteRefusalBody = z.infer<typeof inviteRefusalSchema>;

/** 201 of `POST /api/invites/:token/report`: the stored report's id (22 base64url characters), its reference. */
export const reportAcceptedSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{22}$/) });

/** Any other error body of these routes (`report-invalid`, `report-too-large`, `rate-limited` …). */
export const inviteApiErrorSchema = z.object({ error: z.string(), message: z.string().max(2000).optional() });
