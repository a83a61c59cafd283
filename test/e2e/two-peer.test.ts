/**
 * The report page's two-peer test between two separate Chromium instances, with `ice-doctor serve` — all
 * inside one sealed sandbox namespace (sandbox.ts; mDNS off, so host candidates carry the sandbox's
 * address), on the real page (main.ts mounts ui/two-peer.ts in `#peer`): one page clicks `#invite`, the
 * other opens the room link; both reach `connected` with a host ↔ host pair, show both views and export
 * the pair as the report's `peer`; a page that leaves, a room that does not exist, a damaged link and a
 * peer that never answers (the 15 s deadline) end in plain words.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, type RunningChromium } from './chromium.js';
import { blankPageUrl } from './page-modules.js';
import { downloadReport } from './report-page.js';
import { type SandboxedServe, serveInSandbox } from './sandbox-serve.js';

const canRun = chromiumAvailable() && process.getuid?.() === 0;

/** How long a page may take to reach `connected` or `failed`, in ms (the call's own deadline is 15 s). */
const OUTCOME_MS = 25_000;

/**
 * How long a connected page may take to show its final pair, in ms: a remote candidate learnt from a check
 * before its trickled copy arrived reads `prflx` until the next stats poll (500 ms) after that copy.
 */
const SETTLE_MS = 3000;

interface Outcome {
  localType: string | null;
  remoteType: string | null;
  relayProtocol: string | null;
  status: string;
}

/** What `#peer-result` shows now. */
async function shown(page: Page): Promise<Outcome> {
  const el = page.locator('#peer-result');
  return {
    localType: await el.getAttribute('data-local-type'),
    remoteType: await el.getAttribute('data-remote-type'),
    relayProtocol: await el.getAttribute('data-relay-protocol'),
    status: (await page.textContent('#peer-result .peer-status')) ?? '',
  };
}

/** Waits until `#peer-result` has `data-state=state`, then returns what it shows. */
async function outcome(page: Page, state: 'connected' | 'failed'): Promise<Outcome> {
  await page.waitForSelector(`#peer-result[data-state="${state}"]`, { timeout: OUTCOME_MS });
  return shown(page);
}

describe.skipIf(!canRun)('two-peer test between two Chromium instances, inside a sandbox namespace', () => {
  let served: SandboxedServe;
  let inviter: RunningChromium;
  let invitee: RunningChromium;

  /** Opens the report page at `url` in a new tab of `browser`. */
  async function open(browser: RunningChromium, url: string): Promise<Page> {
    const page = await browser.context.newPage();
    await page.goto(url);
    return page;
  }

  /** Clicks `#invite` in a fresh inviter page and returns it with the room link. */
  async function invite(): Promise<{ page: Page; link: string }> {
    const page = await open(inviter, served.url);
    await page.click('#invite');
    await page.waitForSelector('#invite-url:visible, #peer-result[data-state="failed"]', { timeout: 10_000 });
    const link = await page.inputValue('#invite-url');
    expect(link, (await page.textContent('#peer-result .peer-status')) ?? '').not.toBe('');
    return { page, link };
  }

  beforeAll(async () => {
    served = await serveInSandbox();
    [inviter, invitee] = await Promise.all([
      launchChromium({ netns: served.sandbox.ns }),
      launchChromium({ netns: served.sandbox.ns }),
    ]);
  });

  afterAll(async () => {
    await inviter?.close();
    await invitee?.close();
    await served?.close();
  });

  it('invite → open the link in another browser: both connected, host ↔ host, both views on both pages and in the export', async () => {
    const started = Date.now();
    const a = await invite();
    expect(a.link).toMatch(new RegExp(`^${served.url.replace(/[.]/g, '\\.')}#room=[A-Za-z0-9_-]{16}$`));
    const linkOpened = Date.now();
    const b = await open(invitee, a.link);
    await Promise.all([outcome(a.page, 'connected'), outcome(b, 'connected')]);
    const connectedMs = Date.now() - started;
    const afterLinkMs = Date.now() - linkOpened;
    for (const page of [a.page, b])
      await expect
        .poll(() => shown(page), { timeout: SETTLE_MS })
        .toEqual({
          localType: 'host',
          remoteType: 'host',
          relayProtocol: null,
          status: 'Connected directly: host ↔ host over UDP.',
        });
    await expect.poll(() => b.locator('.peer-view-remote').isVisible()).toBe(true);
    await expect.poll(() => a.page.locator('.peer-view-remote').isVisible()).toBe(true);
    for (const page of [a.page, b])
      await expect
        .poll(
          async () =>
            (await page.locator('#peer-result dl').allInnerTexts()).map(
              (v) => v.includes('host ↔ host') && v.includes('100.64.90.1:'),
            ),
          { timeout: SETTLE_MS },
        )
        .toEqual([true, true]);
    const room = /#room=(.+)$/.exec(a.link)?.[1];
    const [ra, rb] = await Promise.all([downloadReport(a.page), downloadReport(b)]);
    const pair = { localType: 'host', remoteType: 'host', protocol: 'udp', relayProtocol: null };
    expect(ra.peer).toMatchObject({ room, role: 'broadcaster', selectedPair: pair });
    expect(rb.peer).toMatchObject({ room, role: 'watcher', selectedPair: pair });
    console.info(
      `two-peer: both connected ${afterLinkMs} ms after the link was opened (${connectedMs} ms after the inviter page)`,
    );

    await b.close();
    await expect
      .poll(() => a.page.textContent('#peer-result .peer-status'), { timeout: 10_000 })
      .toBe('The other browser left; the result above stands. The link still works for another test.');
    expect(await a.page.getAttribute('#peer-result', 'data-state')).toBe('connected');
  });

  it('the inviting page closes after the call connected: the invited page keeps its result and says so', async () => {
    const a = await invite();
    const b = await open(invitee, a.link);
    await Promise.all([outcome(a.page, 'connected'), outcome(b, 'connected')]);
    await a.page.close();
    await expect
      .poll(() => b.textContent('#peer-result .peer-status'), { timeout: 10_000 })
      .toBe('The inviting page was closed; the result above stands.');
    expect(await b.getAttribute('#peer-result', 'data-local-type')).toBe('host');
  });

  it('a link to a room that does not exist: failed, in plain words', async () => {
    const page = await open(invitee, `${served.url}#room=AAAAAAAAAAAAAAAA`);
    const v = await outcome(page, 'failed');
    expect(v.status).toBe(
      'Failed: this invitation link is no longer valid: its room does not exist (it may have expired); ask for a new link.',
    );
    expect(await page.isDisabled('#invite')).toBe(true);
  });

  it('a damaged link: failed before any signaling', async () => {
    const page = await open(invitee, `${served.url}#room=not-a-room`);
    expect((await outcome(page, 'failed')).status).toMatch(/^Failed: this invitation link is damaged/);
  });

  it('a peer that joins but never answers: the inviter fails at the 15 s deadline and says why', async () => {
    const a = await invite();
    const room = /#room=(.+)$/.exec(a.link)?.[1] ?? '';
    const silent = await open(invitee, blankPageUrl(served.url));
    const wsUrl = `${served.url.replace(/^http/, 'ws')}signal`;
    await silent.evaluate(
      ([url, id]) =>
        new Promise<void>((resolve) => {
          const ws = new WebSocket(url);
          ws.onopen = () => ws.send(JSON.stringify({ type: 'join', room: id }));
          ws.onmessage = () => resolve();
          Object.assign(globalThis, { silentPeer: ws });
        }),
      [wsUrl, room] as const,
    );
    await a.page.waitForSelector('#peer-result[data-state="connecting"]', { timeout: 5000 });
    const v = await outcome(a.page, 'failed');
    expect(v.status).toBe(
      'Failed: the other browser sent no offer or answer within 15 s: its page may have been closed, or it cannot run WebRTC.',
    );
    expect((await downloadReport(a.page)).peer).toEqual({ room, role: 'broadcaster', selectedPair: null });
  }, 40_000);
});
