import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../../lab/paths.js';
import { labAvailable } from '../../src/lab/available.js';
import { labProxyUrl } from '../../src/lab/scenario-proxy.js';
import { applyScenario } from '../../src/lab/scenarios.js';
import { ADDR, createLab, destroyLab, type Lab } from '../../src/lab/topology.js';
import { chromiumAvailable, launchChromium, type RunningChromium } from '../e2e/chromium.js';
import { downloadReport, openReport } from '../e2e/report-page.js';

// issue 16 §4, the page: Debian's Chromium in the proxy-only office's lan, with --proxy-server set to the
// office's squid (CONNECT to 443 only). The setup that keeps "only 443" honest for the page too: serve in
// pub runs TURN over TLS on 203.0.113.10:443 and the page over HTTPS on 203.0.113.11:443 (its signaling on
// wss:// there), so the page, its API and its WebSocket reach the browser through CONNECT to 443 like any
// web site; the STUN/TURN checks then run as in any office. The page must say that only TURN over TLS on 443
// works, from a relay candidate with relayProtocol tls that carried the echo.

const available = (await labAvailable()) && chromiumAvailable();
const PAGE_URL = `https://${ADDR.pubSecondary}/`;

describe.skipIf(!available)('report page in the proxy-only office (Chromium --proxy-server)', () => {
  let lab: Lab;
  let browser: RunningChromium | undefined;

  beforeAll(async () => {
    lab = await createLab();
    await applyScenario(lab, 'proxy-only');
    const proc = lab.start('pub', 'ice-doctor serve', process.execPath, [
      CLI_PATH,
      'serve',
      '--listen',
      ADDR.pubPrimary,
      '--port',
      '3478',
      '--tls-port',
      '443',
      '--report-host',
      ADDR.pubSecondary,
      '--report-port',
      '8080',
      '--report-https-port',
      '443',
      '--allow-peer',
      '203.0.113.0/24',
      '--json',
    ]);
    await proc.waitForLine((l) => l.trimStart().startsWith('{') && l.includes('"udp"'), 15_000);
  }, 60_000);

  afterEach(async () => {
    await browser?.close();
    browser = undefined;
  });

  afterAll(async () => {
    if (lab) await destroyLab(lab);
  });

  it('through the proxy: the page says only TURN over TLS on port 443 works (relay over tls)', async () => {
    browser = await launchChromium({
      netns: lab.ns.lan,
      extraArgs: [`--proxy-server=${labProxyUrl(lab.sites[0]!)}`],
    });
    const opened = await openReport(browser.context, PAGE_URL);
    const report = await downloadReport(opened.page);
    const context = JSON.stringify(report.verdict);
    expect(opened.verdict.code, context).toBe('only-tls-443');
    expect(report.verdict.text, context).toMatch(
      /^Only TURN over TLS on port 443 works from here \(through your proxy, if this browser uses one\): UDP is blocked and TURN over TCP on port 3478 did not connect\./,
    );
    expect(report.udp, context).toBe(false);
    const byKind = new Map(report.paths.map((p) => [p.kind, p]));
    const tls = byKind.get('turns');
    expect(tls?.url, context).toBe(`turns:${ADDR.pubPrimary}:443?transport=tcp`);
    expect(tls?.proof?.ok, context).toBe(true);
    expect(tls?.proof?.selectedPair?.localType, context).toBe('relay');
    expect(tls?.proof?.selectedPair?.relayProtocol, context).toBe('tls');
    expect(byKind.get('turn-tcp')?.gathered, context).toBe(false);
    expect(byKind.get('turn-udp')?.gathered, context).toBe(false);
    expect(byKind.get('stun')?.gathered, context).toBe(false);
  }, 150_000);

  it('without the proxy the page itself cannot be reached (nothing gets out)', async () => {
    browser = await launchChromium({ netns: lab.ns.lan });
    const page = await browser.context.newPage();
    await expect(page.goto(PAGE_URL, { timeout: 8000 })).rejects.toThrow();
  }, 60_000);
});
