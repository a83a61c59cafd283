import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import type { SignalingCheck } from '../../src/report/browser-schema.js';
import type { ThroughputResult } from '../../src/web/page/throughput-meter.js';
import type { PageModules } from './page-modules-entry.js';

/**
 * The report page's browser modules (src/web/page/ui/) bundled for a test: page-modules-entry.ts
 * as one IIFE, loaded as a same-origin script into a page the report server served, so its origin, CSP and
 * signaling endpoints are the real ones. The host page is the server's 404 page ({@link blankPageUrl}): it
 * has the server's headers but runs no app beside the modules under test.
 */

const ENTRY = fileURLToPath(new URL('./page-modules-entry.ts', import.meta.url));

/** Bundles page-modules-entry.ts (esbuild, like scripts/build-page.mjs, but IIFE and unminified). */
export async function bundlePageModules(): Promise<string> {
  const out = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110'],
    write: false,
    logLevel: 'warning',
  });
  const file = out.outputFiles[0];
  if (file === undefined) throw new Error('esbuild produced no bundle');
  return file.text;
}

/** A page of the report server at `reportUrl` that runs nothing: its 404 page, with every header of the real one. */
export function blankPageUrl(reportUrl: string): string {
  return new URL('__test__/blank', reportUrl).href;
}

/** Where the test serves the bundle, on the page's own origin (answered by Playwright, not the server). */
const BUNDLE_PATH = '/__test__/page-modules.js';

/**
 * Loads the bundle into `page` as a `<script src>` of the page's origin, as the page loads its own
 * app.js (so the page's CSP applies as it does to the real page), served by Playwright's request routing.
 * The page then has `globalThis.iceDoctorModules` ({@link PageModules}).
 */
export async function loadPageModules(page: Page, bundle: string): Promise<void> {
  await page.route(`**${BUNDLE_PATH}`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body: bundle }),
  );
  await page.addScriptTag({ url: BUNDLE_PATH });
}

/** The global of a page where {@link loadPageModules} ran (cast inside each `page.evaluate`). */
export type Loaded = { iceDoctorModules: PageModules };

/** Runs `checkSignaling` in `page`. */
export function checkSignalingIn(page: Page): Promise<SignalingCheck[]> {
  return page.evaluate(() => (globalThis as unknown as Loaded).iceDoctorModules.checkSignaling());
}

/** Runs `measureThroughput` over a loopback data channel in `page`. */
export function throughputIn(page: Page, durationMs: number, maxBytes?: number): Promise<ThroughputResult> {
  return page.evaluate(
    ([d, m]) => (globalThis as unknown as Loaded).iceDoctorModules.throughput(d, m ?? undefined),
    [durationMs, maxBytes ?? null] as const,
  );
}
