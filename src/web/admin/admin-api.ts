import type { BrowserReport } from '../../report/browser-schema.js';
import type {
  InviteRecord,
  InviteRefusal,
  ReportAggregates,
  StoredReportSummary,
} from '../../store/types.js';

/**
 * The `/admin/api` answers (issue 17's dashboard), shared by the server (src/web/admin/server/) and the
 * dashboard's browser code (src/web/admin/ui/). Times are epoch ms, as the store keeps them. Every error is
 * `{error, message}` (src/web/server/api-errors.ts `ApiError`).
 */

export type { ReportAggregates, StoredReportSummary };

/** `GET /admin/api/session`: who is signed in and the session's CSRF token (22 base64url characters). */
export interface SessionInfo {
  readonly username: string;
  readonly csrfToken: string;
}

/** `GET /admin/api/reports`: one page, newest first; `nextCursor` continues it, null at the end. */
export interface ReportList {
  readonly rows: readonly StoredReportSummary[];
  readonly nextCursor: string | null;
}

/** `GET /admin/api/reports/:id`: the list row and the stored report (the page's export, zod-parsed at ingest). */
export interface ReportDetail {
  readonly summary: StoredReportSummary;
  readonly report: BrowserReport;
}

/** An invite as the dashboard shows it: the record, its link and whether it still takes reports. */
export interface InviteView extends InviteRecord {
  /** `<baseUrl>/i/<token>`. */
  readonly url: string;
  /** `open`, or why it takes no more reports. */
  readonly status: 'open' | Exclude<InviteRefusal, 'unknown'>;
}

/** `GET /admin/api/invites`: newest first. */
export interface InviteList {
  readonly invites: readonly InviteView[];
}

/** `POST /admin/api/invites` body (JSON). */
export interface InviteCreateBody {
  /** ≤ 200 characters. */
  readonly label: string;
  /** 1 min to 365 d, in ms. */
  readonly expiresInMs: number;
  /** 1–1000. */
  readonly maxRuns: number;
  readonly collectIps: boolean;
  /** http(s) URL, or null for none. */
  readonly webhookUrl: string | null;
}
