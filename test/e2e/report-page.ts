import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import type { BrowserReport } from '../../src/report/browser-schema.js';
import { reportSchema } from '../../src/report/report-schema.js';
import { openTimed, untilDone } from './report-page-harness.js';

/** Longest wait for the page's verdict in the lab, in ms (loopback acceptance is 2 s; NATs add timeouts). */
export const VERDICT_TIMEOUT_MS = 30_000;

/** A report page opened in a browser and run to its end. */
export interface OpenedReport {
  readonly page: Page;
  /** The `data-verdict` code and the verdict's text. */
  readonly verdict: { code: string; text: string };
}

/**
 * Opens the report page at `url` in a new tab of `context`, waits for its verdict ({@link openTimed}) and for
 * the end of its run ({@link untilDone}: charts and throughput finished).
 * @throws Error (Playwright TimeoutError) when either does not come within `timeoutMs`.
 */
export async function openReport(
  context: BrowserContext,
  url: string,
  timeoutMs = VERDICT_TIMEOUT_MS,
): Promise<OpenedReport> {
  const page = await context.newPage();
  const { code } = await openTimed(page, url, timeoutMs);
  await untilDone(page, timeoutMs);
  const text = ((await page.textContent('#verdict')) ?? '').trim();
  return { page, verdict: { code, text } };
}

/**
 * Clicks the page's "Export JSON" button, reads the downloaded file and validates it with the one report
 * schema (`reportSchema`, the same that validates `ice-doctor probe --json`).
 * @throws ZodError when the export does not validate; Error when it is not a browser report.
 */
export async function downloadReport(page: Page): Promise<BrowserReport> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  const path = await download.path();
  const report = reportSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  if (report.kind !== 'browser') throw new Error(`exported a ${report.kind} report, not a browser report`);
  return report;
}

/**
 * How many pixels of the chart canvas `data-chart=<name>` are painted (alpha > 0): proof that chart.js
 * drew something, not just that a canvas exists. The page keeps its charts in the closed "Details" fold, where
 * a canvas has no size: the fold around the canvas is opened first, and the count waits (up to 2 s) for
 * chart.js to draw at the new size.
 */
export function paintedPixels(page: Page, name: string): Promise<number> {
  return page.evaluate(async (chart) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`canvas[data-chart="${chart}"]`);
    const fold = canvas?.closest('details');
    if (fold) fold.open = true;
    const count = (): number => {
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx || canvas.width === 0 || canvas.height === 0) return 0;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted++;
      return painted;
    };
    const until = performance.now() + 2000;
    let painted = count();
    while (painted === 0 && performance.now() < until) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
      painted = count();
    }
    return painted;
  }, name);
}
