import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserReportSchema } from '../../src/report/browser-schema.js';
import { ownAddresses } from '../../src/report/redact-ips.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createInviteLink, type InviteRequest } from '../../src/support-links/create-invite.js';
import { INVITE_KEY_SETTING, verifyInvite } from '../../src/support-links/invite-token.js';
import { startRetention } from '../../src/support-links/retention.js';
import { startWebhookDispatcher } from '../../src/support-links/webhook-dispatcher.js';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../src/support-links/webhook-signature.js';
import { verifyPassword } from '../../src/web/admin/server/password.js';
import { exportReport } from '../../src/web/page/report-export.js';
import { type RunningReportServer, startReportServer } from '../../src/web/server/report-server.js';
import type { SupportDeps } from '../../src/web/server/support-deps.js';
import { draft, TURN_PASS, TURN_USER } from '../support/browser-report-draft.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
// Each CLI start takes 1–3 s under load (scrypt for add-user on top): the CLI tests have their own timeouts.
const DAY_MS = 86_400_000;
const log = pino({ level: 'silent' });

/** The page's export of the recorded Chromium runs (addresses kept), as the page posts it. */
const pageReport = () => exportReport(draft(), { redactIps: false, secrets: [TURN_USER, TURN_PASS] });

/** A report with what must never be stored: TURN credentials in extra members of paths and candidates. */
function reportWithCredentials(): Record<string, unknown> {
  const r = pageReport();
  return {
    ...r,
    iceServers: [{ urls: 'turn:100.64.90.1:3478', username: TURN_USER, credential: TURN_PASS }],
    paths: r.paths.map((p) => ({ ...p, username: TURN_USER, credential: TURN_PASS })),
    candidates: r.candidates.map((c) => ({ ...c, credential: TURN_PASS, username: TURN_USER })),
  };
}

interface Harness {
  dir: string;
  store: Store;
  deps: SupportDeps;
  server: RunningReportServer;
  base: string;
  /** Moves `deps.now()` (ms added to the real clock). */
  shift: { ms: number };
  invite(overrides?: Partial<InviteRequest>): Promise<{ id: string; token: string; url: string }>;
  post(
    token: string,
    body: unknown,
    idempotencyKey?: string,
  ): Promise<{ status: number; json: Record<string, unknown> }>;
  reportsOf(inviteId: string): Promise<number>;
  close(): Promise<void>;
}

async function harness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'ice-doctor-links-'));
  const store = await openStore({ dataDir: dir });
  const key = Buffer.from((await store.getSetting(INVITE_KEY_SETTING))!, 'base64url');
  const shift = { ms: 0 };
  let base = '';
  const deps: SupportDeps = {
    store,
    inviteKey: key,
    scrubIpsAlways: false,
    webhookUrl: null,
    baseUrl: () => base,
    now: () => Date.now() + shift.ms,
    log,
  };
  const server = await startReportServer({ httpPort: 0, httpsPort: null, support: deps });
  base = server.urls.http!.replace(/\/$/, '');
  return {
    dir,
    store,
    deps,
    server,
    base,
    shift,
    async invite(overrides = {}) {
      const created = await createInviteLink(
        deps,
        {
          label: 'ticket 4711',
          expiresInMs: DAY_MS,
          maxRuns: 3,
          collectIps: true,
          webhookUrl: null,
          createdBy: 'cli',
          ...overrides,
        },
        base,
      );
      return { id: created.invite.id, token: created.token, url: created.url };
    },
    async post(token, body, idempotencyKey) {
      const res = await fetch(`${base}/api/invites/${token}/report`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey }),
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    },
    async reportsOf(inviteId) {
      return (await store.listReports({ inviteId }, 500, null)).rows.length;
    },
    async close() {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('support links over HTTP, SQLite store', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('serves the page on /i/<token> under the same CSP as /', async () => {
    const { url } = await h.invite();
    expect(url.startsWith(`${h.base}/i/`)).toBe(true);
    const [page, root] = await Promise.all([fetch(url), fetch(`${h.base}/`)]);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(root.headers.get('content-security-policy'));
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toBe(await root.text());
    expect(html).toContain('src="/app.js"');
  });

  it('says an open invite is open, takes a report, stores the parsed report without credentials', async () => {
    const { id, token } = await h.invite();
    const status = await fetch(`${h.base}/api/invites/${token}`);
    expect(status.headers.get('cache-control')).toBe('no-store');
    const open = (await status.json()) as Record<string, unknown>;
    expect(open).toMatchObject({ status: 'open', collectsIps: true, runsLeft: 3 });
    expect(Date.parse(open.expiresAt as string)).toBeGreaterThan(Date.now());
    const sent = reportWithCredentials();
    const answer = await h.post(token, sent);
    expect(answer.status).toBe(201);
    const stored = await h.store.getReport(answer.json.id as string);
    expect(stored).not.toBeNull();
    expect(stored!.summary).toMatchObject({ inviteId: id, label: 'ticket 4711' });
    expect(stored!.reportJson).toBe(JSON.stringify(browserReportSchema.parse(sent)));
    for (const secret of [TURN_PASS, TURN_USER, '"credential":', '"username":', '"iceServers":'])
      expect(stored!.reportJson).not.toContain(secret);
    const after = (await (await fetch(`${h.base}/api/invites/${token}`)).json()) as Record<string, unknown>;
    expect(after.runsLeft).toBe(2);
  });

  it('scrubs IP addresses when the invite does not collect them', async () => {
    const { token } = await h.invite({ collectIps: false });
    const status = (await (await fetch(`${h.base}/api/invites/${token}`)).json()) as Record<string, unknown>;
    expect(status.collectsIps).toBe(false);
    const report = pageReport();
    const answer = await h.post(token, report);
    expect(answer.status).toBe(201);
    const stored = await h.store.getReport(answer.json.id as string);
    const parsed = JSON.parse(stored!.reportJson) as { redacted: unknown; visitor: { address: string } };
    expect(parsed.redacted).toEqual({ credentials: true, ips: true });
    expect(parsed.visitor.address).toBe('redacted');
    const own = [...ownAddresses(report)];
    expect(own.length).toBeGreaterThan(3);
    const json = stored!.reportJson.replace(/"(url|page)":"[^"]*"/g, '');
    for (const address of own) expect(json).not.toContain(`${address}`);
  });

  it('refuses a used-up invite with 410 and stores nothing more', async () => {
    const { id, token } = await h.invite({ maxRuns: 1 });
    expect((await h.post(token, pageReport())).status).toBe(201);
    const second = await h.post(token, pageReport());
    expect(second.status).toBe(410);
    expect(second.json.error).toBe('invite-used-up');
    expect(second.json.message).toMatch(/used as many times/);
    expect(await h.reportsOf(id)).toBe(1);
    const status = await fetch(`${h.base}/api/invites/${token}`);
    expect(status.status).toBe(410);
  });

  it('answers a repeated upload (same Idempotency-Key) with the first reference; refuses a malformed key', async () => {
    const { id, token } = await h.invite({ maxRuns: 1 });
    const key = 'retry-key-0123456789';
    const first = await h.post(token, pageReport(), key);
    expect(first.status).toBe(201);
    expect(await h.post(token, pageReport(), key)).toEqual(first);
    expect(await h.reportsOf(id)).toBe(1);
    expect((await h.post(token, pageReport(), 'another-key-0123456789')).status).toBe(410);
    const { id: other, token: t2 } = await h.invite();
    const bad = await h.post(t2, pageReport(), 'short');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/^Idempotency-Key: 16 to 64 base64url characters/);
    expect(await h.reportsOf(other)).toBe(0);
  });

  it('refuses an expired invite with 410 (the clock moved past it) and stores nothing', async () => {
    const { id, token } = await h.invite({ expiresInMs: 60_000 });
    h.shift.ms = 61_000;
    try {
      const status = await fetch(`${h.base}/api/invites/${token}`);
      expect(status.status).toBe(410);
      expect(((await status.json()) as { error: string }).error).toBe('invite-expired');
      const answer = await h.post(token, pageReport());
      expect(answer).toMatchObject({ status: 410, json: { error: 'invite-expired' } });
      expect(await h.reportsOf(id)).toBe(0);
    } finally {
      h.shift.ms = 0;
    }
  });

  it('refuses a revoked invite with 410', async () => {
    const { id, token } = await h.invite();
    expect(await h.store.revokeInvite(id, Date.now())).toBe(true);
    const answer = await h.post(token, pageReport());
    expect(answer).toMatchObject({ status: 410, json: { error: 'invite-revoked' } });
    expect(await h.reportsOf(id)).toBe(0);
  });

  it('refuses a forged token with 404, before and after the store', async () => {
    const { id, token } = await h.invite();
    const [, mac] = token.split('.');
    const forged = `${id}.${mac!.startsWith('A') ? 'B' : 'A'}${mac!.slice(1)}`;
    const status = await fetch(`${h.base}/api/invites/${forged}`);
    expect(status.status).toBe(404);
    expect(((await status.json()) as { error: string }).error).toBe('invite-unknown');
    expect(await h.post(forged, pageReport())).toMatchObject({
      status: 404,
      json: { error: 'invite-unknown' },
    });
    expect(await h.post('nonsense', pageReport())).toMatchObject({ status: 404 });
    expect(await h.reportsOf(id)).toBe(0);
  });

  it('refuses an oversized report with 413 and stores nothing', async () => {
    const { id, token } = await h.invite();
    const big = { ...pageReport(), userAgent: 'x'.repeat(600 * 1024) };
    const answer = await h.post(token, big);
    expect(answer).toMatchObject({ status: 413, json: { error: 'report-too-large' } });
    expect(await h.reportsOf(id)).toBe(0);
  });

  it('refuses a malformed report with 400 and a clear message, and stores nothing', async () => {
    const { id, token } = await h.invite();
    const { verdict: _, ...noVerdict } = pageReport();
    const missing = await h.post(token, { ...noVerdict, paths: [{ id: 'p', kind: 'carrier-pigeon' }] });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toBe('report-invalid');
    expect(missing.json.message).toMatch(/^the report does not match the page's export schema: paths\.0\./);
    const notJson = await h.post(token, '{"kind": "browser",');
    expect(notJson).toMatchObject({
      status: 400,
      json: { error: 'report-invalid', message: 'the body is not valid JSON' },
    });
    expect(await h.reportsOf(id)).toBe(0);
    const status = (await (await fetch(`${h.base}/api/invites/${token}`)).json()) as Record<string, unknown>;
    expect(status.runsLeft).toBe(3);
  });

  it('deletes reports older than the retention, keeps newer ones', async () => {
    const { token } = await h.invite({ expiresInMs: 365 * DAY_MS });
    h.shift.ms = -40 * DAY_MS;
    let oldId: string;
    try {
      oldId = (await h.post(token, pageReport())).json.id as string;
    } finally {
      h.shift.ms = 0;
    }
    const newId = (await h.post(token, pageReport())).json.id as string;
    expect(await h.store.getReport(oldId)).not.toBeNull();
    const retention = startRetention({
      store: h.store,
      retentionMs: 30 * DAY_MS,
      now: Date.now,
      log,
      everyMs: 3_600_000,
    });
    try {
      expect(await retention.first).toBeGreaterThanOrEqual(1);
      expect(await h.store.getReport(oldId)).toBeNull();
      expect(await h.store.getReport(newId)).not.toBeNull();
      expect(await retention.sweep()).toBe(0);
    } finally {
      await retention.close();
    }
  });
});

describe('support links: rate limits', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('answers 429 after 10 reports a minute to one invite and 30 per 10 minutes from one IP; nothing stored', async () => {
    const first = await h.invite({ maxRuns: 1000 });
    for (let i = 0; i < 10; i += 1) expect((await h.post(first.token, {})).status).toBe(400);
    const limited = await h.post(first.token, pageReport());
    expect(limited).toMatchObject({ status: 429, json: { error: 'rate-limited' } });
    expect(await h.reportsOf(first.id)).toBe(0);
    const others = await Promise.all([h.invite(), h.invite(), h.invite()]);
    let sent = 11;
    for (const other of others)
      for (let i = 0; i < 9 && sent < 30; i += 1, sent += 1)
        expect((await h.post(other.token, {})).status).toBe(400);
    expect(sent).toBe(30);
    const last = others[2]!;
    const byIp = await h.post(last.token, pageReport());
    expect(byIp).toMatchObject({ status: 429, json: { error: 'rate-limited' } });
    expect(await h.reportsOf(last.id)).toBe(0);
  });
});

interface Received {
  atMs: number;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('support links: webhook', () => {
  let h: Harness;
  let receiver: Server;
  const received: Received[] = [];
  beforeAll(async () => {
    h = await harness();
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          atMs: Date.now(),
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.statusCode = received.length <= 2 ? 503 : 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver.close(resolve));
    await h.close();
  });

  it('delivers a signed report on the 3rd attempt after a receiver failed twice, 1 s then 2 s apart', async () => {
    const secret = Buffer.from('0123456789abcdef0123456789abcdef');
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const { id: inviteId, token } = await h.invite({ webhookUrl: hook });
    const dispatcher = startWebhookDispatcher({
      store: h.store,
      secret,
      now: Date.now,
      log,
      intervalMs: 200,
    });
    try {
      const answer = await h.post(token, pageReport());
      expect(answer.status).toBe(201);
      for (let i = 0; i < 100 && received.length < 3; i += 1) await new Promise((r) => setTimeout(r, 100));
      expect(received.length).toBe(3);
      const [a, b, c] = received as [Received, Received, Received];
      expect(b.atMs - a.atMs).toBeGreaterThanOrEqual(1000);
      expect(b.atMs - a.atMs).toBeLessThan(1000 + 200 + 500);
      expect(c.atMs - b.atMs).toBeGreaterThanOrEqual(2000);
      expect(c.atMs - b.atMs).toBeLessThan(2000 + 200 + 500);
      for (const r of received) {
        expect(r.headers['content-type']).toBe('application/json');
        const header = r.headers[SIGNATURE_HEADER.toLowerCase()] as string;
        expect(verifyWebhookSignature(secret, header, r.body, Math.floor(Date.now() / 1000))).toBe(true);
        expect(
          verifyWebhookSignature('another secret!!', header, r.body, Math.floor(Date.now() / 1000)),
        ).toBe(false);
      }
      const body = JSON.parse(c.body) as { event: string; report: Record<string, unknown>; body: unknown };
      expect(body.event).toBe('report.collected');
      expect(body.report).toMatchObject({ id: answer.json.id, inviteId, label: 'ticket 4711' });
      const stored = await h.store.getReport(answer.json.id as string);
      expect(body.body).toEqual(JSON.parse(stored!.reportJson));
      await new Promise((r) => setTimeout(r, 600));
      expect(received.length).toBe(3);
      expect(await h.store.claimDueDeliveries(Date.now() + 3_600_000, 1, 10)).toEqual([]);
    } finally {
      await dispatcher.close();
    }
  });
});

describe('support links: the CLI (built)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ice-doctor-links-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cli = (args: string[], input?: string) =>
    spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, timeout: 30_000 });

  it('invite create prints a signed link on the store and --json', async () => {
    const run = cli([
      'invite',
      'create',
      '--label',
      'ticket 9',
      '--expires',
      '7d',
      '--max-runs',
      '3',
      '--data-dir',
      dir,
      '--base-url',
      'https://127.0.0.1:8443',
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as { id: string; url: string; token: string; maxRuns: number };
    expect(out.url).toBe(`https://127.0.0.1:8443/i/${out.token}`);
    expect(out.maxRuns).toBe(3);
    const text = cli(['invite', 'create', '--data-dir', dir, '--base-url', 'https://127.0.0.1:8443/']);
    expect(text.status).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^https:\/\/127\.0\.0\.1:8443\/i\/[\w-]{22}\.[\w-]{22}$/);
    const store = await openStore({ dataDir: dir });
    try {
      const key = Buffer.from((await store.getSetting(INVITE_KEY_SETTING))!, 'base64url');
      expect(verifyInvite(key, out.token)).toBe(out.id);
      expect(await store.getInvite(out.id)).toMatchObject({
        label: 'ticket 9',
        maxRuns: 3,
        createdBy: 'cli',
      });
    } finally {
      await store.close();
    }
  }, 60_000);

  it('says usage errors with exit 2, naming the flag', () => {
    const base = ['invite', 'create', '--data-dir', dir, '--base-url', 'https://127.0.0.1:8443'];
    for (const [args, flag] of [
      [['--expires', '7w'], '--expires'],
      [['--expires', '10s'], '--expires'],
      [['--max-runs', '0'], '--max-runs'],
      [['--webhook-url', 'ftp://x/'], '--webhook-url'],
      [['--label', 'x'.repeat(201)], '--label'],
    ] as const) {
      const run = cli([...base, ...args]);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^ice-doctor: ${flag}: `));
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    const noStore = cli(['invite', 'create', '--base-url', 'https://127.0.0.1:8443']);
    expect(noStore.status).toBe(2);
    expect(noStore.stderr).toContain('--data-dir');
  }, 120_000);

  it('admin add-user stores an scrypt hash of the password from stdin or a file; remove-user', async () => {
    const added = cli(['admin', 'add-user', 'alice', '--data-dir', dir], 'correct horse battery\n');
    expect(added.status).toBe(0);
    const file = join(dir, 'bob.pw');
    writeFileSync(file, 'staple-staple-staple\n', { mode: 0o600 });
    expect(cli(['admin', 'add-user', 'bob', '--password-file', file, '--data-dir', dir]).status).toBe(0);
    const short = cli(['admin', 'add-user', 'carol', '--data-dir', dir], 'short\n');
    expect(short.status).toBe(2);
    expect(short.stderr).toContain('8–1024 characters');
    const store = await openStore({ dataDir: dir });
    try {
      const alice = await store.getAdmin('alice');
      expect(alice!.passwordHash).not.toContain('correct horse');
      expect(await verifyPassword('correct horse battery', alice!.passwordHash)).toBe(true);
      expect(await verifyPassword('staple-staple-staple', (await store.getAdmin('bob'))!.passwordHash)).toBe(
        true,
      );
      expect(await store.getAdmin('carol')).toBeNull();
    } finally {
      await store.close();
    }
    expect(cli(['admin', 'remove-user', 'bob', '--data-dir', dir]).status).toBe(0);
    const again = cli(['admin', 'remove-user', 'bob', '--data-dir', dir]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("no dashboard user 'bob'");
  }, 120_000);
});
