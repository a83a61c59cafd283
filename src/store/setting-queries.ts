import type { Kysely } from 'kysely';
import type { StoreTables } from './db-schema.js';

/** The setting `key`, or null. */
export async function getSetting(db: Kysely<StoreTables>, key: string): Promise<string | null> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}

/**
 * Inserts `key` = `value` unless the key exists (INSERT … ON CONFLICT DO NOTHING, race-safe between servers)
 * and returns the value stored, the first writer's.
 */
export async function setSettingIfAbsent(
  db: Kysely<StoreTables>,
  key: string,
  value: string,
): Promise<string> {
  await db
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const stored = await getSetting(db, key);
  if (stored === null) throw new Error(`setting ${key} vanished right after it was written`);
  return stored;
}

/** Sets `key` to `value` (insert or replace). */
export async function setSetting(db: Kysely<StoreTables>, key: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}
