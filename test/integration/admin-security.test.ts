/**
 * The dashboard's security against a real report server and a real SQLite store in a temp directory
 * (test/support/admin-fixture.ts), reports collected through the page's own POST: no `/admin/api` route and
 * no report without a session; sign-in refusals alike for unknown users (one scrypt each); the session
 * cookie's exact attributes over HTTP and HTTPS and only its SHA-256 in the database file; CSRF refused
 * without the token, with another session's token, cross-site; the list, the report, filters and paging; the
 * CSV export's quoting and formula defusing; a `<script>` label returned as data; the sign-in rate limit.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeReport } from '../../src/store/summary.js';
import { INVITE_KEY_SETTING, newInviteId, verifyInvite } from '../../src/support-links/invite-token.js';
import type { InviteView, ReportDetail, ReportList } from '../../src/web/admin/admin-api.js';
import {
  ADMIN,
  type AdminFixture,
  type AdminSession,
  browserReport,
  startAdminFixture,
} from '../support/admin-fixture.js';
import { send } from '../support/admin-http.js';

const SCRIPT_LABEL = '<script>alert(1)</script>';
const FORMULA_LABEL = '=HYPERLINK("http://evil.example","click"), "quoted"';

let fx: AdminFixture;
let alice: AdminSession;
const ids = { script: '', formula: '', minus: '' };

/** GET `path` under `/admin/api` with a session's cookie (or none). */
const get = (path: string, s?: AdminSession) =>
  send(`${fx.http}/admin/api/${path}`, { headers: s ? { Cookie: s.cookie } : {} });

/** POST `path` under `/admin/api` with `headers` and `body`. */
const post = (path: string, headers: Record<string, string>, body: unknown = {}) =>
  send(`${fx.http}/admin/api/${path}`, { method: 'POST', headers, body });

const inviteBody = {
  label: 'ticket 1',
  expiresInMs: 86_400_000,
  maxRuns: 2,
  collectIps: false,
  webhookUrl: null,
};

beforeAll(async () => {
  fx = await startAdminFixture();
  // A few ms apart, so "newest first" has one answer (equal times are ordered by id).
  ids.script = await fx.collect(SCRIPT_LABEL, browserReport('direct'));
  await sleep(5);
  ids.formula = await fx.collect(FORMULA_LABEL, browserReport('only-tls-443'));
  await sleep(5);
  ids.minus = await fx.collect('-2+3 ticket', browserReport('relay-only'));
  alice = await fx.login();
});

afterAll(async () => {
  await fx?.close();
});

describe('dashboard: no access without a session', () => {
  const routes = [
    'session',
    'reports',
    `reports/${'A'.repeat(22)}`,
    'aggregates',
    'export?format=csv',
    'export?format=json',
    'invites',
    'no-such-route',
  ];

  it('answers 401 to every API route without a session cookie, and with a forged one', async () => {
    for (const cookie of [
      undefined,
      `ice_doctor_admin=${randomBytes(32).toString('base64url')}`,
      'ice_doctor_admin=x',
    ])
      for (const route of routes) {
        const res = await send(`${fx.http}/admin/api/${route}`, {
          headers: cookie ? { Cookie: cookie } : {},
        });
        expect(res.status, `${route} with ${cookie}`).toBe(401);
        expect(JSON.parse(res.body)).toMatchObject({ error: 'unauthenticated' });
        expect(res.headers['cache-control']).toBe('no-store');
      }
  });

  it('answers 401 to every POST without a session, whatever the Origin and token', async () => {
    const headers = { Origin: fx.http, 'X-CSRF-Token': alice.csrfToken };
    for (const route of ['invites', `invites/${ids.script}/revoke`, 'logout']) {
      const res = await post(route, headers, inviteBody);
      expect(res.status, route).toBe(401);
    }
    expect((await fx.store.listInvites(100, 0)).map((i) => i.label)).not.toContain('ticket 1');
  });

  it('serves the page at /admin without a session: the sign-in form, no report data, the strict CSP', async () => {
    for (const path of ['/admin', '/admin/']) {
      const res = await send(`${fx.http}${path}`);
      expect(res.status).toBe(200);
      expect(res.body).toContain('id="sign-in-form"');
      expect(res.body).not.toContain(ids.script);
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    }
  });
});

describe('dashboard: sign-in', () => {
  it('refuses a wrong password and an unknown user alike (401, same body), both costing one scrypt', async () => {
    const attempt = async (username: string) => {
      const t0 = performance.now();
      const res = await send(`${fx.http}/admin/api/login`, {
        localAddress: '127.0.0.2',
        headers: { Origin: fx.http },
        body: { username, password: 'wrong password' },
      });
      return { res, ms: performance.now() - t0 };
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      const k = await attempt(ADMIN.username);
      const u = await attempt(`nobody-${i}`);
      expect(k.res.status).toBe(401);
      expect(u.res.status).toBe(401);
      expect(u.res.body).toBe(k.res.body);
      expect(JSON.parse(k.res.body)).toEqual({
        error: 'login-failed',
        message: 'wrong user name or password',
      });
      expect(k.res.headers['set-cookie']).toBeUndefined();
      known.push(k.ms);
      unknown.push(u.ms);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
    console.log(
      `sign-in refused: known user ${median(known).toFixed(1)} ms, unknown user ${median(unknown).toFixed(1)} ms (medians of 3)`,
    );
    expect(median(unknown)).toBeGreaterThan(median(known) / 3);
    expect(median(unknown)).toBeLessThan(median(known) * 3);
    expect(median(unknown)).toBeGreaterThan(10);
  }, 60_000);

  it('refuses a malformed sign-in with 400 naming the field', async () => {
    const res = await send(`${fx.http}/admin/api/login`, {
      localAddress: '127.0.0.3',
      headers: { Origin: fx.http },
      body: { username: ADMIN.username },
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      error: 'invalid-request',
      message: expect.stringContaining('password'),
    });
    const notJson = await send(`${fx.http}/admin/api/login`, {
      localAddress: '127.0.0.3',
      headers: { Origin: fx.http, 'Content-Type': 'application/json' },
      body: '{"username":',
    });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body)).toMatchObject({ error: 'invalid-json' });
  });

  it('sets the session cookie over HTTP: HttpOnly, SameSite=Strict, Path=/admin, 12 h, not Secure', async () => {
    const res = await post('login', { Origin: fx.http }, ADMIN);
    expect(res.status).toBe(204);
    const cookies = res.headers['set-cookie']!;
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(
      /^ice_doctor_admin=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/admin; Expires=[^;]+ GMT; HttpOnly; SameSite=Strict$/,
    );
  });

  it('sets the __Host- cookie over HTTPS: Secure, Path=/, HttpOnly, SameSite=Strict, 12 h', async () => {
    const res = await send(`${fx.https}/admin/api/login`, { headers: { Origin: fx.https }, body: ADMIN });
    expect(res.status).toBe(204);
    const cookie = res.headers['set-cookie']![0]!;
    expect(cookie).toMatch(
      /^__Host-ice_doctor_admin=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; Expires=[^;]+ GMT; HttpOnly; Secure; SameSite=Strict$/,
    );
    const expires = Date.parse(/Expires=([^;]+)/.exec(cookie)![1]!);
    expect(Math.abs(expires - (Date.now() + 12 * 3_600_000))).toBeLessThan(5000);
    const pair = cookie.split(';')[0]!;
    expect((await send(`${fx.https}/admin/api/session`, { headers: { Cookie: pair } })).status).toBe(200);
    expect((await send(`${fx.http}/admin/api/session`, { headers: { Cookie: pair } })).status).toBe(401);
  });

  it('keeps only the SHA-256 of the cookie secret in the store, never the secret', async () => {
    const hash = createHash('sha256').update(alice.secret).digest('hex');
    expect(await fx.store.getSession(hash, Date.now())).toMatchObject({
      username: ADMIN.username,
      csrfToken: alice.csrfToken,
    });
    expect(await fx.store.getSession(alice.secret, Date.now())).toBeNull();
    const files = readdirSync(fx.dataDir).map((f) => readFileSync(join(fx.dataDir, f)));
    expect(files.length).toBeGreaterThan(0);
    expect(files.some((b) => b.includes(hash))).toBe(true);
    expect(files.some((b) => b.includes(alice.secret))).toBe(false);
  });

  it('ends the session at sign-out: the cookie is cleared and opens nothing after', async () => {
    const bob = await fx.login();
    const res = await post('logout', { Cookie: bob.cookie, Origin: fx.http, 'X-CSRF-Token': bob.csrfToken });
    expect(res.status).toBe(204);
    expect(res.headers['set-cookie']![0]).toMatch(
      /^ice_doctor_admin=; Path=\/admin; Expires=Thu, 01 Jan 1970/,
    );
    expect((await get('reports', bob)).status).toBe(401);
    expect((await get('reports', alice)).status).toBe(200);
  });
});

describe('dashboard: CSRF', () => {
  const invitesCount = async () => (await fx.store.listInvites(500, 0)).length;

  it('refuses a POST without the token, with another session’s token, or cross-site (403, nothing changed)', async () => {
    const other = await fx.login();
    const before = await invitesCount();
    const refused: Record<string, string>[] = [
      { Cookie: alice.cookie, Origin: fx.http },
      { Cookie: alice.cookie, Origin: fx.http, 'X-CSRF-Token': other.csrfToken },
      { Cookie: alice.cookie, Origin: fx.http, 'X-CSRF-Token': `${alice.csrfToken}x` },
      { Cookie: alice.cookie, Origin: 'http://evil.example', 'X-CSRF-Token': alice.csrfToken },
      { Cookie: alice.cookie, Origin: fx.https, 'X-CSRF-Token': alice.csrfToken },
      { Cookie: alice.cookie, Origin: 'null', 'X-CSRF-Token': alice.csrfToken },
      { Cookie: alice.cookie, 'X-CSRF-Token': alice.csrfToken },
      { Cookie: alice.cookie, 'X-CSRF-Token': alice.csrfToken, 'Sec-Fetch-Site': 'cross-site' },
      {
        Cookie: alice.cookie,
        Origin: 'http://evil.example',
        'X-CSRF-Token': alice.csrfToken,
        'Sec-Fetch-Site': 'same-origin',
      },
    ];
    for (const headers of refused) {
      const res = await post('invites', headers, inviteBody);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'csrf' });
    }
    const revoke = await post(`invites/${'A'.repeat(22)}/revoke`, { Cookie: alice.cookie, Origin: fx.http });
    expect(revoke.status).toBe(403);
    expect(await invitesCount()).toBe(before);
  });

  it('refuses a cross-site sign-in (login CSRF) with 403', async () => {
    const res = await post('login', { Origin: 'http://evil.example' }, ADMIN);
    expect(res.status).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('accepts the session’s own token from the same origin (Origin, or Sec-Fetch-Site without one)', async () => {
    const byOrigin = await post(
      'invites',
      { Cookie: alice.cookie, Origin: fx.http, 'X-CSRF-Token': alice.csrfToken },
      inviteBody,
    );
    expect(byOrigin.status).toBe(201);
    const byFetchSite = await post(
      'invites',
      { Cookie: alice.cookie, 'Sec-Fetch-Site': 'same-origin', 'X-CSRF-Token': alice.csrfToken },
      { ...inviteBody, label: 'ticket 2' },
    );
    expect(byFetchSite.status).toBe(201);
  });
});

describe('dashboard: reports, invites and export with a session', () => {
  it('lists the collected reports newest first, each one opening with its summary and parsed report', async () => {
    const res = await get('reports', alice);
    expect(res.status).toBe(200);
    const list = JSON.parse(res.body) as ReportList;
    expect(list.rows.map((r) => r.id)).toEqual([ids.minus, ids.formula, ids.script]);
    expect(list.nextCursor).toBeNull();
    for (const row of list.rows) {
      const detail = JSON.parse((await get(`reports/${row.id}`, alice)).body) as ReportDetail;
      expect(detail.summary).toEqual(row);
      expect(detail.report.kind).toBe('browser');
      expect(detail.report.verdict.code).toBe(row.verdict);
    }
    expect((await get(`reports/${'B'.repeat(22)}`, alice)).status).toBe(404);
    expect((await get('reports/..%2F..%2Fetc', alice)).status).toBe(404);
  });

  it('returns a <script> label as data, byte for byte, in JSON', async () => {
    const res = await get(`reports?label=${encodeURIComponent('<script>')}`, alice);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const list = JSON.parse(res.body) as ReportList;
    expect(list.rows.map((r) => r.label)).toEqual([SCRIPT_LABEL]);
  });

  it('filters by verdict, label, invite and period, and pages with a cursor', async () => {
    const rows = async (q: string) =>
      (JSON.parse((await get(`reports?${q}`, alice)).body) as ReportList).rows;
    expect((await rows('verdict=only-tls-443')).map((r) => r.id)).toEqual([ids.formula]);
    expect((await rows('label=TICKET')).map((r) => r.id)).toEqual([ids.minus]);
    const summary = (await fx.store.getReport(ids.script))!.summary;
    expect((await rows(`invite=${summary.inviteId}`)).map((r) => r.id)).toEqual([ids.script]);
    const today = new Date().toISOString().slice(0, 10);
    expect(await rows(`from=${today}&to=${today}`)).toHaveLength(3);
    expect(await rows('to=2020-01-01')).toHaveLength(0);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 5; i++) {
      const page = JSON.parse(
        (await get(`reports?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, alice)).body,
      ) as ReportList;
      seen.push(...page.rows.map((r) => r.id));
      cursor = page.nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual([ids.minus, ids.formula, ids.script]);
  });

  it('refuses bad queries with 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['reports?limit=0', 'limit'],
      ['reports?limit=501', 'limit'],
      ['reports?from=yesterday', 'from'],
      ['reports?mapping=cone', 'mapping'],
      ['reports?invite=short', 'invite'],
      ['reports?verdict=a%20b', 'verdict'],
      ['reports?colour=red', 'colour'],
      ['reports?verdict=a&verdict=b', 'verdict'],
      ['reports?cursor=bm90LWEtY3Vyc29y', 'cursor'],
      ['reports?from=2026-12-02&to=2026-12-01', 'from'],
      ['aggregates?to=13', 'to'],
      ['export?format=xml', 'format'],
      ['invites?limit=-1', 'limit'],
    ];
    for (const [q, name] of cases) {
      const res = await get(q, alice);
      expect(res.status, q).toBe(400);
      const body = JSON.parse(res.body) as { error: string; message: string };
      expect(body.error, q).toBe('invalid-request');
      expect(body.message, q).toContain(name);
    }
  });

  it('counts the reports in the aggregates', async () => {
    const a = JSON.parse((await get('aggregates', alice)).body) as {
      total: number;
      byVerdict: Record<string, number>;
      tlsOnly: number;
    };
    expect(a.total).toBe(3);
    expect(a.byVerdict).toEqual({ direct: 1, 'only-tls-443': 1, 'relay-only': 1 });
  });

  it('exports CSV (RFC 4180 quoting, formula starts defused) and JSON as attachments', async () => {
    const csv = await get('export?format=csv', alice);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(csv.headers['content-disposition']).toMatch(
      /^attachment; filename=ice-doctor-reports-\d{4}-\d\d-\d\d\.csv$/,
    );
    const lines = csv.body.split('\r\n');
    expect(lines[0]).toBe(
      'id,received_at,started_at,label,invite_id,verdict,mapping,filtering,transports_ok,relay_needed,tls_only,size_bytes',
    );
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('');
    const byId = (id: string) => lines.find((l) => l.startsWith(`${id},`))!;
    expect(byId(ids.formula)).toContain(`,"'=HYPERLINK(""http://evil.example"",""click""), ""quoted""",`);
    expect(byId(ids.minus)).toContain(",'-2+3 ticket,");
    expect(byId(ids.script)).toContain(`,${SCRIPT_LABEL},`);
    const json = await get('export?format=json&verdict=direct', alice);
    expect(json.headers['content-disposition']).toMatch(
      /^attachment; filename=ice-doctor-reports-\d{4}-\d\d-\d\d\.json$/,
    );
    const body = JSON.parse(json.body) as { rows: { id: string }[]; truncated: boolean; exportedAt: string };
    expect(body.rows.map((r) => r.id)).toEqual([ids.script]);
    expect(body.truncated).toBe(false);
  });

  it('creates, lists and revokes invites; the link it shows is the signed one the page accepts', async () => {
    const headers = { Cookie: alice.cookie, Origin: fx.http, 'X-CSRF-Token': alice.csrfToken };
    const created = await post('invites', headers, { ...inviteBody, label: 'ACME-42' });
    expect(created.status).toBe(201);
    const { invite } = JSON.parse(created.body) as { invite: InviteView };
    expect(invite).toMatchObject({
      label: 'ACME-42',
      maxRuns: 2,
      runsUsed: 0,
      collectIps: false,
      createdBy: ADMIN.username,
      status: 'open',
    });
    const token = invite.url.slice(`${fx.http}/i/`.length);
    expect(invite.url.startsWith(`${fx.http}/i/`)).toBe(true);
    const key = Buffer.from((await fx.store.getSetting(INVITE_KEY_SETTING))!, 'base64url');
    expect(verifyInvite(key, token)).toBe(invite.id);
    expect((await send(`${fx.http}/api/invites/${token}`)).status).toBe(200);
    expect((await post(`invites/${invite.id}/revoke`, headers)).status).toBe(204);
    const list = JSON.parse((await get('invites', alice)).body) as { invites: InviteView[] };
    expect(list.invites.find((i) => i.id === invite.id)?.status).toBe('revoked');
    expect((await send(`${fx.http}/api/invites/${token}`)).status).toBe(410);
    expect((await post(`invites/${'C'.repeat(22)}/revoke`, headers)).status).toBe(404);
    const bad = await post('invites', headers, { ...inviteBody, maxRuns: 0 });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).message).toContain('maxRuns');
    const badHook = await post('invites', headers, { ...inviteBody, webhookUrl: 'ftp://x.example/' });
    expect(badHook.status).toBe(400);
    expect(JSON.parse(badHook.body).message).toContain('webhookUrl');
  });
});

describe('dashboard: sign-in rate limit', () => {
  it('refuses an address after 10 failed sign-ins in 15 minutes (429), even with the right password', async () => {
    const from = { localAddress: '127.0.0.9' };
    const attempt = (password: string) =>
      send(`${fx.http}/admin/api/login`, {
        ...from,
        headers: { Origin: fx.http },
        body: { username: ADMIN.username, password },
      });
    for (let i = 0; i < 10; i++) expect((await attempt(`guess ${i}`)).status).toBe(401);
    const blocked = await attempt(ADMIN.password);
    expect(blocked.status).toBe(429);
    expect(JSON.parse(blocked.body)).toMatchObject({ error: 'rate-limited' });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    const elsewhere = await send(`${fx.http}/admin/api/login`, {
      localAddress: '127.0.0.10',
      headers: { Origin: fx.http },
      body: ADMIN,
    });
    expect(elsewhere.status).toBe(204);
  }, 90_000);
});

describe('dashboard: export across store pages', () => {
  it('exports every matching row, newest first, over several store pages (1,100 more reports)', async () => {
    const report = browserReport('udp-works');
    const reportJson = JSON.stringify(report);
    const columns = summarizeReport(report);
    const now = Date.now();
    for (let batch = 0; batch < 2; batch++) {
      const inviteId = newInviteId();
      await fx.store.createInvite({
        id: inviteId,
        label: `bulk ${batch}`,
        createdAtMs: now,
        expiresAtMs: now + 3_600_000,
        maxRuns: 550,
        collectIps: true,
        webhookUrl: null,
        createdBy: 'cli',
      });
      for (let i = 0; i < 550; i++) {
        const result = await fx.store.collectReport({
          inviteId,
          nowMs: now + batch * 550 + i,
          reportId: randomBytes(16).toString('base64url'),
          reportJson,
          startedAtMs: now,
          columns,
          webhookUrls: [],
        });
        expect(result.ok).toBe(true);
      }
    }
    const json = JSON.parse((await get('export?format=json', alice)).body) as {
      rows: { id: string; receivedAtMs: number }[];
    };
    expect(json.rows).toHaveLength(1103);
    expect(new Set(json.rows.map((r) => r.id)).size).toBe(1103);
    const times = json.rows.map((r) => r.receivedAtMs);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const csv = (await get('export?format=csv&verdict=udp-works', alice)).body.split('\r\n');
    expect(csv).toHaveLength(1 + 1100 + 1);
    expect(csv.slice(1, -1).every((l) => l.includes(',bulk ') && l.includes(',udp-works,'))).toBe(true);
  }, 120_000);
});
