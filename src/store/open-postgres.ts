import { Kysely, PostgresDialect } from 'kysely';
import type { StoreTables } from './db-schema.js';

/** The connections one report server keeps to PostgreSQL at most. */
export const POSTGRES_POOL_MAX = 10;

/** How long a new connection may take before the query fails, in ms. */
const CONNECT_TIMEOUT_MS = 10_000;

/** PostgreSQL's type OID of int8 (`bigint`, and `count(*)`). */
const INT8_OID = 20;

/**
 * A Kysely over a pg pool (max {@link POSTGRES_POOL_MAX}) for `url`, pg loaded here with `import()`. int8
 * values (the epoch-ms columns, counts) are parsed as JavaScript numbers (exact up to 2^53, far beyond any
 * epoch ms). The pool connects lazily: an unreachable server shows at the first query. An idle connection
 * that breaks is dropped by the pool (its `error` event is taken here so it cannot crash the process); the
 * next query reports the failure.
 */
export async function openPostgres(url: string): Promise<Kysely<StoreTables>> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    max: POSTGRES_POOL_MAX,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? Number
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', () => undefined);
  return new Kysely<StoreTables>({ dialect: new PostgresDialect({ pool }) });
}
