import type { Kysely, Selectable } from 'kysely';
import type { StoreTables } from './db-schema.js';
import type { DeliveryRecord, Store } from './types.js';

function toDelivery(row: Selectable<StoreTables['deliveries']>): DeliveryRecord {
  return {
    id: row.id,
    reportId: row.report_id,
    url: row.url,
    attempts: Number(row.attempts),
    nextAttemptAtMs: Number(row.next_attempt_at_ms),
    lastError: row.last_error,
  };
}

/**
 * {@link Store.claimDueDeliveries}: one UPDATE … WHERE id IN (the oldest `limit` due and unleased rows)
 * … RETURNING that sets `lease_until_ms = nowMs + leaseMs`. The outer WHERE repeats the due-and-unleased
 * test, so a concurrent claimer that waited on a row re-checks it and skips it; on PostgreSQL the inner
 * SELECT also takes `FOR UPDATE SKIP LOCKED` so claimers do not wait on each other. SQLite runs one writer
 * at a time, so the statement is atomic there.
 */
export async function claimDueDeliveries(
  db: Kysely<StoreTables>,
  kind: Store['kind'],
  nowMs: number,
  leaseMs: number,
  limit: number,
): Promise<DeliveryRecord[]> {
  const rows = await db
    .updateTable('deliveries')
    .set({ lease_until_ms: nowMs + leaseMs })
    .where('next_attempt_at_ms', '<=', nowMs)
    .where('lease_until_ms', '<=', nowMs)
    .where('id', 'in', (eb) => {
      const due = eb
        .selectFrom('deliveries')
        .select('id')
        .where('next_attempt_at_ms', '<=', nowMs)
        .where('lease_until_ms', '<=', nowMs)
        .orderBy('next_attempt_at_ms')
        .orderBy('id')
        .limit(limit);
      return kind === 'postgres' ? due.forUpdate().skipLocked() : due;
    })
    .returningAll()
    .execute();
  return rows.map(toDelivery).sort((a, b) => a.nextAttemptAtMs - b.nextAttemptAtMs || (a.id < b.id ? -1 : 1));
}

/**
 * {@link Store.finishDelivery}: deletes a delivered one; otherwise counts the attempt, keeps `error`, sets
 * the next attempt (null = given up: never claimed again) and ends the lease.
 */
export async function finishDelivery(
  db: Kysely<StoreTables>,
  id: string,
  outcome: Parameters<Store['finishDelivery']>[1],
): Promise<void> {
  if (outcome.ok) {
    await db.deleteFrom('deliveries').where('id', '=', id).execute();
    return;
  }
  await db
    .updateTable('deliveries')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_error: outcome.error,
      next_attempt_at_ms: outcome.nextAttemptAtMs,
      lease_until_ms: 0,
    }))
    .where('id', '=', id)
    .execute();
}
