/**
 * The report page at phone, tablet and desktop widths (390, 768, 1280 px) in Debian's Chromium
 * (playwright-core) and Firefox ESR (puppeteer-core over WebDriver BiDi, screens-firefox-driver.ts), both with
 * `ice-doctor serve` inside a sealed sandbox namespace: no horizontal scrolling (`scrollWidth ≤ innerWidth`),
 * with the Details fold closed and open; the plain answer's top within the first viewport (above the fold)
 * with its statements shown. Screenshots (light and dark) go to test-results/screenshots/ to be looked at.
 * Also the two-peer invitation link: on the `--public-host` name, with the loopback warning when it is one.
 * Needs root (namespaces); skipped, counted, without it or without the browser.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lab/paths.js';
import { nsRun } from '../../src/lab/exec.js';
import { chromiumAvailable, launchChromium, type RunningChromium } from './chromium.js';
import { firefoxAvailable } from './firefox.js';
import { servePage, untilDone } from './report-page-harness.js';
import { SANDBOX_IP } from './sandbox.js';
import { type SandboxedServe, serveInSandbox } from './sandbox-serve.js';
import { type Layout, measureLayout, SCREENSHOT_DIR, VIEWPORTS } from './screens.js';

const root = process.getuid?.() === 0;
const FIREFOX_DRIVER = fileURLToPath(new URL('./screens-firefox-driver.ts', import.meta.url));

/** The assertions on one measured layout. */
function checkLayout(name: string, closed: Layout, open: Layout): void {
  expect(
    closed.scrollWidth,
    `${name}: page wider than the window (${closed.overflowing.join(', ')})`,
  ).toBeLessThanOrEqual(closed.innerWidth);
  expect(
    open.scrollWidth,
    `${name}, Details open: page wider than the window (${open.overflowing.join(', ')})`,
  ).toBeLessThanOrEqual(open.innerWidth);
  expect(closed.answerTop, `${name}: the answer starts below the fold`).toBeLessThan(closed.innerHeight);
  expect(closed.statements, `${name}: statements in the answer`).toBeGreaterThanOrEqual(1);
}

describe.skipIf(!(root && chromiumAvailable()))(
  'report page screenshots in Chromium (sandbox namespace)',
  () => {
    let served: SandboxedServe;
    let browser: RunningChromium;

    beforeAll(async () => {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      served = await serveInSandbox();
      browser = await launchChromium({ netns: served.sandbox.ns });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await served?.close();
    });

    it('the invitation link: on the page host without --public-host (no warning); on the --public-host name, with a warning when that is loopback', async () => {
      const invite = async (url: string) => {
        const page = await browser.context.newPage();
        try {
          await page.goto(url);
          await page.click('#invite');
          await page.waitForSelector('#invite-url:visible', { timeout: 10_000 });
          return {
            link: await page.inputValue('#invite-url'),
            warned: await page.isVisible('.peer-warning'),
            warning: (await page.textContent('.peer-warning')) ?? '',
          };
        } finally {
          await page.close();
        }
      };
      const plain = await invite(served.url);
      expect(plain.link.startsWith(`${served.url}#room=`), plain.link).toBe(true);
      expect(plain.warned).toBe(false);
      const named = await servePage(served.sandbox.ns, ['--port', '0', '--public-host', 'localhost']);
      try {
        // serve prints the page on the --public-host name; the page is loaded by the sandbox address it listens on.
        const port = new URL(named.url).port;
        expect(named.url).toBe(`http://localhost:${port}/`);
        const local = await invite(`http://${SANDBOX_IP}:${port}/`);
        expect(local.link).toMatch(new RegExp(`^http://localhost:${port}/#room=[\\w-]{16}$`));
        expect(local.warned).toBe(true);
        expect(local.warning).toMatch(/Only this device can open this link.*--public-host NAME/);
      } finally {
        await named.serve.stop();
      }
    }, 60_000);

    it('the shared (read-only) view shows the same plain answer as the live page', async () => {
      const statements = (p: Page) =>
        p.$$eval('#answer li[data-mark]', (items) =>
          items.map((li) => `${li.getAttribute('data-mark')} ${li.textContent ?? ''}`),
        );
      const live = await browser.context.newPage();
      const shared = await browser.context.newPage();
      try {
        await live.setViewportSize(VIEWPORTS[0]);
        await live.goto(served.url);
        await untilDone(live);
        await live.click('#share-link');
        await live.waitForFunction(
          () => (document.querySelector('#share-url') as HTMLInputElement).value !== '',
        );
        await shared.setViewportSize(VIEWPORTS[0]);
        await shared.goto(await live.inputValue('#share-url'));
        await shared.waitForFunction(() => document.body.dataset.phase === 'shared');
        await shared.screenshot({ path: join(SCREENSHOT_DIR, 'chromium-390-shared.png') });
        const seen = await statements(live);
        expect(seen.length).toBeGreaterThanOrEqual(2);
        expect(await statements(shared)).toEqual(seen);
      } finally {
        await live.close();
        await shared.close();
      }
    }, 60_000);

    for (const viewport of VIEWPORTS)
      it(`${viewport.width} px: no horizontal scrolling, the answer above the fold (light and dark)`, async () => {
        const page = await browser.context.newPage();
        try {
          await page.setViewportSize(viewport);
          await page.goto(served.url);
          await untilDone(page);
          for (const scheme of ['light', 'dark'] as const) {
            await page.emulateMedia({ colorScheme: scheme });
            await page.evaluate(() => {
              for (const d of document.querySelectorAll('details')) d.open = false;
              window.scrollTo(0, 0);
            });
            const name = `chromium-${viewport.width}-${scheme}`;
            const closed = await page.evaluate(measureLayout, false);
            await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
            const open = await page.evaluate(measureLayout, true);
            await page.waitForTimeout(300);
            await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-details.png`), fullPage: true });
            checkLayout(name, closed, open);
          }
        } finally {
          await page.close();
        }
      }, 60_000);
  },
);

describe.skipIf(!(root && firefoxAvailable()))(
  'report page screenshots in Firefox ESR (sandbox namespace)',
  () => {
    let served: SandboxedServe;

    beforeAll(async () => {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      served = await serveInSandbox();
    }, 30_000);

    afterAll(async () => served?.close());

    it('390, 768 and 1280 px: no horizontal scrolling, the answer above the fold', async () => {
      const r = await nsRun(
        served.sandbox.ns,
        process.execPath,
        ['--import', 'tsx', FIREFOX_DRIVER, served.url, SCREENSHOT_DIR],
        { timeoutMs: 150_000, cwd: REPO_ROOT, check: false },
      );
      expect(r.code, r.stderr).toBe(0);
      const runs = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '[]') as {
        width: number;
        closed: Layout;
        open: Layout;
      }[];
      expect(runs.map((x) => x.width)).toEqual(VIEWPORTS.map((v) => v.width));
      for (const x of runs) checkLayout(`firefox-${x.width}`, x.closed, x.open);
    }, 180_000);
  },
);
