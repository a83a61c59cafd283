import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleBrowserReport } from '../../lab/browser-report-sample.js';
import { ConfigError } from '../../src/errors.js';
import { openStore } from '../../src/store/open-store.js';
import { summarizeReport } from '../../src/store/summary.js';
import type { Store } from '../../src/store/types.js';
import { INVITE_KEY_SETTING, newInviteId } from '../../src/support-links/invite-token.js';
import {
  type PrivatePostgres,
  postgresUnavailable,
  startPostgres,
  URL_PASSWORD,
} from '../support/postgres.js';

const noPostgres = postgresUnavailable();
const T0 = Date.UTC(2026, 11, 1, 12);
const columns = summarizeReport(sampleBrowserReport());
const reportJson = JSON.stringify(sampleBrowserReport());

const collect = (store: Store, inviteId: string, nowMs: number, webhookUrls: string[] = []) =>
  store.collectReport({
    inviteId,
    nowMs,
    reportId: newInviteId(),
    reportJson,
    startedAtMs: nowMs - 4000,
    columns,
    webhookUrls,
  });

const newInvite = (store: Store, maxRuns: number) =>
  store.createInvite({
    id: newInviteId(),
    label: 'two servers',
    createdAtMs: T0,
    expiresAtMs: T0 + 86_400_000,
    maxRuns,
    collectIps: true,
    webhookUrl: null,
    createdBy: 'cli',
  });

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 1));
    });
  });
}

async function configError(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return (err as Error).message;
}

describe.skipIf(noPostgres !== null)(
  `two report servers on one PostgreSQL${noPostgres ? `: ${noPostgres}` : ''}`,
  () => {
    let server: PrivatePostgres | undefined;
    let a: Store;
    let b: Store;
    let url = '';
    beforeAll(async () => {
      server = await startPostgres({ fsync: 'off' });
      url = await server.createDatabase('shared');
      [a, b] = await Promise.all([openStore({ databaseUrl: url }), openStore({ databaseUrl: url })]);
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await server?.stop();
    });

    it('both migrated at once: one migration applied once, one invite key for both', async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const rows = await client.query('select name from kysely_migration');
      await client.end();
      expect(rows.rows).toEqual([{ name: '0001-initial' }]);
      const key = await a.getSetting(INVITE_KEY_SETTING);
      expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await b.getSetting(INVITE_KEY_SETTING)).toBe(key);
      const third = await openStore({ databaseUrl: url });
      expect(await third.getSetting(INVITE_KEY_SETTING)).toBe(key);
      await third.close();
    });

    it('an invite created on one server is collected on the other, and listed on the first', async () => {
      const invite = await newInvite(a, 3);
      expect(await b.inviteRefusal(invite.id, T0 + 1)).toBeNull();
      const r = await collect(b, invite.id, T0 + 1, ['https://hook.example/a']);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect((await a.getInvite(invite.id))?.runsUsed).toBe(1);
      expect((await a.listReports({ inviteId: invite.id }, 10, null)).rows).toEqual([r.summary]);
      expect((await a.getReport(r.summary.id))?.reportJson).toBe(reportJson);
    });

    it('the last run collected by both servers at the same moment: exactly one succeeds (20 rounds)', async () => {
      for (let round = 0; round < 20; round++) {
        const invite = await newInvite(a, 1);
        const results = await Promise.all([a, b, a, b, a, b].map((s) => collect(s, invite.id, T0 + 2)));
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(results.filter((r) => !r.ok && r.refusal === 'used-up')).toHaveLength(5);
        expect((await b.listReports({ inviteId: invite.id }, 10, null)).rows).toHaveLength(1);
      }
    });

    it('deliveries claimed by both servers at once: each claimed by exactly one', async () => {
      const invite = await newInvite(a, 1);
      await collect(
        a,
        invite.id,
        T0 + 3,
        Array.from({ length: 30 }, (_, k) => `https://hook.example/${k}`),
      );
      const claims = await Promise.all(
        [a, b, a, b, a, b].map((s) => s.claimDueDeliveries(T0 + 3, 60_000, 10)),
      );
      const ids = claims.flat().map((d) => d.id);
      expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
      expect(
        claims.flat().filter((d) => d.url.startsWith('https://hook.example/') && /\/\d+$/.test(d.url)),
      ).toHaveLength(30);
    });

    it('the description and every error leave the URL password out', async () => {
      expect(a.description).toBe(`postgres://postgres@127.0.0.1:${server?.port}/shared`);
      expect(a.description).not.toContain(URL_PASSWORD);
      const missing = await configError(openStore({ databaseUrl: url.replace('/shared', '/no_such_db') }));
      expect(missing).toMatch(
        /^--database: cannot use postgres:\/\/postgres@127\.0\.0\.1:\d+\/no_such_db: .*no_such_db.*does not exist/,
      );
      expect(missing).not.toContain(URL_PASSWORD);
    });
  },
);

describe('openStore({ databaseUrl }) refusals', () => {
  it('an unreachable server: ConfigError naming --database and the refusal, no password', async () => {
    const port = await closedPort();
    const msg = await configError(
      openStore({ databaseUrl: `postgresql://ana:${URL_PASSWORD}@127.0.0.1:${port}/x` }),
    );
    expect(msg).toMatch(
      new RegExp(`^--database: cannot use postgresql://ana@127\\.0\\.0\\.1:${port}/x: .*ECONNREFUSED`),
    );
    expect(msg).not.toContain(URL_PASSWORD);
  });

  it('a password in the query string is left out too', async () => {
    const port = await closedPort();
    const msg = await configError(
      openStore({ databaseUrl: `postgres://127.0.0.1:${port}/x?password=${URL_PASSWORD}&sslmode=disable` }),
    );
    expect(msg).toContain(`postgres://127.0.0.1:${port}/x?sslmode=disable`);
    expect(msg).not.toContain(URL_PASSWORD);
  });

  it('not a URL, another scheme, no host: ConfigError naming --database, without repeating the URL', async () => {
    expect(await configError(openStore({ databaseUrl: `ana ${URL_PASSWORD} at db` }))).toMatch(
      /^--database: not a URL/,
    );
    expect(await configError(openStore({ databaseUrl: `mysql://ana:${URL_PASSWORD}@db/x` }))).toBe(
      "--database: use a postgres:// or postgresql:// URL, got the scheme 'mysql:'",
    );
    expect(await configError(openStore({ databaseUrl: 'postgres:///x' }))).toMatch(
      /^--database: the URL names no host/,
    );
  });
});
