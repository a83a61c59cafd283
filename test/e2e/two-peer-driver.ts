import type { BrowserContext, Page } from 'playwright-core';

/** Longest wait for two pages to connect (or fail) through signaling, in ms. */
export const PEER_TIMEOUT_MS = 40_000;

/** What one page of the two-peer test shows about the pair ICE selected between the two browsers. */
export interface PeerView {
  state: string;
  localType: string | null;
  remoteType: string | null;
  relayProtocol: string | null;
  /** The result's text as the page shows it (the pair's addresses, RTT …), for failure messages. */
  text: string;
}

async function peerView(page: Page): Promise<PeerView> {
  const el = await page.waitForSelector(
    '#peer-result[data-state="connected"], #peer-result[data-state="failed"]',
    {
      timeout: PEER_TIMEOUT_MS,
    },
  );
  const attr = async (name: string) => (await el.getAttribute(name)) || null;
  return {
    state: (await attr('data-state')) ?? '',
    localType: await attr('data-local-type'),
    remoteType: await attr('data-remote-type'),
    relayProtocol: await attr('data-relay-protocol'),
    text: ((await el.textContent()) ?? '').replace(/\s+/g, ' ').trim(),
  };
}

/**
 * The page's two-peer test between two browsers: the inviter opens `url` and clicks `#invite`; the invitee
 * opens the room link from `#invite-url`; both wait until `#peer-result` is `connected` or `failed`.
 * @returns each side's view, the inviter (broadcaster) first, and both pages for screenshots.
 * @throws Error (Playwright TimeoutError) when no room link or no outcome appears in time.
 */
export async function runTwoPeer(
  inviter: BrowserContext,
  invitee: BrowserContext,
  url: string,
): Promise<{ inviter: PeerView; invitee: PeerView; pages: [Page, Page] }> {
  const a = await inviter.newPage();
  await a.goto(url);
  await a.click('#invite');
  const input = await a.waitForSelector('#invite-url', { timeout: PEER_TIMEOUT_MS });
  let link = '';
  const deadline = Date.now() + PEER_TIMEOUT_MS;
  while (link === '' && Date.now() < deadline) {
    link = await input.inputValue();
    if (link === '') await a.waitForTimeout(50);
  }
  if (link === '') throw new Error('no room link appeared in #invite-url');
  const b = await invitee.newPage();
  await b.goto(link);
  const [va, vb] = await Promise.all([peerView(a), peerView(b)]);
  return { inviter: va, invitee: vb, pages: [a, b] };
}
