import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { DAY_MS } from './aggregate-query.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { StoreTables } from './db-schema.js';
import { getInvite, refusalOf } from './invite-queries.js';
import { reportWhere } from './report-filter.js';
import { SUMMARY_COLUMNS, toInvite, toSummary } from './rows.js';
import type { CollectResult, ReportFilter, ReportPage, Store, StoredReportSummary } from './types.js';

/** The input of {@link Store.collectReport}. */
export type CollectInput = Parameters<Store['collectReport']>[0];

/**
 * {@link Store.collectReport}: one transaction that takes a run with a conditional UPDATE … RETURNING (open
 * at `nowMs`: `expires_at_ms > nowMs`, not revoked, `runs_used < max_runs`; concurrent collectors of the
 * last run serialize on the row, and only one matches), then inserts the report and its deliveries. When no row
 * matched, nothing is written and the refusal is read back ({@link refusalOf}).
 */
export async function collectReport(db: Kysely<StoreTables>, input: CollectInput): Promise<CollectResult> {
  const key = input.clientKey ?? null;
  const before = key === null ? null : await storedUnderKey(db, input.inviteId, key);
  if (before !== null) return before;
  try {
    return await takeRunAndStore(db, input);
  } catch (err) {
    // Two uploads with one key at the same moment: the unique index lets one in; the other answers it.
    const raced = key === null ? null : await storedUnderKey(db, input.inviteId, key);
    if (raced !== null) return raced;
    throw err;
  }
}

/** The report invite `inviteId` stored under `clientKey`, as a repeated success; null when there is none. */
async function storedUnderKey(
  db: Kysely<StoreTables>,
  inviteId: string,
  clientKey: string,
): Promise<CollectResult | null> {
  const row = await db
    .selectFrom('reports')
    .select(SUMMARY_COLUMNS)
    .where('invite_id', '=', inviteId)
    .where('client_key', '=', clientKey)
    .executeTakeFirst();
  const invite = row === undefined ? null : await getInvite(db, inviteId);
  return row === undefined || invite === null
    ? null
    : { ok: true, summary: toSummary(row), invite, repeated: true };
}

async function takeRunAndStore(db: Kysely<StoreTables>, input: CollectInput): Promise<CollectResult> {
  const stored = await db.transaction().execute(async (trx) => {
    const taken = await trx
      .updateTable('invites')
      .set((eb) => ({ runs_used: eb('runs_used', '+', 1) }))
      .where('id', '=', input.inviteId)
      .where('expires_at_ms', '>', input.nowMs)
      .where('revoked_at_ms', 'is', null)
      .where((eb) => eb('runs_used', '<', eb.ref('max_runs')))
      .returningAll()
      .executeTakeFirst();
    if (taken === undefined) return null;
    const invite = toInvite(taken);
    const c = input.columns;
    const summary: StoredReportSummary = {
      id: input.reportId,
      inviteId: invite.id,
      label: invite.label,
      receivedAtMs: input.nowMs,
      startedAtMs: input.startedAtMs,
      sizeBytes: Buffer.byteLength(input.reportJson),
      ...c,
      transportsOk: [...c.transportsOk],
    };
    await trx
      .insertInto('reports')
      .values({
        id: summary.id,
        invite_id: invite.id,
        label: invite.label,
        label_lower: invite.label.toLowerCase(),
        received_at_ms: input.nowMs,
        received_day: Math.floor(input.nowMs / DAY_MS),
        started_at_ms: input.startedAtMs,
        verdict: c.verdict,
        mapping: c.mapping,
        filtering: c.filtering,
        transports_ok: c.transportsOk.join(','),
        relay_needed: c.relayNeeded === null ? null : c.relayNeeded ? 1 : 0,
        tls_only: c.tlsOnly ? 1 : 0,
        size_bytes: summary.sizeBytes,
        report_json: input.reportJson,
        client_key: input.clientKey ?? null,
      })
      .execute();
    if (input.webhookUrls.length > 0)
      await trx
        .insertInto('deliveries')
        .values(
          input.webhookUrls.map((url) => ({
            id: randomBytes(16).toString('base64url'),
            report_id: summary.id,
            url,
            attempts: 0,
            next_attempt_at_ms: input.nowMs,
            lease_until_ms: 0,
            last_error: null,
          })),
        )
        .execute();
    return { summary, invite };
  });
  if (stored !== null) return { ok: true, ...stored };
  const refusal = refusalOf(await getInvite(db, input.inviteId), input.nowMs);
  // The UPDATE matched nothing, so the invite was closed at nowMs; nothing reopens one, so null cannot come.
  return { ok: false, refusal: refusal ?? 'used-up' };
}

/** {@link Store.getReport}. */
export async function getReport(
  db: Kysely<StoreTables>,
  id: string,
): Promise<{ summary: StoredReportSummary; reportJson: string } | null> {
  const row = await db
    .selectFrom('reports')
    .select([...SUMMARY_COLUMNS, 'report_json'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? null : { summary: toSummary(row), reportJson: row.report_json };
}

/** The largest page {@link listReports} returns. */
export const MAX_PAGE = 500;

/**
 * {@link Store.listReports}: keyset paging newest first on `(received_at_ms, id)` (both descending), so
 * rows with equal times are neither repeated nor skipped; one extra row is read to know whether a next page
 * exists. `limit` is clamped to 1–{@link MAX_PAGE}; a bad cursor throws `InvalidCursorError`.
 */
export async function listReports(
  db: Kysely<StoreTables>,
  filter: ReportFilter,
  limit: number,
  cursor: string | null,
): Promise<ReportPage> {
  const n = Math.min(MAX_PAGE, Math.max(1, Math.floor(limit)));
  const after = cursor === null ? null : decodeCursor(cursor);
  let q = db
    .selectFrom('reports')
    .select(SUMMARY_COLUMNS)
    .where((eb) => reportWhere(eb, filter));
  if (after !== null) q = q.where(sql<boolean>`(received_at_ms, id) < (${after.receivedAtMs}, ${after.id})`);
  const rows = await q
    .orderBy('received_at_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(n + 1)
    .execute();
  const page = rows.slice(0, n).map(toSummary);
  const last = page[page.length - 1];
  return {
    rows: page,
    nextCursor:
      rows.length > n && last !== undefined
        ? encodeCursor({ receivedAtMs: last.receivedAtMs, id: last.id })
        : null,
  };
}

/** {@link Store.deleteReportsBefore}: the deliveries of those reports, then the reports, in one transaction. */
export async function deleteReportsBefore(db: Kysely<StoreTables>, beforeMs: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('deliveries')
      .where('report_id', 'in', (eb) =>
        eb.selectFrom('reports').select('id').where('received_at_ms', '<', beforeMs),
      )
      .execute();
    const r = await trx.deleteFrom('reports').where('received_at_ms', '<', beforeMs).executeTakeFirst();
    return Number(r.numDeletedRows);
  });
}
