import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { type PrivatePostgres, postgresUnavailable, startPostgres } from '../support/postgres.js';
import { storeSuite } from './store-suite.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('Store on SQLite (a file under a temp data dir)', () => {
  storeSuite({
    kind: 'sqlite',
    fresh: () => {
      const dir = mkdtempSync(join(tmpdir(), 'ice-doctor-store-'));
      dirs.push(dir);
      return openStore({ dataDir: join(dir, 'data') });
    },
  });
});

const noPostgres = postgresUnavailable();

describe.skipIf(noPostgres !== null)(
  `Store on PostgreSQL 15 (private server)${noPostgres ? `: ${noPostgres}` : ''}`,
  () => {
    let server: PrivatePostgres | undefined;
    let n = 0;
    beforeAll(async () => {
      server = await startPostgres({ fsync: 'off' });
    });
    afterAll(async () => {
      await server?.stop();
    });
    storeSuite({
      kind: 'postgres',
      fresh: async () => {
        if (server === undefined) throw new Error('PostgreSQL did not start');
        return openStore({ databaseUrl: await server.createDatabase(`suite_${++n}`) });
      },
    });
  },
);
