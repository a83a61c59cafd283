// Runs the report page in Debian's Firefox ESR and prints what it showed as one JSON line on stdout:
//   ip netns exec <ns> node --import tsx test/e2e/firefox-driver.ts <page URL> [<prefs JSON>]
// <prefs JSON>: extra Firefox preferences, e.g. {"media.peerconnection.ice.loopback": true}.
// It runs inside the test's namespace together with Firefox, because puppeteer-core reaches Firefox over a
// WebDriver BiDi WebSocket on the namespace's own loopback. Exit 0 with the JSON line, 1 with a message.
import puppeteer from 'puppeteer-core';
import { BODY_UNREAD, FIREFOX_LAUNCH } from './firefox.js';

/** What the driver prints: the verdict, the share link's fragment (the full report) and the peer area. */
export interface FirefoxRun {
  /** The verdict code; empty when the page could not run (then `pageError` says why). */
  verdictCode: string;
  /** `#page-error`'s text when the page ended in `data-phase="failed"`, else null. */
  pageError: string | null;
  verdictText: string;
  /** ms from navigation to `data-verdict`, as the page measured it (`body[data-verdict-ms]`). */
  pageVerdictMs: number | null;
  /** The share link (the full report in its fragment); empty when the page could not run. */
  shareUrl: string;
  userAgent: string;
  /**
   * Everything the page sent: each request (`METHOD URL`, its headers as JSON, and {@link BODY_UNREAD} when
   * it had a body: puppeteer cannot read bodies over WebDriver BiDi) and each WebSocket
   * message (`ws <url> <data>`, recorded in the page by a spy on `WebSocket.prototype.send`).
   */
  sent: string[];
  /** The `iceServers` of every `RTCPeerConnection` the page created (a spy on its constructor). */
  iceServers: { urls: string; username?: string; credential?: string }[];
}

/** Runs before the page's script: records WebSocket messages and `RTCPeerConnection` configurations. */
const SPIES = `(() => {
  const spy = { ws: [], iceServers: [] };
  window.__driverSpy = spy;
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    spy.ws.push('ws ' + this.url + ' ' + (typeof data === 'string' ? data : '[binary]'));
    return send.call(this, data);
  };
  window.RTCPeerConnection = new Proxy(window.RTCPeerConnection, {
    construct(target, args) {
      spy.iceServers.push(...((args[0] && args[0].iceServers) || []).map((s) => ({ ...s })));
      return Reflect.construct(target, args);
    },
  });
})()`;

const TIMEOUT_MS = 40_000;

async function main(url: string, prefs: Record<string, unknown>): Promise<FirefoxRun> {
  const browser = await puppeteer.launch({
    ...FIREFOX_LAUNCH,
    extraPrefsFirefox: { ...FIREFOX_LAUNCH.extraPrefsFirefox, ...prefs },
  });
  try {
    const page = await browser.newPage();
    const requests: string[] = [];
    // BiDi reports a navigation's URL as navigated, fragment included; a fragment is never part of the HTTP
    // request (RFC 9110 §7.1: the request-target has no fragment), so it is left out of what was sent.
    page.on('request', (r) =>
      requests.push(
        `${r.method()} ${r.url().replace(/#.*$/, '')}\n${JSON.stringify(r.headers())}${r.hasPostData() ? `\n${BODY_UNREAD}` : ''}`,
      ),
    );
    await page.evaluateOnNewDocument(SPIES);
    await page.goto(url);
    await page.waitForSelector('[data-verdict], body[data-phase="failed"]', { timeout: TIMEOUT_MS });
    const userAgent = await page.evaluate(() => navigator.userAgent);
    if ((await page.$('body[data-phase="failed"]')) !== null) {
      const pageError = await page.$eval('#page-error', (el) => el.textContent ?? '');
      return {
        verdictCode: '',
        pageError,
        verdictText: '',
        pageVerdictMs: null,
        shareUrl: '',
        userAgent,
        sent: requests,
        iceServers: [],
      };
    }
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
    const spy = (await page.evaluate('window.__driverSpy')) as {
      ws: string[];
      iceServers: FirefoxRun['iceServers'];
    };
    return {
      verdictCode,
      pageError: null,
      verdictText,
      pageVerdictMs,
      shareUrl,
      userAgent,
      sent: [...requests, ...spy.ws],
      iceServers: spy.iceServers,
    };
  } finally {
    await browser.close();
  }
}

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: firefox-driver.ts <page URL>\n');
  process.exit(1);
}
main(url, JSON.parse(process.argv[3] ?? '{}') as Record<string, unknown>).then(
  (run) => process.stdout.write(`${JSON.stringify(run)}\n`),
  (err: unknown) => {
    process.stderr.write(`firefox-driver: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
