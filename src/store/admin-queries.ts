import type { Kysely } from 'kysely';
import type { StoreTables } from './db-schema.js';
import type { AdminRecord, SessionRecord } from './types.js';

/**
 * Inserts or replaces the admin `admin.username`; a new password hash replaces the old one and, in the same
 * transaction, ends every session of that user (a password is reset because it leaked: its sessions must go).
 */
export async function putAdmin(db: Kysely<StoreTables>, admin: AdminRecord): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('sessions').where('username', '=', admin.username).execute();
    await trx
      .insertInto('admins')
      .values({
        username: admin.username,
        password_hash: admin.passwordHash,
        created_at_ms: admin.createdAtMs,
      })
      .onConflict((oc) => oc.column('username').doUpdateSet({ password_hash: admin.passwordHash }))
      .execute();
  });
}

/** The admin `username`, or null. */
export async function getAdmin(db: Kysely<StoreTables>, username: string): Promise<AdminRecord | null> {
  const row = await db.selectFrom('admins').selectAll().where('username', '=', username).executeTakeFirst();
  return row === undefined
    ? null
    : { username: row.username, passwordHash: row.password_hash, createdAtMs: Number(row.created_at_ms) };
}

/** Deletes the admin and their sessions in one transaction; false when there was no such admin. */
export async function deleteAdmin(db: Kysely<StoreTables>, username: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('sessions').where('username', '=', username).execute();
    const r = await trx.deleteFrom('admins').where('username', '=', username).executeTakeFirst();
    return r.numDeletedRows > 0n;
  });
}

/** How many admins exist. */
export async function countAdmins(db: Kysely<StoreTables>): Promise<number> {
  const row = await db
    .selectFrom('admins')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Stores a new session. */
export async function createSession(db: Kysely<StoreTables>, s: SessionRecord): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: s.idHash,
      username: s.username,
      csrf_token: s.csrfToken,
      created_at_ms: s.createdAtMs,
      expires_at_ms: s.expiresAtMs,
    })
    .execute();
}

/** The session `idHash` when it has not expired at `nowMs` (`expiresAtMs > nowMs`), else null. */
export async function getSession(
  db: Kysely<StoreTables>,
  idHash: string,
  nowMs: number,
): Promise<SessionRecord | null> {
  const row = await db
    .selectFrom('sessions')
    .selectAll()
    .where('id_hash', '=', idHash)
    .where('expires_at_ms', '>', nowMs)
    .executeTakeFirst();
  return row === undefined
    ? null
    : {
        idHash: row.id_hash,
        username: row.username,
        csrfToken: row.csrf_token,
        createdAtMs: Number(row.created_at_ms),
        expiresAtMs: Number(row.expires_at_ms),
      };
}

/** Deletes the session `idHash` (nothing when absent). */
export async function deleteSession(db: Kysely<StoreTables>, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/** Deletes the sessions expired at `nowMs` (`expiresAtMs <= nowMs`); returns how many. */
export async function deleteExpiredSessions(db: Kysely<StoreTables>, nowMs: number): Promise<number> {
  const r = await db.deleteFrom('sessions').where('expires_at_ms', '<=', nowMs).executeTakeFirst();
  return Number(r.numDeletedRows);
}
