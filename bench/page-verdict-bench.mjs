// Report page benchmark (issue 14, "verdict within 2 s of navigation"): Debian's Chromium opens the page of
// `ice-doctor serve` running on this host on loopback (the README's Quick start, the machine's real
// interfaces present, no namespace), a fresh browser context per run (cold cache), and times from
// `page.goto` to `#verdict[data-verdict]`, with the page's DOMContentLoaded and its in-page verdict time
// (`body[data-verdict-ms]`, ms since navigation start). Two builds of the page run side by side, interleaved
// (run i opens each once), after one warm-up each: this checkout's dist/ ("current") and a baseline — by
// default the page as it was bundled before (one app.js with chart.js and every zod locale,
// `scripts/build-page.mjs --baseline`, beside a copy of this dist/), or any other dist/ given with --baseline-dist
// (e.g. the previous commit's build).
// Writes bench/results/page-verdict-<label>-<timestamp>.json (median and p95 of each) and prints a table.
//
// Usage: `node --import tsx bench/page-verdict-bench.mjs [--runs N] [--label NAME] [--baseline-dist DIR]`
//   --runs           runs per build (default 10; env BENCH_RUNS)
//   --label          a word in the result file name (default "current")
//   --baseline-dist  a built dist/ folder (cli.js, web/public) to compare with, instead of building one
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH, QUIET_CHROMIUM_FLAGS } from '../lab/chromium-flags.ts';
import { buildPage } from '../scripts/build-page.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: process.env.BENCH_RUNS ?? '10' },
    label: { type: 'string', default: 'current' },
    'baseline-dist': { type: 'string' },
  },
});
const runs = Math.min(Math.max(Number.parseInt(values.runs, 10) || 10, 1), 100);
const DIST = new URL('../dist/', import.meta.url);

/** A dist/ whose page is the baseline build: a copy of this dist/ (inside the repository, so node_modules resolve). */
async function baselineDist() {
  if (values['baseline-dist']) return pathToFileURL(`${values['baseline-dist'].replace(/\/?$/, '/')}`);
  const dir = new URL('../node_modules/.cache/ice-doctor-page-bench/dist/', import.meta.url);
  rmSync(dir, { recursive: true, force: true });
  cpSync(DIST, dir, { recursive: true });
  await buildPage(new URL('web/public/', dir), { baseline: true });
  return dir;
}

/** Bytes of the page's JavaScript in `dist`: app.js (on the verdict's path) and the lazily loaded chunks. */
function scriptBytes(dist) {
  const pub = new URL('web/public/', dist);
  const js = readdirSync(pub).filter((f) => f.endsWith('.js'));
  const size = (f) => statSync(new URL(f, pub)).size;
  return {
    appJs: size('app.js'),
    appJsBr: size('app.js.br'),
    lazyChunks: js.filter((f) => f !== 'app.js').reduce((n, f) => n + size(f), 0),
  };
}

/** Starts `serve` of `dist` on loopback (free ports) and resolves with its page URL and a stop function. */
async function startServe(dist) {
  const child = spawn(
    process.execPath,
    [
      new URL('cli.js', dist).pathname,
      'serve',
      '--port',
      '0',
      '--report-port',
      '0',
      '--report-https-port',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('serve printed no page URL within 20 s')), 20_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^Open (http:\/\/\S+\/) in a browser/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code} before printing its page URL`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** One cold navigation: ms from page.goto to `[data-verdict]`, DOMContentLoaded, the in-page verdict time. */
async function timeOnce(browser, url) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction(() => document.querySelector('#verdict[data-verdict]') !== null, undefined, {
      timeout: 20_000,
      polling: 10,
    });
    const gotoToVerdictMs = performance.now() - started;
    const inPage = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        domContentLoadedMs: nav ? nav.domContentLoadedEventEnd : null,
        verdictMs: Number(document.body.dataset.verdictMs),
        code: document.querySelector('#verdict')?.getAttribute('data-verdict') ?? '',
      };
    });
    return { gotoToVerdictMs, ...inPage };
  } finally {
    await context.close();
  }
}

const round = (x) => Math.round(x * 10) / 10;
/** Median, p95 (nearest rank), min, max and the samples of a list of timings in ms. */
function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)];
  return {
    medianMs: round(median),
    p95Ms: round(p95),
    minMs: round(sorted[0]),
    maxMs: round(sorted.at(-1)),
    samplesMs: samples.map(round),
  };
}

const builds = { current: DIST, baseline: await baselineDist() };
const servers = {};
let browser;
try {
  for (const [name, dist] of Object.entries(builds)) servers[name] = await startServe(dist);
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...QUIET_CHROMIUM_FLAGS, '--ignore-certificate-errors'],
  });
  for (const name of Object.keys(builds)) await timeOnce(browser, servers[name].url);
  const samples = Object.fromEntries(Object.keys(builds).map((n) => [n, []]));
  for (let i = 0; i < runs; i++)
    for (const name of Object.keys(builds)) samples[name].push(await timeOnce(browser, servers[name].url));
  const result = {
    bench: 'page-verdict',
    label: values.label,
    date: new Date().toISOString(),
    runs,
    browser: `Chromium ${browser.version()}`,
    setup:
      'serve on this host (127.0.0.1, free ports), page over http://127.0.0.1, a fresh browser context per run',
    builds: Object.fromEntries(
      Object.entries(builds).map(([name, dist]) => [
        name,
        {
          dist: dist.pathname,
          bytes: scriptBytes(dist),
          verdictCodes: [...new Set(samples[name].map((s) => s.code))],
          gotoToVerdict: stats(samples[name].map((s) => s.gotoToVerdictMs)),
          domContentLoaded: stats(samples[name].map((s) => s.domContentLoadedMs)),
          inPageVerdict: stats(samples[name].map((s) => s.verdictMs)),
        },
      ]),
    ),
  };
  const dir = new URL('results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`page-verdict-${values.label}-${result.date.replace(/[:.]/g, '-')}.json`, dir);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`page verdict, ${runs} cold runs each (${result.browser}); ms, median / p95`);
  for (const [name, b] of Object.entries(result.builds))
    console.log(
      `${name.padEnd(9)} goto→verdict ${b.gotoToVerdict.medianMs} / ${b.gotoToVerdict.p95Ms}   DOMContentLoaded ${b.domContentLoaded.medianMs} / ${b.domContentLoaded.p95Ms}   in-page verdict ${b.inPageVerdict.medianMs} / ${b.inPageVerdict.p95Ms}   app.js ${b.bytes.appJs} B   codes ${b.verdictCodes.join(',')}`,
    );
  console.log(`written to ${file.pathname}`);
} finally {
  await browser?.close();
  for (const s of Object.values(servers)) await s.stop();
}
