/**
 * The tests' private PostgreSQL 15 (initdb in a temp dir, private socket dir and port, started and stopped
 * by PID): it lives in lab/private-postgres.ts because the store benchmark (bench/) uses the same one.
 */
export {
  PG_BIN,
  type PrivatePostgres,
  postgresUnavailable,
  startPostgres,
  URL_PASSWORD,
} from '../../lab/private-postgres.js';
