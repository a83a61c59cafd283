import type { Selectable } from 'kysely';
import type { StoreTables } from './db-schema.js';
import type { InviteRecord, StoredReportSummary } from './types.js';

/** The reports columns of a list row: everything but the stored JSON and the folded label. */
export const SUMMARY_COLUMNS = [
  'id',
  'invite_id',
  'label',
  'received_at_ms',
  'started_at_ms',
  'verdict',
  'mapping',
  'filtering',
  'transports_ok',
  'relay_needed',
  'tls_only',
  'size_bytes',
] as const;

type SummaryRow = Pick<Selectable<StoreTables['reports']>, (typeof SUMMARY_COLUMNS)[number]>;

/** A row of `invites` as the record of src/store/types.ts. */
export function toInvite(row: Selectable<StoreTables['invites']>): InviteRecord {
  return {
    id: row.id,
    label: row.label,
    createdAtMs: Number(row.created_at_ms),
    expiresAtMs: Number(row.expires_at_ms),
    maxRuns: Number(row.max_runs),
    runsUsed: Number(row.runs_used),
    collectIps: Number(row.collect_ips) === 1,
    webhookUrl: row.webhook_url,
    revokedAtMs: row.revoked_at_ms === null ? null : Number(row.revoked_at_ms),
    createdBy: row.created_by,
  };
}

/** A list row of `reports` as {@link StoredReportSummary} (`transports_ok` split, 0/1 as booleans). */
export function toSummary(row: SummaryRow): StoredReportSummary {
  return {
    id: row.id,
    inviteId: row.invite_id,
    label: row.label,
    receivedAtMs: Number(row.received_at_ms),
    startedAtMs: Number(row.started_at_ms),
    verdict: row.verdict,
    mapping: row.mapping,
    filtering: row.filtering,
    transportsOk: row.transports_ok === '' ? [] : row.transports_ok.split(','),
    relayNeeded: row.relay_needed === null ? null : Number(row.relay_needed) === 1,
    tlsOnly: Number(row.tls_only) === 1,
    sizeBytes: Number(row.size_bytes),
  };
}
