import { type Kysely, sql } from 'kysely';

/**
 * The first schema of the support-link store (issue 17), the same DDL on SQLite and PostgreSQL: the six
 * tables of src/store/db-schema.ts and the indexes behind the dashboard's list (newest first, keyset
 * paging on `(received_at_ms, id)`), its filters (verdict, mapping, invite) and the aggregates (a covering
 * index whose leading columns are the GROUP BY's, in its order, so the groups stream out of an index range
 * scan without a sort).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('invites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('max_runs', 'integer', (c) => c.notNull())
    .addColumn('runs_used', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('collect_ips', 'integer', (c) => c.notNull())
    .addColumn('webhook_url', 'text')
    .addColumn('revoked_at_ms', 'bigint')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('invites_created').on('invites').columns(['created_at_ms', 'id']).execute();
  await db.schema
    .createTable('reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('invite_id', 'text', (c) => c.references('invites.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('label_lower', 'text', (c) => c.notNull())
    .addColumn('received_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('received_day', 'bigint', (c) => c.notNull())
    .addColumn('started_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('mapping', 'text')
    .addColumn('filtering', 'text')
    .addColumn('transports_ok', 'text', (c) => c.notNull())
    .addColumn('relay_needed', 'integer')
    .addColumn('tls_only', 'integer', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('report_json', 'text', (c) => c.notNull())
    .addColumn('client_key', 'text')
    .execute();
  await db.schema
    .createIndex('reports_client_key')
    .on('reports')
    .columns(['invite_id', 'client_key'])
    .unique()
    .execute();
  await db.schema.createIndex('reports_received').on('reports').columns(['received_at_ms', 'id']).execute();
  await db.schema
    .createIndex('reports_verdict')
    .on('reports')
    .columns(['verdict', 'received_at_ms', 'id'])
    .execute();
  await db.schema
    .createIndex('reports_mapping')
    .on('reports')
    .columns(['mapping', 'received_at_ms', 'id'])
    .execute();
  await db.schema
    .createIndex('reports_invite')
    .on('reports')
    .columns(['invite_id', 'received_at_ms', 'id'])
    .execute();
  await db.schema
    .createIndex('reports_aggregate')
    .on('reports')
    .columns([
      'received_day',
      'verdict',
      'mapping',
      'filtering',
      'relay_needed',
      'tls_only',
      'received_at_ms',
    ])
    .execute();
  await db.schema
    .createTable('admins')
    .addColumn('username', 'text', (c) => c.primaryKey())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().references('admins.username').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_expiry').on('sessions').column('expires_at_ms').execute();
  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('report_id', 'text', (c) => c.notNull().references('reports.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at_ms', 'bigint')
    .addColumn('lease_until_ms', 'bigint', (c) => c.notNull().defaultTo(sql`0`))
    .addColumn('last_error', 'text')
    .execute();
  await db.schema
    .createIndex('deliveries_due')
    .on('deliveries')
    .columns(['next_attempt_at_ms', 'id'])
    .execute();
  await db.schema.createIndex('deliveries_report').on('deliveries').column('report_id').execute();
}
