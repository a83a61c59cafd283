import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001-initial.js';

/**
 * Every migration of the store, in order, named by number: a static list (no directory scanning), so the
 * bundled CLI and tsc's output find the same set. A new migration is a new file here and a new entry, never
 * an edit of an applied one.
 */
const MIGRATIONS: Readonly<Record<string, Migration>> = { '0001-initial': initial };

/** The provider for Kysely's `Migrator`. */
export const storeMigrations: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };
