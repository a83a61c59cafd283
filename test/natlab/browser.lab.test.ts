import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lab/paths.js';
import { startReportPageServer } from '../../lab/servers.js';
import { labAvailable } from '../../src/lab/available.js';
import { applyScenario, type Scenario } from '../../src/lab/scenarios.js';
import { ADDR, createLab, destroyLab, type Lab, type Role, SITE_ADDR } from '../../src/lab/topology.js';
import { chromiumAvailable, launchChromium, type RunningChromium } from '../e2e/chromium.js';
import { downloadReport, openReport, paintedPixels } from '../e2e/report-page.js';
import { runTwoPeer } from '../e2e/two-peer-driver.js';

// The report page in real browsers behind real Linux NATs: Debian's Chromium runs inside the lab's `lan`,
// `lan2` and `pub` namespaces; ice-doctor serve (STUN/TURN + the page) runs in `pub` on 203.0.113.10/.11.
// The lan egress guards keep every browser packet inside the lab.

const available = (await labAvailable()) && chromiumAvailable();
const SCREENSHOTS = join(REPO_ROOT, 'test-results');
const TEST_TIMEOUT_MS = 150_000;

describe.skipIf(!available)('report page in the NAT lab (Chromium)', () => {
  let lab: Lab;
  let url: string;
  let browsers: RunningChromium[] = [];

  beforeAll(async () => {
    lab = await createLab({ sites: 2 });
    url = await startReportPageServer(lab);
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 60_000);

  afterEach(async () => {
    await Promise.all(browsers.map((b) => b.close()));
    browsers = [];
  });

  afterAll(async () => {
    if (lab) await destroyLab(lab);
  });

  async function browserIn(role: Role): Promise<RunningChromium> {
    const ns = lab.ns[role];
    if (ns === undefined) throw new Error(`no ${role} namespace`);
    const browser = await launchChromium({ netns: ns });
    browsers.push(browser);
    return browser;
  }

  /** The finished page in `scenario`: screenshot saved, verdict text present, a chart drawn. */
  async function checkFinishedPage(page: Page, scenario: Scenario, verdictText: string): Promise<void> {
    const file = join(SCREENSHOTS, `natlab-${scenario}.png`);
    const png = await page.screenshot({ path: file, fullPage: true });
    expect(png.length, `screenshot ${file}`).toBeGreaterThan(20_000);
    expect(verdictText.length, 'verdict text').toBeGreaterThan(20);
    expect(await page.locator('[data-verdict]').isVisible()).toBe(true);
    expect(await paintedPixels(page, 'waterfall'), 'waterfall chart painted').toBeGreaterThan(500);
  }

  it(
    'scenario 1 (masquerade): Chromium in lan gathers a srflx candidate with the NAT public address',
    async () => {
      await applyScenario(lab, 'masquerade');
      const lan = await browserIn('lan');
      const opened = await openReport(lan.context, url);
      const report = await downloadReport(opened.page);
      const srflx = report.candidates.filter((c) => c.type === 'srflx');
      expect(srflx.map((c) => c.address)).toContain(ADDR.routerPub);
      expect(report.publicAddress?.address).toBe(ADDR.routerPub);
      expect(report.natPresent).toBe(true);
      expect(report.mapping).toBe('endpoint-independent');
      expect(report.udp).toBe(true);
      await checkFinishedPage(opened.page, 'masquerade', opened.verdict.text);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'scenario 1: two-peer test between lan and pub selects a non-relay pair',
    async () => {
      await applyScenario(lab, 'masquerade');
      const [pub, lan] = [await browserIn('pub'), await browserIn('lan')];
      const { inviter, invitee } = await runTwoPeer(pub.context, lan.context, url);
      for (const view of [inviter, invitee]) {
        expect(view.state).toBe('connected');
        expect(view.localType).not.toBe('relay');
        expect(view.remoteType).not.toBe('relay');
      }
      // lan's side: its host candidate (pub learns it as prflx) or its srflx. pub's side: its host address,
      // which pub's own STUN server may also report as srflx (pub has two addresses on one segment).
      for (const view of [inviter, invitee]) expect(['host', 'srflx', 'prflx']).toContain(view.localType);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'scenario 2 (symmetric) at both sites: two-peer test between lan and lan2 needs relay',
    async () => {
      const [site0, site1] = lab.sites;
      await applyScenario(lab, 'masquerade-random', site0);
      await applyScenario(lab, 'masquerade-random', site1);
      const [lan, lan2] = [await browserIn('lan'), await browserIn('lan2')];
      const { inviter, invitee } = await runTwoPeer(lan.context, lan2.context, url);
      for (const view of [inviter, invitee]) {
        expect(view.state, view.text).toBe('connected');
        expect([view.localType, view.remoteType], `${inviter.text} | ${invitee.text}`).toContain('relay');
      }
      const opened = await openReport(lan.context, url);
      const report = await downloadReport(opened.page);
      expect(report.mapping, 'symmetric NAT: mapping varies by destination').not.toBe('endpoint-independent');
      expect(report.publicAddress?.address).toBe(SITE_ADDR[0].routerPub);
      await checkFinishedPage(opened.page, 'masquerade-random', opened.verdict.text);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'scenario 5 (UDP dropped): two-peer test between lan and pub relays over TURN/TCP or TURN/TLS',
    async () => {
      await applyScenario(lab, 'udp-dropped');
      const [pub, lan] = [await browserIn('pub'), await browserIn('lan')];
      const { inviter, invitee } = await runTwoPeer(pub.context, lan.context, url);
      expect(inviter.state).toBe('connected');
      expect(invitee.state).toBe('connected');
      expect(invitee.localType).toBe('relay');
      expect(['tcp', 'tls']).toContain(invitee.relayProtocol);
      const opened = await openReport(lan.context, url);
      const report = await downloadReport(opened.page);
      expect(report.udp).toBe(false);
      expect(['udp-blocked-tls-works', 'udp-blocked-tcp-works']).toContain(opened.verdict.code);
      await checkFinishedPage(opened.page, 'udp-dropped', opened.verdict.text);
    },
    TEST_TIMEOUT_MS,
  );
});
