/**
 * The support-link store (issue 17): invites, collected browser reports, dashboard admins and sessions,
 * webhook deliveries and settings, the same schema and migrations on SQLite (better-sqlite3 12, the default,
 * one file under `serve --data-dir`) and PostgreSQL (`--database postgres://…`, several report servers on one
 * store). Times are epoch milliseconds (UTC) everywhere; ids are 22-character base64url strings of 16 random
 * bytes. Implementations: src/store/open-store.ts. Nothing here trusts its input less than zod did before.
 */

/** An invite (a support link): what an operator created and how much of it is used. */
export interface InviteRecord {
  /** The public id inside the token (22 base64url characters). */
  readonly id: string;
  /** Operator's text (ticket number, customer), ≤ 200 characters; rendered only as text. */
  readonly label: string;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  /** Reports the link accepts in all (≥ 1). */
  readonly maxRuns: number;
  /** Reports already accepted. */
  readonly runsUsed: number;
  /** False: IP addresses are scrubbed from its reports before they are stored (and the page says so). */
  readonly collectIps: boolean;
  /** Where each of its reports is also POSTed (besides the global webhook), or null. */
  readonly webhookUrl: string | null;
  /** When it was revoked, or null. */
  readonly revokedAtMs: number | null;
  /** `cli` or the admin's user name. */
  readonly createdBy: string;
}

/** What {@link Store.createInvite} takes: an invite without its counters. */
export type NewInvite = Omit<InviteRecord, 'runsUsed' | 'revokedAtMs'>;

/** Why an invite takes no (more) reports; `unknown` = no such id. */
export type InviteRefusal = 'unknown' | 'expired' | 'used-up' | 'revoked';

/**
 * The columns derived from a report at ingest (src/store/summary.ts `summarizeReport`), for the list,
 * filters and aggregates without parsing stored JSON.
 */
export interface ReportColumns {
  /** `verdict.code` of the browser report (`direct`, `relay-required`, `only-tls-443`, `no-path` …). */
  readonly verdict: string;
  /** RFC 4787 mapping behaviour as the report has it, or null (unknown). */
  readonly mapping: string | null;
  /** RFC 4787 filtering behaviour, or null (a browser never sees it). */
  readonly filtering: string | null;
  /** Path kinds (`stun`, `turn-udp`, `turn-tcp`, `turns`) that worked, in that order. */
  readonly transportsOk: readonly string[];
  /**
   * Whether calls from the visitor's network needed a relay: the two-peer call's pair, else the verdict
   * (src/store/summary.ts); null when the report does not show it.
   */
  readonly relayNeeded: boolean | null;
  /** True when the page's verdict was `only-tls-443`: only TURN over TLS on port 443 worked. */
  readonly tlsOnly: boolean;
}

/** A stored report's row in the dashboard's list. */
export interface StoredReportSummary extends ReportColumns {
  readonly id: string;
  /** The invite it came in by, or null. */
  readonly inviteId: string | null;
  /** The invite's label at the time of ingest ('' without an invite). */
  readonly label: string;
  readonly receivedAtMs: number;
  /** The report's own `startedAt` as epoch ms. */
  readonly startedAtMs: number;
  /** Bytes of the stored JSON. */
  readonly sizeBytes: number;
}

/** The list's and aggregates' filters; all optional, combined with AND. */
export interface ReportFilter {
  readonly fromMs?: number;
  /** Exclusive upper bound of `receivedAtMs`. */
  readonly toMs?: number;
  readonly verdict?: string;
  /** A mapping value, or `unknown` for null. */
  readonly mapping?: string;
  readonly inviteId?: string;
  /** Case-insensitive substring of the label. */
  readonly labelContains?: string;
}

/** One page of the list, newest first; `nextCursor` continues it (opaque), null at the end. */
export interface ReportPage {
  readonly rows: readonly StoredReportSummary[];
  readonly nextCursor: string | null;
}

/** The dashboard's aggregates over a filter. Counts of reports; keys as stored, `unknown` for null. */
export interface ReportAggregates {
  readonly total: number;
  readonly byVerdict: Readonly<Record<string, number>>;
  readonly byMapping: Readonly<Record<string, number>>;
  readonly byFiltering: Readonly<Record<string, number>>;
  /** Reports that needed a relay, did not, or do not show it (see `ReportColumns.relayNeeded`). */
  readonly relayNeeded: { readonly yes: number; readonly no: number; readonly unknown: number };
  /** Reports where only TURN over TLS worked. */
  readonly tlsOnly: number;
  /** Reports per UTC day (`YYYY-MM-DD`), ascending. */
  readonly byDay: readonly { readonly day: string; readonly total: number }[];
}

/** A dashboard user. `passwordHash` is the scrypt string of src/web/admin/server/password.ts. */
export interface AdminRecord {
  readonly username: string;
  readonly passwordHash: string;
  readonly createdAtMs: number;
}

/** A dashboard session; the cookie carries a secret whose SHA-256 (hex) is `idHash`. */
export interface SessionRecord {
  readonly idHash: string;
  readonly username: string;
  /** The CSRF token of this session (synchronizer token), 22 base64url characters. */
  readonly csrfToken: string;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
}

/** One webhook delivery of one report to one URL. */
export interface DeliveryRecord {
  readonly id: string;
  readonly reportId: string;
  readonly url: string;
  /** Attempts made so far. */
  readonly attempts: number;
  readonly nextAttemptAtMs: number;
  /** Last error in words, or null. */
  readonly lastError: string | null;
}

/** The outcome of {@link Store.collectReport}. */
export type CollectResult =
  | {
      readonly ok: true;
      readonly summary: StoredReportSummary;
      readonly invite: InviteRecord;
      /** True when this answers a retry: the report was stored before under the same `clientKey`. */
      readonly repeated?: boolean;
    }
  | { readonly ok: false; readonly refusal: InviteRefusal };

/**
 * The store. Every method may reject with the driver's error (a lost PostgreSQL connection, a full disk);
 * none returns partial writes: multi-row changes are transactions.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** A human description without secrets: the SQLite file, or the PostgreSQL URL with its password removed. */
  readonly description: string;

  /** A setting, or null. */
  getSetting(key: string): Promise<string | null>;
  /** Sets `key` to `value` unless it is set; returns the value stored (race-safe between servers). */
  setSettingIfAbsent(key: string, value: string): Promise<string>;
  setSetting(key: string, value: string): Promise<void>;

  createInvite(invite: NewInvite): Promise<InviteRecord>;
  getInvite(id: string): Promise<InviteRecord | null>;
  /** Newest first. */
  listInvites(limit: number, offset: number): Promise<InviteRecord[]>;
  /** Marks it revoked at `atMs`; false when there is no such invite. */
  revokeInvite(id: string, atMs: number): Promise<boolean>;
  /** Why `id` takes no report at `nowMs`, or null when it is open. */
  inviteRefusal(id: string, nowMs: number): Promise<InviteRefusal | null>;

  /**
   * In one transaction: takes one run of invite `inviteId` when it is open at `nowMs` (not expired, not
   * revoked, `runsUsed < maxRuns`), stores `reportJson` (already validated, scrubbed, serialized) with its
   * columns and the invite's label, and enqueues one webhook delivery per URL in `webhookUrls`, due at
   * `nowMs`. A refused invite stores nothing. With a `clientKey` (the page's idempotency key, one per run) a
   * report this invite already stored under that key is answered again (`repeated: true`) — no second run
   * taken, nothing stored or enqueued — so a retry after a lost answer is not a duplicate.
   */
  collectReport(input: {
    readonly inviteId: string;
    readonly nowMs: number;
    readonly reportId: string;
    readonly reportJson: string;
    readonly startedAtMs: number;
    readonly columns: ReportColumns;
    readonly webhookUrls: readonly string[];
    readonly clientKey?: string | null;
  }): Promise<CollectResult>;
  /** The summary and the stored JSON text, or null. */
  getReport(id: string): Promise<{ summary: StoredReportSummary; reportJson: string } | null>;
  /** One page, newest first (`receivedAtMs` desc, then id). `limit` 1–500. */
  listReports(filter: ReportFilter, limit: number, cursor: string | null): Promise<ReportPage>;
  aggregate(filter: ReportFilter): Promise<ReportAggregates>;
  /** Deletes reports received before `beforeMs` (retention) and their deliveries; returns how many reports. */
  deleteReportsBefore(beforeMs: number): Promise<number>;

  putAdmin(admin: AdminRecord): Promise<void>;
  getAdmin(username: string): Promise<AdminRecord | null>;
  deleteAdmin(username: string): Promise<boolean>;
  countAdmins(): Promise<number>;

  createSession(session: SessionRecord): Promise<void>;
  /** The session when it exists and has not expired at `nowMs`. */
  getSession(idHash: string, nowMs: number): Promise<SessionRecord | null>;
  deleteSession(idHash: string): Promise<void>;
  deleteExpiredSessions(nowMs: number): Promise<number>;

  /**
   * Claims up to `limit` deliveries due at `nowMs` for `leaseMs` (another server skips them until the lease
   * ends), oldest first.
   */
  claimDueDeliveries(nowMs: number, leaseMs: number, limit: number): Promise<DeliveryRecord[]>;
  /** Records an attempt: done (deleted), or failed with `error` and retried at `nextAttemptAtMs` (null: given up, kept with the error). */
  finishDelivery(
    id: string,
    outcome:
      | { readonly ok: true }
      | { readonly ok: false; readonly error: string; readonly nextAttemptAtMs: number | null },
  ): Promise<void>;

  /** Closes the connection(s). Idempotent. */
  close(): Promise<void>;
}
