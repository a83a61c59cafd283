/**
 * The report page's browser modules in Debian's Chromium, against `ice-doctor serve` — both inside a
 * sealed sandbox namespace (sandbox.ts): the signaling check over ws:// and wss:// (with and without the
 * self-signed certificate accepted), the data channel throughput test over a real loopback call, and the
 * charts drawn from real data. The modules are bundled from the sources and loaded into a page of the
 * server (page-modules.ts), so the origin, CSP and signaling endpoints are the real ones; last, the real
 * page (main.ts) draws its charts from its own run.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserCandidate, PathResult } from '../../src/report/browser-schema.js';
import type { PathTarget } from '../../src/web/api-schema.js';
import type { ThroughputResult } from '../../src/web/page/throughput-meter.js';
import { CHUNK_BYTES, DEFAULT_MAX_BYTES } from '../../src/web/page/ui/throughput.js';
import { candidateRow } from '../support/browser-rows.js';
import { chromiumAvailable, launchChromium, type RunningChromium } from './chromium.js';
import {
  blankPageUrl,
  bundlePageModules,
  checkSignalingIn,
  type Loaded,
  loadPageModules,
  throughputIn,
} from './page-modules.js';
import { openReport, paintedPixels } from './report-page.js';
import { type SandboxedServe, serveInSandbox } from './sandbox-serve.js';

const canRun = chromiumAvailable() && process.getuid?.() === 0;

/** Opens a page of the server at `url` that runs nothing else, in a new tab of `browser`, with the modules loaded. */
async function openPage(browser: RunningChromium, url: string, bundle: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(blankPageUrl(url));
  await loadPageModules(page, bundle);
  return page;
}

describe.skipIf(!canRun)('report page modules in Chromium, inside a sandbox namespace', () => {
  let served: SandboxedServe;
  let browser: RunningChromium;
  let page: Page;
  let bundle: string;
  let throughputSamples: ThroughputResult | null = null;
  const csp: string[] = [];

  beforeAll(async () => {
    bundle = await bundlePageModules();
    served = await serveInSandbox();
    browser = await launchChromium({ netns: served.sandbox.ns });
    page = await openPage(browser, served.url, bundle);
    page.on('console', (m) => {
      if (m.text().includes('Content Security Policy')) csp.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it('checkSignaling: ws:// and wss:// both open, with the upgrade time in ms', async () => {
    const checks = await checkSignalingIn(page);
    const { hostname, port } = new URL(served.url);
    const httpsPort = new URL(served.httpsUrl).port;
    expect(checks.map((c) => [c.scheme, c.url, c.ok])).toEqual([
      ['ws', `ws://${hostname}:${port}/signal`, true],
      ['wss', `wss://${hostname}:${httpsPort}/signal`, true],
    ]);
    for (const c of checks) {
      expect(c.upgradeMs).toBeGreaterThan(0);
      expect(c.upgradeMs).toBeLessThan(3000);
    }
    console.info(`signaling upgrade: ${checks.map((c) => `${c.scheme} ${c.upgradeMs} ms`).join(', ')}`);
  });

  it('checkSignaling in a browser that has not accepted the self-signed certificate: wss fails and says to open the HTTPS URL', async () => {
    const strict = await launchChromium({ netns: served.sandbox.ns, acceptAnyCertificate: false });
    try {
      const checks = await checkSignalingIn(await openPage(strict, served.url, bundle));
      const wss = checks.find((c) => c.scheme === 'wss');
      expect(checks.find((c) => c.scheme === 'ws')?.ok).toBe(true);
      expect(wss).toMatchObject({ ok: false, upgradeMs: null });
      expect(wss?.error).toBe(
        `the browser refused the certificate; open ${served.httpsUrl} once to accept it`,
      );
    } finally {
      await strict.close();
    }
  });

  it('measureThroughput over a real data channel: kbps > 0 from acknowledged bytes, bounded in time and bytes', async () => {
    const started = Date.now();
    const timed = await throughputIn(page, 2000);
    const wallMs = Date.now() - started;
    expect(timed.kbps).toBeGreaterThan(0);
    expect(timed.bytes).toBeGreaterThan(0);
    expect(timed.bytes).toBeLessThanOrEqual(DEFAULT_MAX_BYTES + CHUNK_BYTES);
    expect(timed.durationMs).toBeLessThanOrEqual(2100);
    expect(timed.kbps).toBeCloseTo((timed.bytes * 8) / timed.durationMs, 0);
    expect(timed.samples.length).toBeGreaterThanOrEqual(1);
    expect(wallMs).toBeLessThan(10_000);

    const capped = await throughputIn(page, 10_000, 256 * 1024);
    expect(capped.bytes).toBe(256 * 1024);
    expect(capped.durationMs).toBeLessThan(10_000);
    expect(capped.kbps).toBeGreaterThan(0);
    console.info(
      `loopback throughput: ${timed.kbps} kbit/s over ${timed.durationMs.toFixed(0)} ms (${timed.bytes} bytes); 256 KiB cap reached in ${capped.durationMs.toFixed(0)} ms`,
    );
    throughputSamples = timed;
  });

  it('charts: every canvas is drawn with data (painted pixels, data-drawn, an aria-label in words), under the page CSP', async () => {
    const targets: PathTarget[] = [
      { id: 'stun-1', kind: 'stun', server: 'bundled', iceServer: { urls: 'stun:100.64.90.1:3478' } },
      { id: 'turn-udp-1', kind: 'turn-udp', server: 'bundled', iceServer: { urls: 'turn:100.64.90.1:3478' } },
    ];
    const candidate = (pathId: string, type: BrowserCandidate['type'], tMs: number) =>
      candidateRow(pathId, type, tMs, '100.64.90.1');
    const candidates = [
      candidate('stun-1', 'host', 3),
      candidate('stun-1', 'srflx', 12),
      candidate('turn-udp-1', 'host', 4),
      candidate('turn-udp-1', 'relay', 25),
    ];
    const paths: PathResult[] = targets.map((t, i) => ({
      id: t.id,
      url: t.iceServer.urls,
      kind: t.kind,
      gathered: true,
      firstCandidateMs: 10,
      proof: t.kind === 'stun' ? null : { ok: true, rttMs: 1.5 + i, selectedPair: null, assertions: [] },
      throughputKbps: null,
    }));
    const series = [{ pathId: 'loopback', samples: throughputSamples?.samples ?? [{ tMs: 100, kbps: 1 }] }];
    const state = await page.evaluate(
      ({ candidates, targets, paths, series }) => {
        const charts = (globalThis as unknown as Loaded).iceDoctorModules.charts();
        charts.waterfall(candidates, targets, paths);
        charts.rtt(paths);
        charts.throughput(series, paths);
        return [...document.querySelectorAll<HTMLCanvasElement>('.test-charts canvas')].map((c) => ({
          chart: c.dataset.chart ?? '',
          drawn: c.dataset.drawn,
          label: c.getAttribute('aria-label'),
        }));
      },
      { candidates, targets, paths, series },
    );
    expect(state.map((s) => [s.chart, s.drawn])).toEqual([
      ['waterfall', 'true'],
      ['rtt', 'true'],
      ['throughput', 'true'],
    ]);
    for (const s of state)
      expect(await paintedPixels(page, s.chart), `${s.chart} painted`).toBeGreaterThan(500);
    expect(state[0]?.label).toContain('TURN/UDP on 100.64.90.1:3478: host 4 ms, relay 25 ms');
    expect(state[1]?.label).toContain('TURN/UDP on 100.64.90.1:3478: 2.5 ms');
    expect(csp).toEqual([]);
  });

  it('charts with nothing to draw: a note instead of an empty canvas, data-drawn stays false', async () => {
    const state = await page.evaluate(() => {
      const charts = (globalThis as unknown as Loaded).iceDoctorModules.charts();
      charts.waterfall([], [], []);
      charts.rtt([]);
      charts.throughput([], []);
      const last = [...document.querySelectorAll('section.test-charts')].at(-1);
      return [...(last?.querySelectorAll('figure') ?? [])].map((f) => ({
        drawn: f.querySelector('canvas')?.dataset.drawn,
        note: f.querySelector<HTMLElement>('.chart-empty')?.hidden === false,
      }));
    });
    expect(state).toEqual([
      { drawn: 'false', note: true },
      { drawn: 'false', note: true },
      { drawn: 'false', note: true },
    ]);
  });

  it('the real page: once its run is done, the three charts are drawn from its own results', async () => {
    const { page: real } = await openReport(browser.context, served.url);
    for (const chart of ['waterfall', 'rtt', 'throughput']) {
      expect(await real.getAttribute(`canvas[data-chart="${chart}"]`, 'data-drawn'), chart).toBe('true');
      expect(await paintedPixels(real, chart), `${chart} painted`).toBeGreaterThan(500);
    }
    expect(await real.getAttribute('canvas[data-chart="rtt"]', 'aria-label')).toMatch(/\d ms/);
  });
});
