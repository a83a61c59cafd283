import { type Kysely, Migrator } from 'kysely';
import { ConfigError } from '../errors.js';
import { INVITE_KEY_SETTING, newInviteKey } from '../support-links/invite-token.js';
import { describeDatabaseUrl, scrubSecrets, urlSecrets } from './database-url.js';
import type { StoreTables } from './db-schema.js';
import { kyselyStore } from './kysely-store.js';
import { storeMigrations } from './migrations/index.js';
import { openPostgres } from './open-postgres.js';
import { openSqlite } from './open-sqlite.js';
import type { Store } from './types.js';

/** Where the store lives: SQLite under `serve --data-dir`, or PostgreSQL at `serve --database`. */
export type StoreLocation = { readonly dataDir: string } | { readonly databaseUrl: string };

function reason(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(reason).join('; ');
  return err instanceof Error ? err.message || err.name : String(err);
}

/** Runs the migrations still missing (on PostgreSQL under Kysely's advisory lock, so servers may race). */
async function migrate(db: Kysely<StoreTables>): Promise<void> {
  const { error } = await new Migrator({ db, provider: storeMigrations }).migrateToLatest();
  if (error !== undefined) throw error;
}

/**
 * Opens the store at `location`, brings its schema up to date (src/store/migrations/) and makes sure the
 * invite-signing key exists (`INVITE_KEY_SETTING`, the first server's key wins). SQLite: the file
 * `<dataDir>/ice-doctor.sqlite` (src/store/open-sqlite.ts); PostgreSQL: a `postgres://` or `postgresql://`
 * URL (src/store/open-postgres.ts). The drivers (better-sqlite3, pg) are loaded only here, with `import()`.
 * Throws {@link ConfigError} naming `--data-dir` or `--database` and what happened (bad URL, unreachable
 * or refusing server, unwritable directory, not a database); a URL's password never appears in it nor in
 * `Store.description`.
 */
export async function openStore(location: StoreLocation): Promise<Store> {
  if ('dataDir' in location) {
    const { db, description } = await openSqlite(location.dataDir);
    return prepare(
      db,
      'sqlite',
      description,
      (err) => `--data-dir: cannot use ${description}: ${reason(err)}`,
    );
  }
  const description = describeDatabaseUrl(location.databaseUrl);
  const secrets = urlSecrets(location.databaseUrl);
  const db = await openPostgres(location.databaseUrl);
  return prepare(db, 'postgres', description, (err) =>
    scrubSecrets(`--database: cannot use ${description}: ${reason(err)}`, secrets),
  );
}

async function prepare(
  db: Kysely<StoreTables>,
  kind: Store['kind'],
  description: string,
  explain: (err: unknown) => string,
): Promise<Store> {
  const store = kyselyStore(db, kind, description);
  try {
    await migrate(db);
    await store.setSettingIfAbsent(INVITE_KEY_SETTING, newInviteKey());
  } catch (err) {
    await store.close().catch(() => undefined);
    throw new ConfigError(explain(err));
  }
  return store;
}
