import type { Page, Response } from 'playwright-core';
import { CLI_PATH } from '../../lab/paths.js';
import { type LabProcess, startInNs } from '../../src/lab/processes.js';
import { SANDBOX_IP } from './sandbox.js';

/**
 * Helpers of the report page's loopback tests: `ice-doctor serve` inside a sandbox namespace, and a page
 * instrumented before its own script runs (CSP violations, the `data-phase` sequence), timed from navigation
 * to `data-verdict`.
 */

/** A `serve` process in a sandbox and the page URL it printed. */
export interface ServedPage {
  readonly serve: LabProcess;
  readonly url: string;
  /** The HTTPS page URL from the same line (`(or https://…/…)`), or null when serve printed none. */
  readonly httpsUrl: string | null;
}

/**
 * Starts `node dist/cli.js serve --listen 100.64.90.1 [--allow-peer 100.64.0.0/10] <args>` in namespace `ns`
 * (text output, as a user runs it) and reads the URL from its `Open http://… in a browser` line.
 * @param allowPeer relay to the sandbox's addresses (default true); without it the server's default peer
 * policy refuses them, so no relay proof can connect.
 * @param listen the `--listen` address (default the sandbox's); null for none: serve's default, 127.0.0.1, as
 * the README's Quick start runs it (then `allowPeer` is ignored: the loopback default lets relays reach each
 * other).
 * @throws Error when no such line appears within 20 s (the process is stopped).
 */
export async function servePage(
  ns: string,
  args: readonly string[],
  allowPeer = true,
  listen: string | null = SANDBOX_IP,
): Promise<ServedPage> {
  const serve = startInNs(ns, 'serve', process.execPath, [
    CLI_PATH,
    'serve',
    ...(listen === null ? [] : ['--listen', listen, ...(allowPeer ? ['--allow-peer', '100.64.0.0/10'] : [])]),
    ...args,
  ]);
  try {
    const line = await serve.waitForLine((l) => l.startsWith('Open '), 20_000);
    const url = /^Open (http:\/\/\S+\/) in a browser/.exec(line)?.[1];
    if (!url) throw new Error(`serve printed no page URL: ${line}`);
    return { serve, url, httpsUrl: /\(or (https:\/\/[^\s,)]+\/)/.exec(line)?.[1] ?? null };
  } catch (err) {
    await serve.stop();
    throw err;
  }
}

/** What the init script records in the page: CSP violations and each `body[data-phase]` value in turn. */
export interface PageRecord {
  csp: string[];
  phases: string[];
}

/**
 * Runs before the page's own script (a devtools init script, outside the page's CSP): records every
 * `securitypolicyviolation` event and every change of `body[data-phase]` in `window.__record`.
 */
const RECORDER = `(() => {
  const record = { csp: [], phases: [] };
  window.__record = record;
  document.addEventListener('securitypolicyviolation', (e) =>
    record.csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));
  const note = () => {
    const phase = document.body && document.body.dataset.phase;
    if (phase && record.phases[record.phases.length - 1] !== phase) record.phases.push(phase);
  };
  new MutationObserver(note).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-phase'] });
})()`;

/** An instrumented page: console CSP messages are collected too. */
export interface InstrumentedPage {
  readonly page: Page;
  /** Console messages about the Content Security Policy (none expected). */
  readonly cspConsole: string[];
  /** The page's record (see {@link PageRecord}). */
  record(): Promise<PageRecord>;
}

/** Adds the recorder to `page` and collects console messages that mention the CSP. */
export async function instrument(page: Page): Promise<InstrumentedPage> {
  const cspConsole: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) cspConsole.push(m.text());
  });
  await page.addInitScript(RECORDER);
  return {
    page,
    cspConsole,
    record: () => page.evaluate('window.__record') as Promise<PageRecord>,
  };
}

/** A navigation timed to the verdict. */
export interface TimedVerdict {
  /** Wall time from `page.goto` to the test seeing `[data-verdict]`, in ms. */
  seenMs: number;
  /** The page's own `body[data-verdict-ms]`: ms since navigation start (`performance.now()`) at the verdict. */
  inPageMs: number;
  code: string;
  /** The `/api/ice-servers` response the page used (to know its credentials). */
  iceServers: unknown;
}

/**
 * Navigates `page` to `url` and waits for `#verdict[data-verdict]`, polling every 10 ms (Playwright's default
 * `requestAnimationFrame` polling lags by hundreds of ms in headless Chromium while the page is busy).
 * @throws Error (Playwright TimeoutError) when no verdict appears within `timeoutMs`.
 */
export async function openTimed(page: Page, url: string, timeoutMs = 20_000): Promise<TimedVerdict> {
  const ice = page.waitForResponse((r: Response) => r.url().endsWith('/api/ice-servers'), {
    timeout: timeoutMs,
  });
  const started = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('#verdict[data-verdict]') !== null, undefined, {
    timeout: timeoutMs,
    polling: 10,
  });
  const seenMs = Date.now() - started;
  const inPageMs = Number(await page.getAttribute('body', 'data-verdict-ms'));
  const code = (await page.getAttribute('#verdict', 'data-verdict')) ?? '';
  return { seenMs, inPageMs, code, iceServers: await (await ice).json() };
}

/** Waits until the page's run is over (`body[data-phase=done]`). */
export async function untilDone(page: Page, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.phase === 'done', undefined, {
    timeout: timeoutMs,
    polling: 50,
  });
}
