import type { Kysely } from 'kysely';
import type { StoreTables } from './db-schema.js';
import { toInvite } from './rows.js';
import type { InviteRecord, InviteRefusal, NewInvite } from './types.js';

/** Why `invite` takes no report at `nowMs` (revoked before expired before used up), or null when open. */
export function refusalOf(invite: InviteRecord | null, nowMs: number): InviteRefusal | null {
  if (invite === null) return 'unknown';
  if (invite.revokedAtMs !== null) return 'revoked';
  if (invite.expiresAtMs <= nowMs) return 'expired';
  if (invite.runsUsed >= invite.maxRuns) return 'used-up';
  return null;
}

/** Inserts a new invite (runs_used 0, not revoked) and returns its record. */
export async function createInvite(db: Kysely<StoreTables>, invite: NewInvite): Promise<InviteRecord> {
  await db
    .insertInto('invites')
    .values({
      id: invite.id,
      label: invite.label,
      created_at_ms: invite.createdAtMs,
      expires_at_ms: invite.expiresAtMs,
      max_runs: invite.maxRuns,
      runs_used: 0,
      collect_ips: invite.collectIps ? 1 : 0,
      webhook_url: invite.webhookUrl,
      revoked_at_ms: null,
      created_by: invite.createdBy,
    })
    .execute();
  return { ...invite, runsUsed: 0, revokedAtMs: null };
}

/** The invite `id`, or null. */
export async function getInvite(db: Kysely<StoreTables>, id: string): Promise<InviteRecord | null> {
  const row = await db.selectFrom('invites').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : toInvite(row);
}

/** Invites newest first (created_at_ms desc, id desc), `limit` from `offset`. */
export async function listInvites(
  db: Kysely<StoreTables>,
  limit: number,
  offset: number,
): Promise<InviteRecord[]> {
  const rows = await db
    .selectFrom('invites')
    .selectAll()
    .orderBy('created_at_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map(toInvite);
}

/** Sets `revoked_at_ms` (first revocation wins); false when there is no such invite. */
export async function revokeInvite(db: Kysely<StoreTables>, id: string, atMs: number): Promise<boolean> {
  const found = await db.selectFrom('invites').select('id').where('id', '=', id).executeTakeFirst();
  if (found === undefined) return false;
  await db
    .updateTable('invites')
    .set({ revoked_at_ms: atMs })
    .where('id', '=', id)
    .where('revoked_at_ms', 'is', null)
    .execute();
  return true;
}
