/**
 * The dashboard in Debian's Chromium (playwright-core, test/e2e/chromium.ts) against a report server with a
 * real SQLite store (test/support/admin-fixture.ts) serving a page built for this test: sign in through the
 * form, the list with a `<script>` label rendered as text (no dialog, no script element), a report collected
 * while the dashboard is open listed within 2 s, a report opened in the page's read-only view (its verdict
 * shown), the aggregates' charts with their counts in a table, the CSV export downloaded, an invite created
 * and its link accepted by the page's API; no CSP violation anywhere.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleBrowserReport } from '../../lab/browser-report-sample.js';
import { REPO_ROOT } from '../../lab/paths.js';
import { ADMIN, type AdminFixture, browserReport, startAdminFixture } from '../support/admin-fixture.js';
import { send } from '../support/admin-http.js';
import { chromiumAvailable, launchChromium, type RunningChromium } from './chromium.js';

const SCRIPT_LABEL = '<script>alert(1)</script>';
const SCREENSHOTS = join(REPO_ROOT, 'test-results');

/** Records CSP violations before the dashboard's own script runs. */
const CSP_RECORDER = `(() => {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) =>
    window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));
})()`;

describe.skipIf(!chromiumAvailable())('dashboard in Chromium', () => {
  let publicDir: string;
  let fx: AdminFixture;
  let browser: RunningChromium;
  let page: Page;
  const dialogs: string[] = [];
  const ids = { script: '', plain: '' };

  /** The CSP violations the current document recorded. */
  const csp = () => page.evaluate('window.__csp') as Promise<string[]>;

  beforeAll(async () => {
    publicDir = mkdtempSync(join(tmpdir(), 'ice-doctor-admin-page-'));
    await promisify(execFile)(process.execPath, ['scripts/build-page.mjs', publicDir], { cwd: REPO_ROOT });
    fx = await startAdminFixture(publicDir);
    ids.script = await fx.collect(SCRIPT_LABEL, browserReport('direct'));
    ids.plain = await fx.collect(
      'ACME ticket 7',
      sampleBrowserReport({
        verdict: 'only-tls-443',
        worked: ['turns'],
        selected: ['relay', 'host'],
        mapping: 'address-and-port-dependent',
      }),
    );
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.addInitScript(CSP_RECORDER);
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await fx?.close();
    if (publicDir) rmSync(publicDir, { recursive: true, force: true });
  });

  it('signs in through the form and lists the reports', async () => {
    await page.goto(`${fx.http}/admin`);
    await page.waitForSelector('body[data-view="signin"]');
    await page.fill('#username', ADMIN.username);
    await page.fill('#password', 'wrong');
    await page.click('#sign-in-form button[type="submit"]');
    await page.waitForSelector('#sign-in-error:not([hidden])');
    expect(await page.textContent('#sign-in-error')).toBe('wrong user name or password');
    await page.fill('#password', ADMIN.password);
    await page.click('#sign-in-form button[type="submit"]');
    await page.waitForSelector('body[data-view="dashboard"]');
    await page.waitForSelector(`#report-list tr[data-id="${ids.script}"]`);
    expect(
      await page.$$eval('#report-list tbody tr[data-id]', (rows) =>
        rows.map((r) => r.getAttribute('data-id')),
      ),
    ).toEqual([ids.plain, ids.script]);
    const cells = await page.$$eval(`#report-list tr[data-id="${ids.plain}"] td`, (tds) =>
      tds.map((td) => td.textContent),
    );
    expect(cells.slice(0, 1)).toEqual(['ACME ticket 7']);
    expect(cells.slice(2)).toEqual(['only-tls-443', 'address-and-port-dependent', 'TURN/TLS', 'yes']);
    expect(await csp()).toEqual([]);
  });

  it('renders a <script> label as text: visible, no script element, no dialog', async () => {
    const label = page.locator(`#report-list tr[data-id="${ids.script}"] button.link`);
    expect(await label.textContent()).toBe(SCRIPT_LABEL);
    expect(await label.isVisible()).toBe(true);
    expect(await page.$$eval('#report-list script, #invite-list script', (s) => s.length)).toBe(0);
    expect(dialogs).toEqual([]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-reports.png'), fullPage: true });
  });

  it('lists a report collected while the dashboard is open within 2 s', async () => {
    const started = Date.now();
    const id = await fx.collect('arrived while open', browserReport('relay-only'));
    await page.waitForSelector(`#report-list tr[data-id="${id}"]`, { timeout: 5000 });
    const ms = Date.now() - started;
    console.log(`a new report was listed ${ms} ms after it was posted`);
    expect(ms).toBeLessThanOrEqual(2000);
  });

  it('opens a report in the read-only report view, which shows its verdict', async () => {
    await page.click(`#report-list tr[data-id="${ids.plain}"] button.link`);
    await page.waitForURL(/\/#report=/);
    await page.waitForSelector('#verdict[data-verdict]');
    expect(await page.getAttribute('#verdict', 'data-verdict')).toBe('only-tls-443');
    expect(await page.textContent('#status')).toContain('read-only');
    expect(await csp()).toEqual([]);
    await page.goBack();
    await page.waitForSelector('body[data-view="dashboard"]');
  });

  it('draws the aggregates with their counts beside each chart', async () => {
    await page.click('button.tab[data-tab="aggregates"]');
    await page.waitForSelector('#aggregates[data-loaded="true"]');
    expect(await page.getAttribute('#aggregates-total', 'data-total')).toBe('3');
    expect(await page.textContent('#aggregates-total')).toContain('3 reports in the last 30 days');
    for (const chart of ['verdicts', 'mapping', 'filtering', 'relay', 'tls-only', 'per-day'])
      expect(await page.getAttribute(`figure[data-chart="${chart}"] canvas`, 'data-drawn'), chart).toBe(
        'true',
      );
    const verdicts = await page.$$eval('figure[data-chart="verdicts"] table.counts tbody tr', (rows) =>
      rows.map((r) => [...r.children].map((c) => c.textContent)),
    );
    expect(verdicts).toEqual([
      ['direct', '1', '33.3 %'],
      ['only-tls-443', '1', '33.3 %'],
      ['relay-only', '1', '33.3 %'],
    ]);
    expect(await page.getAttribute('figure[data-chart="verdicts"] canvas', 'aria-label')).toContain(
      'direct 1 (33.3 %)',
    );
    const table = (chart: string) =>
      page.$$eval(`figure[data-chart="${chart}"] table.counts tbody tr`, (rows) =>
        rows.map((r) => [...r.children].map((c) => c.textContent)),
      );
    expect(await table('mapping')).toEqual([
      ['endpoint-independent', '2', '66.7 %'],
      ['address-and-port-dependent', '1', '33.3 %'],
    ]);
    expect(await table('relay')).toEqual([
      // direct → no; only-tls-443 and relay-only → yes (those verdicts say calls must relay).
      ['yes', '2', '66.7 %'],
      ['no', '1', '33.3 %'],
      ['not shown', '0', '0 %'],
    ]);
    expect(await table('tls-only')).toEqual([
      ['only TLS', '1', '33.3 %'],
      ['other', '2', '66.7 %'],
    ]);
    expect(await page.textContent('#aggregates-total')).toContain(
      '66.7 % of those that show it needed a relay (0 do not show it), 33.3 % worked only over TURN/TLS on 443',
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-aggregates.png'), fullPage: true });
    await page.selectOption('#period', '7');
    await page.waitForFunction(() =>
      document.querySelector('#aggregates-total')?.textContent?.includes('7 days'),
    );
  });

  it('downloads the CSV export with the formula and quoting rules', async () => {
    await page.click('button.tab[data-tab="reports"]');
    const download = page.waitForEvent('download');
    await page.click('#export-csv');
    const file = await (await download).path();
    const lines = readFileSync(file, 'utf8').split('\r\n');
    expect(lines[0]).toMatch(/^id,received_at,/);
    expect(lines.filter((l) => l !== '')).toHaveLength(4);
    expect(lines.some((l) => l.includes(`,${SCRIPT_LABEL},`))).toBe(true);
  });

  it('creates an invite: shows its link with a copy button; the page’s API accepts the link', async () => {
    await page.click('button.tab[data-tab="invites"]');
    await page.fill('#invite-form input[name="label"]', 'ticket <b>9</b>');
    await page.fill('#invite-form input[name="maxRuns"]', '2');
    await page.click('#invite-form button[type="submit"]');
    await page.waitForSelector('#invite-created:not([hidden])');
    const url = await page.inputValue('#invite-url');
    expect(url).toMatch(new RegExp(`^${fx.http}/i/[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{22}$`));
    await page.click('#invite-copy');
    await page.waitForFunction(() => (document.querySelector('#invite-copied')?.textContent ?? '') !== '');
    expect(await page.textContent('#invite-copied')).toMatch(
      /^(Copied\.|Copying was refused here: the link is selected.*)$/,
    );
    const status = await send(`${fx.http}/api/invites/${url.split('/i/')[1]}`);
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body)).toMatchObject({ status: 'open', runsLeft: 2 });
    await page.waitForSelector('#invite-list tbody tr[data-status="open"]');
    const labels = await page.$$eval('#invite-list tbody tr td:first-child', (tds) =>
      tds.map((t) => t.textContent),
    );
    expect(labels).toContain('ticket <b>9</b>');
    expect(labels).toContain(SCRIPT_LABEL);
    expect(await page.$$eval('#invite-list b', (b) => b.length)).toBe(0);
    expect(dialogs).toEqual([]);
    expect(await csp()).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-invites.png'), fullPage: true });
  });
});
