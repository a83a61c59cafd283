/**
 * Two report servers on one PostgreSQL (issue 17's acceptance): two real `node dist/cli.js serve --database
 * postgres://…` processes on 127.0.0.1 sharing one private PostgreSQL 15 (lab/private-postgres.ts, stopped by
 * PID). An invite created on server 1 (its dashboard API, signed in with a user added by the CLI, with the
 * session's CSRF token) is collected by server 2 (the page's POST → 201), listed by server 1's dashboard API,
 * and its second run (max runs 1) is refused by server 1 with 410 `invite-used-up`, nothing more stored.
 * Skipped (counted as skipped) without PostgreSQL 15 or, as root, without a `postgres` user.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../../lab/paths.js';
import type { InviteView, ReportList, SessionInfo } from '../../src/web/admin/admin-api.js';
import { browserReport } from '../support/admin-fixture.js';
import { send } from '../support/admin-http.js';
import { type PrivatePostgres, postgresUnavailable, startPostgres } from '../support/postgres.js';
import { type ServeProcess, startListening } from '../support/serve-process.js';

const noPostgres = postgresUnavailable();
const run = promisify(execFile);
const USER = { username: 'operator', password: 'two servers pass-word' } as const;

/** `serve --json` on 127.0.0.1 (picked ports) with the store `url`. */
const serveOn = (url: string) =>
  startListening(['--json', '--port', '0', '--listen', '127.0.0.1', '--database', url], { startMs: 60_000 });

/** The report page's HTTP base of a serve, without the trailing slash. */
function httpBase(s: ServeProcess): string {
  const url = s.line.report?.url;
  if (!url) throw new Error(`serve printed no report URL: ${s.stdout()}`);
  return url.replace(/\/$/, '');
}

describe.skipIf(noPostgres !== null)(
  `two serve processes on one PostgreSQL${noPostgres ? `: ${noPostgres}` : ''}`,
  () => {
    let dir: string;
    let db: PrivatePostgres | undefined;
    let one: ServeProcess | undefined;
    let two: ServeProcess | undefined;
    let url = '';

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'ice-doctor-two-servers-'));
      db = await startPostgres({ fsync: 'off' });
      url = await db.createDatabase('two_servers');
      [one, two] = await Promise.all([serveOn(url), serveOn(url)]);
      writeFileSync(join(dir, 'pw'), USER.password, { mode: 0o600 });
      await run(process.execPath, [
        CLI_PATH,
        'admin',
        'add-user',
        USER.username,
        '--password-file',
        join(dir, 'pw'),
        '--database',
        url,
      ]);
    }, 120_000);

    afterAll(async () => {
      await one?.stop();
      await two?.stop();
      await db?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('an invite created on server 1 is collected by server 2, listed by server 1, its second run refused (410)', async () => {
      const s1 = httpBase(one!);
      const s2 = httpBase(two!);
      expect(s1).not.toBe(s2);
      const login = await send(`${s1}/admin/api/login`, { body: USER, headers: { Origin: s1 } });
      expect(login.status, login.body).toBe(204);
      const cookie = login.headers['set-cookie']![0]!.split(';')[0]!;
      const session = JSON.parse(
        (await send(`${s1}/admin/api/session`, { headers: { Cookie: cookie } })).body,
      ) as SessionInfo;
      const created = await send(`${s1}/admin/api/invites`, {
        body: {
          label: 'two servers',
          expiresInMs: 3_600_000,
          maxRuns: 1,
          collectIps: true,
          webhookUrl: null,
        },
        headers: { Cookie: cookie, Origin: s1, 'X-CSRF-Token': session.csrfToken },
      });
      expect(created.status, created.body).toBe(201);
      const { invite } = JSON.parse(created.body) as { invite: InviteView };
      const token = invite.url.split('/i/')[1]!;

      const status = await send(`${s2}/api/invites/${token}`);
      expect(status.status, status.body).toBe(200);
      expect(JSON.parse(status.body)).toMatchObject({ status: 'open', runsLeft: 1 });
      const posted = await send(`${s2}/api/invites/${token}/report`, { body: browserReport() });
      expect(posted.status, posted.body).toBe(201);
      const { id } = JSON.parse(posted.body) as { id: string };

      const listed = await send(`${s1}/admin/api/reports?invite=${invite.id}`, {
        headers: { Cookie: cookie },
      });
      expect(listed.status, listed.body).toBe(200);
      const list = JSON.parse(listed.body) as ReportList;
      expect(list.rows.map((r) => [r.id, r.inviteId, r.label])).toEqual([[id, invite.id, 'two servers']]);
      const detail = await send(`${s1}/admin/api/reports/${id}`, { headers: { Cookie: cookie } });
      expect(detail.status, detail.body).toBe(200);

      const again = await send(`${s1}/api/invites/${token}/report`, { body: browserReport() });
      expect(again.status, again.body).toBe(410);
      expect(JSON.parse(again.body)).toMatchObject({ error: 'invite-used-up' });
      const after = JSON.parse(
        (await send(`${s2}/admin/api/reports?invite=${invite.id}`, { headers: { Cookie: cookie } })).body,
      ) as ReportList;
      expect(after.rows.map((r) => r.id)).toEqual([id]);
      const closed = await send(`${s1}/api/invites/${token}`);
      expect(closed.status).toBe(410);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const rows = await client.query('select id, invite_id from reports');
      await client.end();
      expect(rows.rows).toEqual([{ id, invite_id: invite.id }]);
      expect(one!.alive() && two!.alive()).toBe(true);
    }, 60_000);
  },
);
