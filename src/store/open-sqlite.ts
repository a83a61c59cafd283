import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import { ConfigError } from '../errors.js';
import type { StoreTables } from './db-schema.js';

/** The SQLite file's name inside `--data-dir`. */
export const SQLITE_FILE = 'ice-doctor.sqlite';

/** How long a writer waits for another connection's lock before SQLITE_BUSY, in ms. */
const BUSY_TIMEOUT_MS = 5000;

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Opens (creating when absent) `<dataDir>/ice-doctor.sqlite` with better-sqlite3, loaded here with
 * `import()` so nothing pays for the native module before a store is opened. A created directory is mode
 * 0700, a created file 0600 (SQLite gives its -wal and -shm files the file's mode); WAL journal with
 * synchronous NORMAL (SQLite's advice for WAL: always consistent; a power cut may lose the last commits, an
 * application crash loses none), busy_timeout 5000 ms, foreign keys on. Throws {@link ConfigError} naming `--data-dir` with the path and
 * the system's reason.
 */
export async function openSqlite(dataDir: string): Promise<{ db: Kysely<StoreTables>; description: string }> {
  const file = join(dataDir, SQLITE_FILE);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new ConfigError(`--data-dir: cannot create the directory ${dataDir}: ${reason(err)}`);
  }
  let native: import('better-sqlite3').Database;
  try {
    closeSync(openSync(file, 'a', 0o600));
    const { default: Database } = await import('better-sqlite3');
    native = new Database(file);
  } catch (err) {
    throw new ConfigError(`--data-dir: cannot open the database file ${file}: ${reason(err)}`);
  }
  try {
    native.pragma('journal_mode = WAL');
    native.pragma('synchronous = NORMAL');
    native.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    native.pragma('foreign_keys = ON');
  } catch (err) {
    native.close();
    throw new ConfigError(`--data-dir: ${file} is not a usable SQLite database: ${reason(err)}`);
  }
  return {
    db: new Kysely<StoreTables>({ dialect: new SqliteDialect({ database: native }) }),
    description: file,
  };
}
