/**
 * The visitor's own servers in the report page, end to end in Debian's Chromium: two coturn TURN servers the
 * page does not know of (a static user over UDP, a TURN REST secret over TCP; visitor-coturn.ts) are entered
 * through the form and once through a `#servers=` link; each is tested and proved like the bundled server;
 * the relay-only policy makes the page's own call select relay ↔ relay; and a recorder of every request and
 * WebSocket frame the page sends shows that no credential, secret or minted credential left the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coturnAvailable } from '../../lab/coturn.js';
import type { BrowserReport } from '../../src/report/browser-schema.js';
import { encodeServersFragment } from '../../src/web/page/visitor-servers/codec.js';
import { chromiumAvailable, launchChromium, type RunningChromium } from './chromium.js';
import { downloadReport } from './report-page.js';
import { untilDone } from './report-page-harness.js';
import { recordTraffic, type TrafficRecorder } from './traffic-recorder.js';
import { mintedOf, neverSent, provedVisitorPaths, type SeenServer } from './visitor-checks.js';
import {
  REST_SECRET,
  REST_URL,
  STATIC_PASSWORD,
  STATIC_URL,
  STATIC_USER,
  startVisitorLab,
  type VisitorLab,
  visitorSettings,
} from './visitor-coturn.js';

const canRun = chromiumAvailable() && coturnAvailable && process.getuid?.() === 0;

/** Records the `iceServers` of every `RTCPeerConnection` the page creates, in `window.__iceServers`. */
const ICE_SERVERS_SPY = `(() => {
  const seen = [];
  window.__iceServers = seen;
  window.RTCPeerConnection = new Proxy(window.RTCPeerConnection, {
    construct(target, args) {
      seen.push(...((args[0] && args[0].iceServers) || []).map((s) => ({ ...s })));
      return Reflect.construct(target, args);
    },
  });
})()`;

/** A fresh page with the spy and a traffic recorder. */
async function spiedPage(browser: RunningChromium) {
  const page = await browser.context.newPage();
  await page.addInitScript(ICE_SERVERS_SPY);
  const traffic = recordTraffic(page);
  const servers = async (): Promise<SeenServer[]> =>
    page.evaluate('window.__iceServers') as Promise<SeenServer[]>;
  return { page, traffic, servers };
}

/** The visitor paths of a report: both proved through the coturn they name, over UDP and TCP. */
function expectVisitorProofs(report: BrowserReport): void {
  const visitor = provedVisitorPaths(report);
  for (const p of visitor) expect(p.proof?.selectedPair?.url).toBe(p.url);
  expect(visitor.map((p) => p.proof?.selectedPair?.relayProtocol)).toEqual(['udp', 'tcp']);
  expect(report.paths.filter((p) => p.server === 'bundled').length).toBeGreaterThan(0);
}

/**
 * Asserts that nothing the page sent carries `needles`, and that the recorder did see the page's traffic: the
 * API requests, and the two-peer invite's signaling frame, which carries the bundled server's TURN credential
 * (in `seen`, minted by ice-doctor's server for this page) — the control that the recorder reads frame contents.
 */
async function expectNothingSent(
  traffic: TrafficRecorder,
  needles: readonly string[],
  seen: readonly SeenServer[],
): Promise<void> {
  const sent = await traffic.sent();
  expect(sent.some((s) => s.what.includes('/api/ice-servers'))).toBe(true);
  const bundled = seen.find(
    (s) => s.urls.startsWith('turn:') && s.urls !== STATIC_URL && s.urls !== REST_URL,
  );
  expect(bundled?.credential).toBeTruthy();
  const control = await traffic.carrying([bundled?.credential ?? '']);
  expect(
    control.some((c) => c.what.startsWith('frame to ws')),
    JSON.stringify(control),
  ).toBe(true);
  expect(await traffic.carrying(needles)).toEqual([]);
}

describe.skipIf(!canRun)(
  'report page: the visitor’s own TURN servers (Chromium, coturn in a sandbox)',
  () => {
    let lab: VisitorLab;
    let browser: RunningChromium;

    beforeAll(async () => {
      lab = await startVisitorLab();
      browser = await launchChromium({ netns: lab.served.sandbox.ns });
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await lab?.close();
    });

    it('entered through the form with relay-only policy: both proved, the call is relay ↔ relay, nothing sent to the server', async () => {
      const { page, traffic, servers } = await spiedPage(browser);
      await page.goto(lab.served.httpsUrl);
      await untilDone(page);
      const row1 = page.locator('#your-servers-list li.your-server').nth(0);
      await row1.locator('input[name=urls]').fill(STATIC_URL);
      await row1.locator('select[name=auth]').selectOption('static');
      await row1.locator('input[name=username]').fill(STATIC_USER);
      await row1.locator('input[name=credential]').fill(STATIC_PASSWORD);
      await page.click('#your-servers-add');
      const row2 = page.locator('#your-servers-list li.your-server').nth(1);
      await row2.locator('input[name=urls]').fill(REST_URL);
      await row2.locator('select[name=auth]').selectOption('rest');
      expect(await row2.locator('input[name=username]').isVisible()).toBe(false);
      await row2.locator('input[name=secret]').fill(REST_SECRET);
      await page.check('#your-servers-policy input[value=relay]');
      await Promise.all([page.waitForEvent('load'), page.click('#your-servers-run')]);
      expect(page.url()).toContain('#servers=');
      await untilDone(page);

      const call = page.locator('#your-servers-call');
      expect(await call.getAttribute('data-policy')).toBe('relay');
      expect(await page.textContent('#pair-policy-note')).toMatch(/relay candidates only/);
      expect(await call.getAttribute('data-local-type'), (await call.textContent()) ?? '').toBe('relay');
      expect(await call.getAttribute('data-remote-type')).toBe('relay');
      for (const id of ['visitor-turn-udp-1', 'visitor-turn-tcp-1'])
        expect(await page.getAttribute(`#paths tr[data-path="${id}"]`, 'data-proof'), id).toBe('ok');

      const report = await downloadReport(page);
      expectVisitorProofs(report);
      expect(report.iceTransportPolicy).toBe('relay');
      expect(report.selectedPair?.localType).toBe('relay');
      expect(report.selectedPair?.remoteType).toBe('relay');

      const minted = mintedOf(await servers());
      const needles = neverSent(minted, new URL(page.url()).hash);
      const json = JSON.stringify(report);
      for (const n of needles) expect(json).not.toContain(n);
      // A signaling frame too: the two-peer invite sends the page's (bundled) credentials, never the visitor's.
      await page.click('#invite');
      await page.waitForFunction(
        () => (document.querySelector<HTMLInputElement>('#invite-url')?.value ?? '') !== '',
      );
      await expectNothingSent(traffic, needles, await servers());

      // The list and the policy were saved in this browser: the bare page shows them again.
      const again = await browser.context.newPage();
      await again.goto(lab.served.httpsUrl);
      await untilDone(again);
      expect(
        await again
          .locator('#your-servers-list input[name=urls]')
          .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
      ).toEqual([STATIC_URL, REST_URL]);
      expect(await again.isChecked('#your-servers-policy input[value=relay]')).toBe(true);
      await again.close();
      await page.close();
    }, 120_000);

    it('opened from a #servers= link (policy all): both proved, the REST credential minted in the page, nothing sent', async () => {
      const { page, traffic, servers } = await spiedPage(browser);
      const fragment = encodeServersFragment(visitorSettings('all'));
      await page.goto(`${lab.served.httpsUrl}${fragment}`);
      await untilDone(page);
      const report = await downloadReport(page);
      expectVisitorProofs(report);
      expect(report.iceTransportPolicy).toBe('all');
      expect(await page.getAttribute('#your-servers-call', 'data-policy')).toBe('all');
      const minted = mintedOf(await servers());
      await page.click('#invite');
      await page.waitForFunction(
        () => (document.querySelector<HTMLInputElement>('#invite-url')?.value ?? '') !== '',
      );
      await expectNothingSent(traffic, neverSent(minted, fragment), await servers());
      await page.close();
    }, 90_000);

    it('a garbled #servers= link is ignored with a message and the page still runs; on http:// minting asks for HTTPS', async () => {
      const page = await browser.context.newPage();
      await page.goto(`${lab.served.httpsUrl}#servers=not-base64!`);
      await untilDone(page);
      expect(await page.textContent('#your-servers-notes')).toMatch(/damaged.*ignored/);
      expect(await page.getAttribute('#verdict', 'data-verdict')).not.toBeNull();

      await page.goto(`${lab.served.url}${encodeServersFragment(visitorSettings('all'))}`);
      await untilDone(page);
      expect(await page.textContent('#your-servers-problems')).toMatch(
        /Server 2, shared secret: no credential could be minted .*HTTPS or localhost.*Open this page over HTTPS: https:\/\//,
      );
      expect(await page.getAttribute('#paths tr[data-path="visitor-turn-udp-1"]', 'data-proof')).toBe('ok');
      expect(await page.locator('#paths tr[data-path="visitor-turn-tcp-1"]').count()).toBe(0);
      await page.close();
    }, 90_000);
  },
);
