/**
 * The visitor's side of a support link (issue 17) end to end: `ice-doctor serve --data-dir <tmp>` and Debian's
 * Chromium in one sealed sandbox namespace, invites made by the CLI (`invite create --json`, `invite revoke`)
 * and by `createInviteLink` on the same SQLite store. Checked: on `/i/<token>` the page asks for the link's
 * status first and runs nothing (no RTCPeerConnection, no other request, no candidate) until Start; after
 * Start it runs, POSTs the report once and shows "Sent" with the reference, and the store holds exactly that
 * report (IP addresses kept, or removed for a `--no-ips` link — by the page already); a lost connection is
 * shown with a retry that works; expired, used-up, revoked and malformed links are refused in words and run
 * nothing; without a support link the page runs as always. No CSP violation anywhere.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../../lab/paths.js';
import type { BrowserReport } from '../../src/report/browser-schema.js';
import { reportSchema } from '../../src/report/report-schema.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { type IceConfig, iceConfigSchema } from '../../src/web/api-schema.js';
import { expiredInvite } from '../support/expired-invite.js';
import { chromiumAvailable, launchChromium, type RunningChromium } from './chromium.js';
import { PEER_CONNECTION_COUNTER } from './peer-connection-counter.js';
import { type InstrumentedPage, instrument, type ServedPage, servePage } from './report-page-harness.js';
import { createSandbox, SANDBOX_IP, type Sandbox } from './sandbox.js';
import { recordTraffic, type TrafficRecorder } from './traffic-recorder.js';

const canRun = chromiumAvailable() && process.getuid?.() === 0;
const run = promisify(execFile);
/** Longest wait for a whole run (checks, throughput, then the POST), in ms. */
const RUN_MS = 90_000;
const IPV4 = /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/;
const ADDRESS_KEYS = new Set(['address', 'relatedAddress', 'localAddress', 'remoteAddress']);
/** Members that hold no address of the visitor (report-export.ts keeps them as they are). */
const NO_VISITOR_ADDRESS = new Set(['url', 'page', 'userAgent']);

/** Every string of `value` (deep) with the member name it sits under. */
function strings(value: unknown, key = ''): [string, string][] {
  if (typeof value === 'string') return [[key, value]];
  if (Array.isArray(value)) return value.flatMap((v) => strings(v, key));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => strings(v, k));
  return [];
}

/** The `invite create --json` line. */
interface CreatedByCli {
  id: string;
  url: string;
  token: string;
  collectIps: boolean;
}

/** A page with the counter, a traffic recorder and the CSP recorder. */
interface WatchedPage {
  page: Page;
  traffic: TrafficRecorder;
  watched: InstrumentedPage;
  peerConnections(): Promise<number>;
  /** The paths of the requests sent so far on the page's origin (`GET /app.js`, `POST /api/…`). */
  requests(): Promise<string[]>;
}

describe.skipIf(!canRun)('report page on a support link (Chromium, serve --data-dir in a sandbox)', () => {
  let sandbox: Sandbox;
  let served: ServedPage;
  let dataDir: string;
  let store: Store;
  let browser: RunningChromium;
  let base: string;
  const watchedPages: WatchedPage[] = [];

  async function cli(...args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, [CLI_PATH, ...args, '--data-dir', dataDir]);
    return stdout;
  }

  async function createByCli(...flags: string[]): Promise<CreatedByCli> {
    const out = await cli('invite', 'create', '--expires', '1h', '--base-url', base, '--json', ...flags);
    return JSON.parse(out) as CreatedByCli;
  }

  async function watch(): Promise<WatchedPage> {
    const page = await browser.context.newPage();
    await page.addInitScript(PEER_CONNECTION_COUNTER);
    const traffic = recordTraffic(page);
    const watched = await instrument(page);
    const w: WatchedPage = {
      page,
      traffic,
      watched,
      peerConnections: () => page.evaluate('window.__peerConnections') as Promise<number>,
      requests: async () =>
        (await traffic.sent())
          .map((s) => /^(\S+) (https?:\/\/[^/]+)(\/.*)$/.exec(s.what))
          .filter((m): m is RegExpExecArray => m !== null && m[2] === base)
          .map((m) => `${m[1]} ${m[3]}`),
    };
    watchedPages.push(w);
    return w;
  }

  /** Opens `url` and waits for `#support-link[data-state=state]`. */
  async function openAt(url: string, state: string): Promise<WatchedPage> {
    const w = await watch();
    await w.page.goto(url);
    await w.page.waitForSelector(`#support-link[data-state="${state}"]`, { timeout: 15_000 });
    return w;
  }

  /** Asserts that the page asked for nothing but itself (and the link's status, when `token` is given). */
  async function expectNothingRan(w: WatchedPage, token: string | null): Promise<void> {
    // Anything the page would start on its own has had a second to start.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await w.peerConnections()).toBe(0);
    const expected = ['GET /app.js', 'GET /style.css', ...(token ? [`GET /api/invites/${token}`] : [])];
    expect((await w.requests()).filter((r) => !r.startsWith('GET /i/')).sort()).toEqual(expected.sort());
    expect(await w.page.locator('#candidates tbody tr').count()).toBe(0);
    expect(await w.page.isVisible('#answer')).toBe(false);
  }

  async function reportsOf(inviteId: string) {
    return (await store.listReports({ inviteId }, 100, null)).rows;
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ice-doctor-invite-'));
    sandbox = await createSandbox();
    served = await servePage(sandbox.ns, ['--port', '0', '--data-dir', dataDir]);
    base = served.url.replace(/\/$/, '');
    store = await openStore({ dataDir });
    browser = await launchChromium({ netns: sandbox.ns });
  });

  afterAll(async () => {
    for (const w of watchedPages) {
      const record = await w.watched.record().catch(() => null);
      if (record) expect(record.csp, w.page.url()).toEqual([]);
      expect(w.watched.cspConsole, w.page.url()).toEqual([]);
    }
    await browser?.close();
    await store?.close();
    await served?.serve.stop();
    await sandbox?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('a link that keeps IP addresses: the notice and nothing else until Start; then run, "Sent", exactly that report stored; reopened: used up', async () => {
    const invite = await createByCli('--label', 'Ticket 17 <b>x</b>', '--max-runs', '1');
    expect(invite.url).toBe(`${base}/i/${invite.token}`);
    const w = await openAt(invite.url, 'open');
    expect(await w.page.getAttribute('body', 'data-phase')).toBe('invite');
    expect(await w.page.textContent('#support-link-what')).toBe(
      'What will be sent: the network report of this test — the candidates, which paths worked, the verdict — and your IP addresses.',
    );
    expect(await w.page.textContent('#support-link-to')).toBe(
      `To whom: ${SANDBOX_IP}, the site this page comes from.`,
    );
    expect(await w.page.textContent('#support-link')).toContain('takes 1 more report');
    await expectNothingRan(w, invite.token);
    expect(await reportsOf(invite.id)).toEqual([]);

    const ice = w.page.waitForResponse((r) => r.url().endsWith('/api/ice-servers'), { timeout: 15_000 });
    await w.page.click('#support-link-start');
    const iceConfig: IceConfig = iceConfigSchema.parse(await (await ice).json());
    await w.page.waitForSelector('#support-link[data-state="sent"]', { timeout: RUN_MS });
    expect(await w.page.getAttribute('body', 'data-phase')).toBe('done');
    const reference = (await w.page.textContent('#support-link-reference')) ?? '';
    expect(await w.page.textContent('#support-link')).toContain(
      `Sent to ${SANDBOX_IP} — reference ${reference}.`,
    );

    const posts = (await w.traffic.sent()).filter((s) => s.what.startsWith('POST '));
    expect(posts.map((p) => p.what)).toEqual([`POST ${base}/api/invites/${invite.token}/report`]);
    const rows = await reportsOf(invite.id);
    expect(rows.map((r) => r.id)).toEqual([reference]);
    const stored = await store.getReport(reference);
    const report = reportSchema.parse(JSON.parse(stored?.reportJson ?? 'null')) as BrowserReport;
    const sent = JSON.parse(posts[0]?.text.split('\n').slice(2).join('\n') ?? 'null') as BrowserReport;
    expect(report).toEqual(sent);
    expect(report.redacted).toEqual({ credentials: true, ips: false });
    expect(report.candidates.some((c) => c.address === SANDBOX_IP)).toBe(true);
    const secrets = iceConfig.iceServers.flatMap((s) => [s.username, s.credential]).filter((s) => !!s);
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(stored?.reportJson).not.toContain(secret);
    expect((await store.getInvite(invite.id))?.runsUsed).toBe(1);

    const again = await openAt(invite.url, 'refused');
    expect(await again.page.getAttribute('body', 'data-phase')).toBe('refused');
    expect(await again.page.textContent('#support-link-refusal')).toMatch(/^This support link is used up/);
    expect(await again.page.textContent('#support-link')).toContain(
      'Nothing was tested and nothing was sent.',
    );
    await expectNothingRan(again, invite.token);
    expect((await reportsOf(invite.id)).length).toBe(1);
  });

  it('a --no-ips link: the notice says so; a lost connection is shown with a retry that sends; the page sent no IP address', async () => {
    const invite = await createByCli('--label', 'no ips', '--max-runs', '1', '--no-ips');
    expect(invite.collectIps).toBe(false);
    const w = await openAt(invite.url, 'open');
    expect(await w.page.textContent('#support-link-what')).toBe(
      'What will be sent: the network report of this test — the candidates, which paths worked, the verdict — without IP addresses (this link does not collect them).',
    );
    await expectNothingRan(w, invite.token);

    let aborted = 0;
    await w.page.route('**/report', async (route) => {
      aborted += 1;
      await route.abort('connectionreset');
    });
    await w.page.click('#support-link-start');
    await w.page.waitForSelector('#support-link[data-state="not-sent"]', { timeout: RUN_MS });
    expect(aborted).toBe(1);
    expect(await w.page.textContent('#support-link-failure')).toMatch(
      new RegExp(`^Not sent: the connection to ${SANDBOX_IP.replace(/\./g, '\\.')} failed \\(`),
    );
    expect(await w.page.textContent('#support-link')).toContain('Download the report and send it by email');
    expect(await reportsOf(invite.id)).toEqual([]);
    await w.page.unroute('**/report');
    await w.page.click('#support-link-retry');
    await w.page.waitForSelector('#support-link[data-state="sent"]', { timeout: 15_000 });
    const reference = (await w.page.textContent('#support-link-reference')) ?? '';
    expect((await reportsOf(invite.id)).map((r) => r.id)).toEqual([reference]);

    const posts = (await w.traffic.sent()).filter((s) => s.what.startsWith('POST '));
    expect(posts.length).toBe(2);
    const body = JSON.parse(posts[1]?.text.split('\n').slice(2).join('\n') ?? 'null') as BrowserReport;
    expect(body.redacted).toEqual({ credentials: true, ips: true });
    const stored = reportSchema.parse(JSON.parse((await store.getReport(reference))?.reportJson ?? 'null'));
    expect(stored).toEqual(body);
    // URLs and the page keep the server's host; the user agent has a version like 156.0.0.0.
    const found = strings(stored).filter(([key, s]) => !NO_VISITOR_ADDRESS.has(key) && IPV4.test(s));
    expect(found).toEqual([]);
    for (const [key, s] of strings(stored)) if (ADDRESS_KEYS.has(key)) expect(s).toBe('redacted');
    expect(stored.kind === 'browser' && stored.candidates.length).toBeGreaterThan(0);
  });

  it('the answer lost after the server stored the report: the retry is answered with the same reference — one report, one run', async () => {
    const invite = await createByCli('--label', 'lost answer', '--max-runs', '1');
    const w = await openAt(invite.url, 'open');
    const keys: string[] = [];
    let first = true;
    let reached = 0;
    await w.page.route('**/report', async (route) => {
      const request = route.request();
      keys.push(request.headers()['idempotency-key'] ?? '');
      if (!first) return route.continue();
      first = false;
      // The same upload reaches the server from inside the page (the test's driver is outside the sandbox's
      // network), and the page's own request is cut: stored, but the answer lost.
      reached = await w.page.evaluate(
        ({ url, body, key }) =>
          fetch(url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
            body,
          }).then((r) => r.status),
        { url: request.url(), body: request.postData() ?? '', key: keys[0] ?? '' },
      );
      await route.abort('connectionreset');
    });
    await w.page.click('#support-link-start');
    await w.page.waitForSelector('#support-link[data-state="not-sent"]', { timeout: RUN_MS });
    expect(reached).toBe(201);
    const stored = (await reportsOf(invite.id)).map((r) => r.id);
    expect(stored.length).toBe(1);
    await w.page.click('#support-link-retry');
    await w.page.waitForSelector('#support-link[data-state="sent"]', { timeout: 15_000 });
    // Without the key the retry would be refused (410 used up: max-runs 1) or stored twice.
    expect(await w.page.textContent('#support-link-reference')).toBe(stored[0]);
    expect(keys.length).toBe(3);
    expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(keys[2]).toBe(keys[0]);
    expect((await reportsOf(invite.id)).map((r) => r.id)).toEqual(stored);
    expect((await store.getInvite(invite.id))?.runsUsed).toBe(1);
  });

  it('an expired link (createInviteLink, made 2 min ago for 1 min): refused in words, nothing runs', async () => {
    const made = await expiredInvite(store, base);
    const w = await openAt(made.url, 'refused');
    expect(await w.page.textContent('#support-link-refusal')).toMatch(
      /^This support link (has expired|expired on .+)\. Ask whoever sent it to you for a new link\.$/,
    );
    await expectNothingRan(w, made.token);
    expect(await reportsOf(made.invite.id)).toEqual([]);
  });

  it('a revoked link and a malformed one: refused in words, nothing runs (the malformed one asks nothing)', async () => {
    const invite = await createByCli('--max-runs', '2');
    await cli('invite', 'revoke', invite.id);
    const revoked = await openAt(invite.url, 'refused');
    expect(await revoked.page.textContent('#support-link-refusal')).toMatch(/^This support link was revoked/);
    await expectNothingRan(revoked, invite.token);

    const malformed = await openAt(`${base}/i/${invite.token.slice(0, 30)}`, 'refused');
    expect(await malformed.page.textContent('#support-link-refusal')).toMatch(
      /^This is not a valid support link: it is cut short or mistyped/,
    );
    await expectNothingRan(malformed, null);
  });

  it('a forged token (valid shape, wrong MAC): "not a valid support link", nothing runs', async () => {
    const invite = await createByCli('--max-runs', '1');
    const [id, mac] = invite.token.split('.') as [string, string];
    const forged = `${id}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    const w = await openAt(`${base}/i/${forged}`, 'refused');
    expect(await w.page.textContent('#support-link-refusal')).toMatch(
      /^This is not a valid support link: the server does not know it/,
    );
    await expectNothingRan(w, forged);
  });

  it('without a support link the page runs as always: no invite request, the section stays hidden', async () => {
    const w = await watch();
    await w.page.goto(`${base}/`);
    await w.page.waitForFunction(() => document.querySelector('#verdict[data-verdict]') !== null, undefined, {
      timeout: 30_000,
      polling: 50,
    });
    expect(await w.page.isVisible('#support-link')).toBe(false);
    expect(await w.peerConnections()).toBeGreaterThan(0);
    const requests = await w.requests();
    expect(requests).toContain('GET /api/ice-servers');
    expect(requests.filter((r) => r.includes('/api/invites'))).toEqual([]);
  });
});
