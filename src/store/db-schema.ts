/**
 * The tables as Kysely sees them (src/store/migrations/ creates them). Booleans are integers 0/1 on both
 * dialects (one schema); times are epoch ms in `bigint` columns (PostgreSQL's int8 is read back as a number,
 * see postgres-dialect.ts); `transports_ok` is a comma-separated list of path kinds.
 */
export interface StoreTables {
  settings: { key: string; value: string };
  invites: {
    id: string;
    label: string;
    created_at_ms: number;
    expires_at_ms: number;
    max_runs: number;
    runs_used: number;
    collect_ips: number;
    webhook_url: string | null;
    revoked_at_ms: number | null;
    created_by: string;
  };
  reports: {
    id: string;
    invite_id: string | null;
    label: string;
    /** `label` lower-cased by JavaScript at ingest: the case-insensitive filter, the same on both dialects. */
    label_lower: string;
    received_at_ms: number;
    /** `floor(received_at_ms / 86,400,000)`: the UTC day (days since 1970-01-01), the aggregates' key. */
    received_day: number;
    started_at_ms: number;
    verdict: string;
    mapping: string | null;
    filtering: string | null;
    transports_ok: string;
    relay_needed: number | null;
    tls_only: number;
    size_bytes: number;
    report_json: string;
    /** The page's idempotency key of the upload (unique per invite), or null. */
    client_key: string | null;
  };
  admins: { username: string; password_hash: string; created_at_ms: number };
  sessions: {
    id_hash: string;
    username: string;
    csrf_token: string;
    created_at_ms: number;
    expires_at_ms: number;
  };
  deliveries: {
    id: string;
    report_id: string;
    url: string;
    attempts: number;
    /** Null once given up (kept with its error). */
    next_attempt_at_ms: number | null;
    /** A claim holds it until this time; 0 = not claimed. */
    lease_until_ms: number;
    last_error: string | null;
  };
}
