import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDualStackReportPageServer } from '../../lab/dual-stack.js';
import { labAvailable } from '../../src/lab/available.js';
import { applyScenario } from '../../src/lab/scenarios.js';
import { createLab, destroyLab, type Lab } from '../../src/lab/topology.js';
import { ADDR6 } from '../../src/lab/topology-ipv6.js';
import { chromiumAvailable, launchChromium, type RunningChromium } from '../e2e/chromium.js';
import { downloadReport, openReport } from '../e2e/report-page.js';

// Issue 16 §2 on the report page: Debian's Chromium in a dual-stack lan gathers candidates of both families
// from the bundled server (serving STUN/TURN on two IPv4 and two IPv6 addresses in pub), and the plain
// answer's IPv6 line (`li[data-key="ipv6"]`) says IPv6 works, with the address the server saw.

const available = (await labAvailable()) && chromiumAvailable();
const TEST_TIMEOUT_MS = 150_000;

describe.skipIf(!available)('report page in a dual-stack lab (Chromium)', () => {
  let lab: Lab;
  let url: string;
  let browser: RunningChromium | undefined;

  beforeAll(async () => {
    lab = await createLab({ ipv6: true });
    url = await startDualStackReportPageServer(lab);
  }, 60_000);

  afterEach(async () => {
    await browser?.close();
    browser = undefined;
  });

  afterAll(async () => {
    if (lab) await destroyLab(lab);
  });

  it.each([
    { scenario: 'ipv6-firewall', mapped: ADDR6.lanGlobalHost },
    { scenario: 'nat66', mapped: ADDR6.routerPub },
  ] as const)(
    '$scenario: an IPv6 srflx candidate with $mapped, and the IPv6 line says IPv6 works',
    async ({ scenario, mapped }) => {
      await applyScenario(lab, scenario);
      browser = await launchChromium({ netns: lab.ns.lan });
      const opened = await openReport(browser.context, url);
      const line = opened.page.locator('#answer-body li[data-key="ipv6"]');
      expect(await line.getAttribute('data-mark')).toBe('ok');
      expect(await line.textContent()).toContain(`IPv6 works from here`);
      expect(await line.textContent()).toContain(`[${mapped}]:`);
      const report = await downloadReport(opened.page);
      const srflx6 = report.candidates.filter((c) => c.type === 'srflx' && c.address.includes(':'));
      expect(srflx6.length).toBeGreaterThan(0);
      expect(new Set(srflx6.map((c) => c.address))).toEqual(new Set([mapped]));
      // The IPv4 side is still the masquerade's public address.
      expect(report.publicAddress?.address).toBe('203.0.113.1');
    },
    TEST_TIMEOUT_MS,
  );
});
