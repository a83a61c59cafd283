import { describe, expect, it } from 'vitest';
import { sampleBrowserReport } from '../../lab/browser-report-sample.js';
import { InvalidCursorError } from '../../src/store/cursor.js';
import { summarizeReport } from '../../src/store/summary.js';
import type { NewInvite, ReportColumns, Store, StoredReportSummary } from '../../src/store/types.js';
import { newInviteId } from '../../src/support-links/invite-token.js';

/**
 * The one behaviour suite of the Store contract (src/store/types.ts), run against every backend by
 * test/integration/store.test.ts: `fresh()` opens a store on an empty database of that backend.
 */
export interface StoreBackend {
  readonly kind: Store['kind'];
  fresh(): Promise<Store>;
}

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const DAY = 86_400_000;

const COLUMNS: ReportColumns = summarizeReport(sampleBrowserReport());

function invite(over: Partial<NewInvite> = {}): NewInvite {
  return {
    id: newInviteId(),
    label: 'Ticket 4711 — ACME',
    createdAtMs: T0,
    expiresAtMs: T0 + 7 * DAY,
    maxRuns: 100,
    collectIps: true,
    webhookUrl: null,
    createdBy: 'cli',
    ...over,
  };
}

function collect(
  store: Store,
  inviteId: string,
  nowMs: number,
  over: { columns?: Partial<ReportColumns>; webhookUrls?: string[]; json?: string } = {},
) {
  return store.collectReport({
    inviteId,
    nowMs,
    reportId: newInviteId(),
    reportJson: over.json ?? JSON.stringify(sampleBrowserReport()),
    startedAtMs: nowMs - 5000,
    columns: { ...COLUMNS, ...over.columns },
    webhookUrls: over.webhookUrls ?? [],
  });
}

async function collected(store: Store, inviteId: string, nowMs: number, columns?: Partial<ReportColumns>) {
  const r = await collect(store, inviteId, nowMs, { columns });
  if (!r.ok) throw new Error(`refused: ${r.refusal}`);
  return r.summary;
}

async function allPages(store: Store, filter: Parameters<Store['listReports']>[0], limit: number) {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const p = await store.listReports(filter, limit, cursor);
    ids.push(...p.rows.map((r) => r.id));
    if (p.nextCursor === null) return ids;
    cursor = p.nextCursor;
  }
  throw new Error('paging did not end');
}

const newestFirst = (a: StoredReportSummary, b: StoredReportSummary) =>
  b.receivedAtMs - a.receivedAtMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Defines the suite's tests for `backend` inside the caller's describe. */
export function storeSuite(backend: StoreBackend): void {
  const withStore = (name: string, body: (store: Store) => Promise<void>, timeoutMs?: number) =>
    it(
      name,
      async () => {
        const store = await backend.fresh();
        try {
          await body(store);
        } finally {
          await store.close();
        }
      },
      timeoutMs,
    );

  describe('settings', () => {
    withStore(
      'opening made the invite key; setSettingIfAbsent keeps the first value; setSetting replaces',
      async (s) => {
        expect(s.kind).toBe(backend.kind);
        expect(await s.getSetting('invite-hmac-key')).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(await s.getSetting('nope')).toBeNull();
        expect(await s.setSettingIfAbsent('public-base-url', 'https://a.example')).toBe('https://a.example');
        expect(await s.setSettingIfAbsent('public-base-url', 'https://b.example')).toBe('https://a.example');
        await s.setSetting('public-base-url', 'https://c.example');
        expect(await s.getSetting('public-base-url')).toBe('https://c.example');
        await s.setSetting('fresh-key', 'v');
        expect(await s.getSetting('fresh-key')).toBe('v');
      },
    );
  });

  describe('invites', () => {
    withStore('create, get, list newest first with offset, revoke', async (s) => {
      const a = await s.createInvite(
        invite({ createdAtMs: T0, label: 'a', webhookUrl: 'https://hook.example/x' }),
      );
      const b = await s.createInvite(invite({ createdAtMs: T0 + 1, label: 'b', collectIps: false }));
      expect(a).toMatchObject({ runsUsed: 0, revokedAtMs: null });
      expect(await s.getInvite(a.id)).toEqual(a);
      expect(await s.getInvite(b.id)).toEqual({ ...b, collectIps: false });
      expect(await s.getInvite(newInviteId())).toBeNull();
      expect((await s.listInvites(10, 0)).map((i) => i.label)).toEqual(['b', 'a']);
      expect((await s.listInvites(1, 1)).map((i) => i.label)).toEqual(['a']);
      expect(await s.revokeInvite(a.id, T0 + 5)).toBe(true);
      expect(await s.revokeInvite(a.id, T0 + 9)).toBe(true);
      expect((await s.getInvite(a.id))?.revokedAtMs).toBe(T0 + 5);
      expect(await s.revokeInvite(newInviteId(), T0)).toBe(false);
    });

    withStore(
      'inviteRefusal: unknown, open until the expiry instant, expired at it, used-up, revoked',
      async (s) => {
        const i = await s.createInvite(invite({ expiresAtMs: T0 + DAY, maxRuns: 1 }));
        expect(await s.inviteRefusal(newInviteId(), T0)).toBe('unknown');
        expect(await s.inviteRefusal(i.id, T0 + DAY - 1)).toBeNull();
        expect(await s.inviteRefusal(i.id, T0 + DAY)).toBe('expired');
        await collected(s, i.id, T0);
        expect(await s.inviteRefusal(i.id, T0 + 1)).toBe('used-up');
        await s.revokeInvite(i.id, T0 + 2);
        expect(await s.inviteRefusal(i.id, T0 + 3)).toBe('revoked');
      },
    );
  });

  describe('collectReport', () => {
    withStore(
      'a clientKey answers a retry with the stored report: no second run, row or delivery',
      async (s) => {
        const i = await s.createInvite(invite({ maxRuns: 1 }));
        const report = sampleBrowserReport();
        const input = {
          inviteId: i.id,
          nowMs: T0 + 10,
          reportJson: JSON.stringify(report),
          startedAtMs: T0,
          columns: summarizeReport(report),
          webhookUrls: ['https://a.example/hook'],
          clientKey: 'k'.repeat(22),
        };
        const first = await s.collectReport({ ...input, reportId: 'a'.repeat(22) });
        const again = await s.collectReport({ ...input, reportId: 'b'.repeat(22), nowMs: T0 + 20 });
        expect(first.ok && first.repeated).toBeFalsy();
        expect(again).toMatchObject({
          ok: true,
          repeated: true,
          summary: { id: 'a'.repeat(22), receivedAtMs: T0 + 10 },
        });
        expect((await s.getInvite(i.id))?.runsUsed).toBe(1);
        expect(await s.getReport('b'.repeat(22))).toBeNull();
        expect((await s.claimDueDeliveries(T0 + 30, 60_000, 10)).length).toBe(1);
        // Another key is another upload: refused, the only run is taken.
        expect(
          await s.collectReport({ ...input, reportId: 'c'.repeat(22), clientKey: 'j'.repeat(22) }),
        ).toEqual({
          ok: false,
          refusal: 'used-up',
        });
        // The same key at the same moment from two servers: one row, both answered with it.
        const j = await s.createInvite(invite({ maxRuns: 5 }));
        const both = await Promise.all(
          ['d', 'e'].map((c) => s.collectReport({ ...input, inviteId: j.id, reportId: c.repeat(22) })),
        );
        const ids = both.map((r) => (r.ok ? r.summary.id : r.refusal));
        expect(ids[0]).toBe(ids[1]);
        expect((await s.getInvite(j.id))?.runsUsed).toBe(1);
      },
    );
    withStore(
      'stores the report with its columns and the invite label, takes a run, enqueues deliveries',
      async (s) => {
        const i = await s.createInvite(invite({ maxRuns: 2 }));
        const report = sampleBrowserReport({
          verdict: 'only-tls-443',
          worked: ['turns'],
          selected: ['relay', 'srflx'],
          mapping: null,
        });
        const json = JSON.stringify(report);
        const columns = summarizeReport(report);
        const r = await s.collectReport({
          inviteId: i.id,
          nowMs: T0 + 10,
          reportId: 'r'.repeat(22),
          reportJson: json,
          startedAtMs: T0,
          columns,
          webhookUrls: ['https://a.example/hook', 'https://b.example/hook'],
        });
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.invite.runsUsed).toBe(1);
        const expected: StoredReportSummary = {
          id: 'r'.repeat(22),
          inviteId: i.id,
          label: i.label,
          receivedAtMs: T0 + 10,
          startedAtMs: T0,
          sizeBytes: Buffer.byteLength(json),
          verdict: 'only-tls-443',
          mapping: null,
          filtering: null,
          transportsOk: ['turns'],
          relayNeeded: true,
          tlsOnly: true,
        };
        expect(r.summary).toEqual(expected);
        expect(await s.getReport('r'.repeat(22))).toEqual({ summary: expected, reportJson: json });
        expect(await s.getReport(newInviteId())).toBeNull();
        expect((await s.getInvite(i.id))?.runsUsed).toBe(1);
        const due = await s.claimDueDeliveries(T0 + 10, 60_000, 10);
        expect(due.map((d) => d.url).sort()).toEqual(['https://a.example/hook', 'https://b.example/hook']);
        expect(
          due.every((d) => d.reportId === 'r'.repeat(22) && d.attempts === 0 && d.lastError === null),
        ).toBe(true);
      },
    );

    withStore('refusals store nothing: unknown, expired at the boundary, used up, revoked', async (s) => {
      const open = await s.createInvite(invite({ expiresAtMs: T0 + DAY, maxRuns: 1 }));
      const revoked = await s.createInvite(invite());
      await s.revokeInvite(revoked.id, T0);
      expect(await collect(s, newInviteId(), T0, { webhookUrls: ['https://x.example'] })).toEqual({
        ok: false,
        refusal: 'unknown',
      });
      expect(await collect(s, open.id, T0 + DAY)).toEqual({ ok: false, refusal: 'expired' });
      expect(await collect(s, revoked.id, T0 + 1)).toEqual({ ok: false, refusal: 'revoked' });
      expect((await collect(s, open.id, T0 + DAY - 1)).ok).toBe(true);
      expect(await collect(s, open.id, T0 + 1, { webhookUrls: ['https://x.example'] })).toEqual({
        ok: false,
        refusal: 'used-up',
      });
      const page = await s.listReports({}, 100, null);
      expect(page.rows).toHaveLength(1);
      expect(await s.claimDueDeliveries(T0 + 2 * DAY, 1000, 100)).toEqual([]);
      expect((await s.getInvite(open.id))?.runsUsed).toBe(1);
      expect((await s.getInvite(revoked.id))?.runsUsed).toBe(0);
    });

    withStore('concurrent collectors of the last 3 runs: exactly 3 succeed', async (s) => {
      const i = await s.createInvite(invite({ maxRuns: 3 }));
      const results = await Promise.all(Array.from({ length: 12 }, (_, k) => collect(s, i.id, T0 + k)));
      expect(results.filter((r) => r.ok)).toHaveLength(3);
      expect(results.filter((r) => !r.ok && r.refusal === 'used-up')).toHaveLength(9);
      expect((await s.getInvite(i.id))?.runsUsed).toBe(3);
      expect((await s.listReports({}, 100, null)).rows).toHaveLength(3);
    });
  });

  describe('listReports', () => {
    withStore('pages newest first; equal receive times are neither repeated nor skipped', async (s) => {
      const i = await s.createInvite(invite());
      const stored: StoredReportSummary[] = [];
      for (const t of [T0, T0 + 5, T0 + 5, T0 + 5, T0 + 5, T0 + 9, T0 + 5, T0 + 1])
        stored.push(await collected(s, i.id, t));
      const expected = [...stored].sort(newestFirst).map((r) => r.id);
      for (const limit of [1, 2, 3, 7, 8, 50]) expect(await allPages(s, {}, limit)).toEqual(expected);
      const first = await s.listReports({}, 8, null);
      expect(first.nextCursor).toBeNull();
      expect(first.rows[0]).toEqual(stored[5]);
      const two = await s.listReports({}, 0, null);
      expect(two.rows).toHaveLength(1);
      await expect(s.listReports({}, 2, 'bm9wZQ')).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(s.listReports({}, 2, '!!')).rejects.toBeInstanceOf(InvalidCursorError);
    });

    withStore(
      'filters: time range [from, to), verdict, mapping (unknown = null), invite, label substring',
      async (s) => {
        const a = await s.createInvite(invite({ label: 'ACME 50% Off_Ticket\\1' }));
        const b = await s.createInvite(invite({ label: 'Globex 500' }));
        const r1 = await collected(s, a.id, T0, { verdict: 'relay-required', mapping: 'address-dependent' });
        const r2 = await collected(s, a.id, T0 + 10, { verdict: 'direct', mapping: null });
        const r3 = await collected(s, b.id, T0 + 20, { verdict: 'direct', mapping: 'endpoint-independent' });
        const ids = async (filter: Parameters<Store['listReports']>[0]) => allPages(s, filter, 2);
        expect(await ids({ fromMs: T0 + 10 })).toEqual([r3.id, r2.id]);
        expect(await ids({ toMs: T0 + 10 })).toEqual([r1.id]);
        expect(await ids({ fromMs: T0, toMs: T0 + 20 })).toEqual([r2.id, r1.id]);
        expect(await ids({ verdict: 'direct' })).toEqual([r3.id, r2.id]);
        expect(await ids({ mapping: 'unknown' })).toEqual([r2.id]);
        expect(await ids({ mapping: 'address-dependent' })).toEqual([r1.id]);
        expect(await ids({ inviteId: b.id })).toEqual([r3.id]);
        expect(await ids({ labelContains: 'acme' })).toEqual([r2.id, r1.id]);
        expect(await ids({ labelContains: 'GLOBEX' })).toEqual([r3.id]);
        expect(await ids({ labelContains: '50%' })).toEqual([r2.id, r1.id]);
        expect(await ids({ labelContains: '0%' })).toEqual([r2.id, r1.id]);
        expect(await ids({ labelContains: '5_0' })).toEqual([]);
        expect(await ids({ labelContains: 'off_t' })).toEqual([r2.id, r1.id]);
        expect(await ids({ labelContains: 'f_t' })).toEqual([r2.id, r1.id]);
        expect(await ids({ labelContains: 'ff t' })).toEqual([]);
        expect(await ids({ labelContains: '\\1' })).toEqual([r2.id, r1.id]);
        expect(await ids({ labelContains: '%' })).toEqual([r2.id, r1.id]);
        expect(await ids({ verdict: 'direct', labelContains: 'acme', fromMs: T0 })).toEqual([r2.id]);
      },
    );
  });

  describe('aggregate', () => {
    withStore(
      'counts per verdict, mapping, filtering, relay, TLS-only and UTC day, under a filter',
      async (s) => {
        const i = await s.createInvite(invite());
        const day1 = Date.UTC(2026, 10, 30, 23, 59, 59, 999);
        const day2 = Date.UTC(2026, 11, 1, 0, 0, 0, 0);
        await collected(s, i.id, day1, { verdict: 'direct', relayNeeded: false });
        await collected(s, i.id, day2, { verdict: 'direct', relayNeeded: null, mapping: null });
        await collected(s, i.id, day2 + 3 * DAY, {
          verdict: 'only-tls-443',
          mapping: 'address-and-port-dependent',
          relayNeeded: true,
          transportsOk: ['turns'],
          tlsOnly: true,
        });
        const all = await s.aggregate({});
        expect(all).toEqual({
          total: 3,
          byVerdict: { direct: 2, 'only-tls-443': 1 },
          byMapping: { 'endpoint-independent': 1, unknown: 1, 'address-and-port-dependent': 1 },
          byFiltering: { unknown: 3 },
          relayNeeded: { yes: 1, no: 1, unknown: 1 },
          tlsOnly: 1,
          byDay: [
            { day: '2026-11-30', total: 1 },
            { day: '2026-12-01', total: 1 },
            { day: '2026-12-04', total: 1 },
          ],
        });
        const recent = await s.aggregate({ fromMs: day2 });
        expect(recent.total).toBe(2);
        expect(recent.byDay.map((d) => d.day)).toEqual(['2026-12-01', '2026-12-04']);
        expect(await s.aggregate({ verdict: 'nothing-like-it' })).toEqual({
          total: 0,
          byVerdict: {},
          byMapping: {},
          byFiltering: {},
          relayNeeded: { yes: 0, no: 0, unknown: 0 },
          tlsOnly: 0,
          byDay: [],
        });
      },
    );
  });

  describe('retention', () => {
    withStore('deleteReportsBefore deletes older reports and their deliveries, keeps the rest', async (s) => {
      const i = await s.createInvite(invite());
      const hooks = { webhookUrls: ['https://hook.example/a'] };
      const old = await collect(s, i.id, T0 - 31 * DAY, hooks);
      const edge = await collect(s, i.id, T0 - 30 * DAY, hooks);
      const fresh = await collect(s, i.id, T0, hooks);
      if (!old.ok || !edge.ok || !fresh.ok) throw new Error('refused');
      expect(await s.deleteReportsBefore(T0 - 30 * DAY)).toBe(1);
      expect(await s.getReport(old.summary.id)).toBeNull();
      expect(await s.getReport(edge.summary.id)).not.toBeNull();
      const left = await s.claimDueDeliveries(T0, 1000, 100);
      expect(left.map((d) => d.reportId).sort()).toEqual([edge.summary.id, fresh.summary.id].sort());
      expect(await s.deleteReportsBefore(T0 + 1)).toBe(2);
      expect(await s.claimDueDeliveries(T0 + 10_000, 1000, 100)).toEqual([]);
      expect((await s.listReports({}, 10, null)).rows).toEqual([]);
      expect(await s.deleteReportsBefore(T0 + 1)).toBe(0);
    });
  });

  describe('admins and sessions', () => {
    withStore('put (insert, then new hash), get, count, delete (with its sessions)', async (s) => {
      expect(await s.countAdmins()).toBe(0);
      await s.putAdmin({ username: 'ana', passwordHash: 'scrypt$1', createdAtMs: T0 });
      await s.putAdmin({ username: 'bo', passwordHash: 'scrypt$2', createdAtMs: T0 });
      await s.putAdmin({ username: 'ana', passwordHash: 'scrypt$3', createdAtMs: T0 + 9 });
      expect(await s.getAdmin('ana')).toEqual({ username: 'ana', passwordHash: 'scrypt$3', createdAtMs: T0 });
      expect(await s.getAdmin('nobody')).toBeNull();
      expect(await s.countAdmins()).toBe(2);
      await s.createSession({
        idHash: 'h1',
        username: 'ana',
        csrfToken: 'c1',
        createdAtMs: T0,
        expiresAtMs: T0 + 10,
      });
      await s.createSession({
        idHash: 'h2',
        username: 'bo',
        csrfToken: 'c2',
        createdAtMs: T0,
        expiresAtMs: T0 + 10,
      });
      // A new password (a reset after a leak) ends that user's sessions, and no one else's.
      await s.putAdmin({ username: 'bo', passwordHash: 'scrypt$4', createdAtMs: T0 });
      expect(await s.getSession('h2', T0)).toBeNull();
      expect(await s.getSession('h1', T0)).not.toBeNull();
      expect(await s.deleteAdmin('ana')).toBe(true);
      expect(await s.deleteAdmin('ana')).toBe(false);
      expect(await s.getSession('h1', T0)).toBeNull();
      expect(await s.countAdmins()).toBe(1);
    });

    withStore('a session lives until just before expiresAtMs; expired ones are swept; delete', async (s) => {
      await s.putAdmin({ username: 'ana', passwordHash: 'x', createdAtMs: T0 });
      const session = {
        idHash: 'a'.repeat(64),
        username: 'ana',
        csrfToken: 'c'.repeat(22),
        createdAtMs: T0,
        expiresAtMs: T0 + 100,
      };
      await s.createSession(session);
      await s.createSession({ ...session, idHash: 'b'.repeat(64), expiresAtMs: T0 + 200 });
      await s.createSession({ ...session, idHash: 'c'.repeat(64), expiresAtMs: T0 + 300 });
      expect(await s.getSession(session.idHash, T0 + 99)).toEqual(session);
      expect(await s.getSession(session.idHash, T0 + 100)).toBeNull();
      expect(await s.getSession('z'.repeat(64), T0)).toBeNull();
      expect(await s.deleteExpiredSessions(T0 + 200)).toBe(2);
      expect(await s.getSession('c'.repeat(64), T0 + 250)).not.toBeNull();
      await s.deleteSession('c'.repeat(64));
      expect(await s.getSession('c'.repeat(64), T0 + 250)).toBeNull();
      expect(await s.deleteExpiredSessions(T0 + 1000)).toBe(0);
    });
  });

  describe('deliveries', () => {
    withStore(
      'a claimed delivery is not claimed again before its lease ends; finish ok deletes it',
      async (s) => {
        const i = await s.createInvite(invite());
        await collect(s, i.id, T0, { webhookUrls: ['https://a.example/1'] });
        await collect(s, i.id, T0 + 1, { webhookUrls: ['https://a.example/2'] });
        await collect(s, i.id, T0 + 2, { webhookUrls: ['https://a.example/3'] });
        expect(await s.claimDueDeliveries(T0 - 1, 1000, 10)).toEqual([]);
        const first = await s.claimDueDeliveries(T0 + 5, 1000, 2);
        expect(first.map((d) => d.url)).toEqual(['https://a.example/1', 'https://a.example/2']);
        const rest = await s.claimDueDeliveries(T0 + 6, 1000, 10);
        expect(rest.map((d) => d.url)).toEqual(['https://a.example/3']);
        expect(await s.claimDueDeliveries(T0 + 5 + 999, 1000, 10)).toEqual([]);
        const again = await s.claimDueDeliveries(T0 + 5 + 1000, 1000, 10);
        expect(again.map((d) => d.url)).toEqual(['https://a.example/1', 'https://a.example/2']);
        await s.finishDelivery(again[0]!.id, { ok: true });
        expect((await s.claimDueDeliveries(T0 + 10_000, 1000, 10)).map((d) => d.url)).toEqual([
          'https://a.example/2',
          'https://a.example/3',
        ]);
      },
    );

    withStore(
      'a failed attempt is counted, kept with its error and retried at its time; null gives up',
      async (s) => {
        const i = await s.createInvite(invite());
        await collect(s, i.id, T0, { webhookUrls: ['https://a.example/1'] });
        const [d] = await s.claimDueDeliveries(T0, 60_000, 10);
        if (d === undefined) throw new Error('not claimed');
        await s.finishDelivery(d.id, { ok: false, error: 'HTTP 500', nextAttemptAtMs: T0 + 2000 });
        expect(await s.claimDueDeliveries(T0 + 1999, 60_000, 10)).toEqual([]);
        const [retry] = await s.claimDueDeliveries(T0 + 2000, 60_000, 10);
        expect(retry).toEqual({ ...d, attempts: 1, lastError: 'HTTP 500', nextAttemptAtMs: T0 + 2000 });
        await s.finishDelivery(d.id, { ok: false, error: 'timeout', nextAttemptAtMs: null });
        expect(await s.claimDueDeliveries(T0 + 365 * DAY, 60_000, 10)).toEqual([]);
      },
    );

    withStore('concurrent claimers get disjoint deliveries', async (s) => {
      const i = await s.createInvite(invite());
      const urls = Array.from({ length: 20 }, (_, k) => `https://a.example/${k}`);
      await collect(s, i.id, T0, { webhookUrls: urls });
      const claims = await Promise.all(Array.from({ length: 8 }, () => s.claimDueDeliveries(T0, 60_000, 5)));
      const ids = claims.flat().map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(20);
    });
  });
}
