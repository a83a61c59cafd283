// Opens the report page in Debian's Firefox ESR at each width of screens.ts, waits for the run to finish,
// saves screenshots (Details closed: the first screen; Details open: the whole page) and prints the measured
// layouts as one JSON line on stdout:
//   ip netns exec <ns> node --import tsx test/e2e/screens-firefox-driver.ts <page URL> <screenshot dir>
// It runs inside the test's namespace with Firefox (puppeteer-core reaches it over a WebDriver BiDi WebSocket
// on the namespace's loopback). Exit 0 with the JSON line, 1 with a message.
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { FIREFOX_LAUNCH } from './firefox.js';
import { type Layout, measureLayout, VIEWPORTS } from './screens.js';

const TIMEOUT_MS = 40_000;

async function main(url: string, dir: string): Promise<{ width: number; closed: Layout; open: Layout }[]> {
  const browser = await puppeteer.launch(FIREFOX_LAUNCH);
  try {
    const out = [];
    for (const viewport of VIEWPORTS) {
      const page = await browser.newPage();
      await page.setViewport(viewport);
      await page.goto(url);
      await page.waitForSelector('body[data-phase="done"]', { timeout: TIMEOUT_MS });
      const closed = await page.evaluate(measureLayout, false);
      await page.screenshot({ path: join(dir, `firefox-${viewport.width}.png`) as `${string}.png` });
      const open = await page.evaluate(measureLayout, true);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await page.screenshot({
        path: join(dir, `firefox-${viewport.width}-details.png`) as `${string}.png`,
        fullPage: true,
      });
      out.push({ width: viewport.width, closed, open });
      await page.close();
    }
    return out;
  } finally {
    await browser.close();
  }
}

const [url, dir] = process.argv.slice(2);
if (!url || !dir) {
  process.stderr.write('usage: screens-firefox-driver.ts <page URL> <screenshot dir>\n');
  process.exit(1);
}
main(url, dir).then(
  (runs) => process.stdout.write(`${JSON.stringify(runs)}\n`),
  (err: unknown) => {
    process.stderr.write(`screens-firefox-driver: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
