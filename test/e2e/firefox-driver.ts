// Runs the report page in Debian's Firefox ESR and prints what it showed as one JSON line on stdout:
//   ip netns exec <ns> node --import tsx test/e2e/firefox-driver.ts <page URL>
// It runs inside the test's namespace together with Firefox, because puppeteer-core reaches Firefox over a
// WebDriver BiDi WebSocket on the namespace's own loopback. Exit 0 with the JSON line, 1 with a message.
import puppeteer from 'puppeteer-core';
import { FIREFOX_LAUNCH } from './firefox.js';

/** What the driver prints: the verdict, the share link's fragment (the full report) and the peer area. */
export interface FirefoxRun {
  verdictCode: string;
  verdictText: string;
  /** ms from navigation to `data-verdict`, as the page measured it (`body[data-verdict-ms]`). */
  pageVerdictMs: number | null;
  shareUrl: string;
  userAgent: string;
}

const TIMEOUT_MS = 40_000;

async function main(url: string): Promise<FirefoxRun> {
  const browser = await puppeteer.launch(FIREFOX_LAUNCH);
  try {
    const page = await browser.newPage();
    await page.goto(url);
    const verdict = await page.waitForSelector('[data-verdict]', { timeout: TIMEOUT_MS });
    const verdictCode = (await verdict?.evaluate((el) => el.getAttribute('data-verdict'))) ?? '';
    const verdictText = (await verdict?.evaluate((el) => el.textContent ?? '')) ?? '';
    await page.waitForSelector('body[data-phase="done"]', { timeout: TIMEOUT_MS });
    await page.click('#share-link');
    await page.waitForFunction(
      () => (document.querySelector<HTMLInputElement>('#share-url')?.value ?? '').includes('#report='),
      { timeout: TIMEOUT_MS },
    );
    const shareUrl = await page.$eval('#share-url', (el) => (el as HTMLInputElement).value);
    const pageVerdictMs = await page.evaluate(() => {
      const ms = Number(document.body.dataset.verdictMs);
      return Number.isFinite(ms) ? ms : null;
    });
    const userAgent = await page.evaluate(() => navigator.userAgent);
    return { verdictCode, verdictText, pageVerdictMs, shareUrl, userAgent };
  } finally {
    await browser.close();
  }
}

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: firefox-driver.ts <page URL>\n');
  process.exit(1);
}
main(url).then(
  (run) => process.stdout.write(`${JSON.stringify(run)}\n`),
  (err: unknown) => {
    process.stderr.write(`firefox-driver: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
