/**
 * The page's "reachable from outside the TURN host" proof end to end (src/web/page/outside-reach.ts,
 * src/web/server/outside-peer.ts): Debian's Chromium and three `ice-doctor serve` processes in one sealed
 * sandbox namespace (sandbox.ts). The report page runs on 100.64.90.2 (a second address of the sandbox's
 * interface) and hands the page, besides its own bundled server, a TURN server on 100.64.90.1 that relays to
 * the sandbox's addresses, and one on 100.64.90.1 whose peer policy denies the report server's address
 * (`--deny-peer 100.64.90.2`). Checked: the bundled paths are "not proved" (same host, judged without a
 * proof), the other server's path is reachable from the report server (its responder saw the relayed
 * address), the denying server's is not (Chromium drops the pair when the permission is refused: evidence,
 * not a time-out), and the plain answer (mixed: reachable on some servers only, the closed one named) and
 * the export say so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../../lab/paths.js';
import { run } from '../../src/lab/exec.js';
import { type LabProcess, startInNs } from '../../src/lab/processes.js';
import type { BrowserReport } from '../../src/report/browser-schema.js';
import { chromiumAvailable, launchChromium, type RunningChromium } from './chromium.js';
import { downloadReport } from './report-page.js';
import { instrument, openTimed, type ServedPage, servePage, untilDone } from './report-page-harness.js';
import { createSandbox, SANDBOX_IP, type Sandbox } from './sandbox.js';

const canRun = chromiumAvailable() && process.getuid?.() === 0;
const REPORT_IP = '100.64.90.2';

/** A TURN-only `serve` (no report page) on the sandbox address, port `port`, user `u:p`, with `extra` flags. */
async function turnOnly(ns: string, port: number, extra: string[]): Promise<LabProcess> {
  const p = startInNs(ns, `turn-${port}`, process.execPath, [
    CLI_PATH,
    'serve',
    '--listen',
    SANDBOX_IP,
    '--port',
    String(port),
    '--no-tls',
    '--no-report',
    '--json',
    '--user',
    'u:outside-pass',
    ...extra,
  ]);
  await p.waitForLine((l) => l.startsWith('{'), 20_000);
  return p;
}

describe.skipIf(!canRun)(
  'report page: relay reachable from outside the TURN host (Chromium, sandbox)',
  () => {
    let sandbox: Sandbox;
    let open: LabProcess;
    let denying: LabProcess;
    let page: ServedPage;
    let browser: RunningChromium;
    let report: BrowserReport;

    beforeAll(async () => {
      sandbox = await createSandbox();
      await run('ip', ['-n', sandbox.ns, 'addr', 'add', `${REPORT_IP}/24`, 'dev', 'd0']);
      open = await turnOnly(sandbox.ns, 3490, ['--allow-peer', '100.64.0.0/10']);
      denying = await turnOnly(sandbox.ns, 3494, [
        '--allow-peer',
        '100.64.90.1/32',
        '--deny-peer',
        `${REPORT_IP}/32`,
      ]);
      page = await servePage(
        sandbox.ns,
        [
          '--port',
          '0',
          '--page-ice-server',
          `turn:${SANDBOX_IP}:3490?transport=udp;user=u:outside-pass`,
          '--page-ice-server',
          `turn:${SANDBOX_IP}:3494?transport=udp;user=u:outside-pass`,
        ],
        true,
        REPORT_IP,
      );
      browser = await launchChromium({ netns: sandbox.ns });
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await page?.serve.stop();
      await open?.stop();
      await denying?.stop();
      await sandbox?.close();
    });

    it('runs the page and exports an outside-reach result per proved TURN path', async () => {
      const p = await instrument(await browser.context.newPage());
      await openTimed(p.page, page.url);
      await untilDone(p.page, 60_000);
      report = await downloadReport(p.page);
      const rows = await p.page.$$eval('tr[data-path]', (trs) =>
        trs.map((tr) => [tr.getAttribute('data-path'), tr.getAttribute('data-outside-reach')]),
      );
      console.log(`outside reach rows: ${JSON.stringify(rows)}`);
      for (const path of report.paths) console.log(path.id, path.url, JSON.stringify(path.outsideReach));
      expect(report.paths.some((x) => x.outsideReach !== undefined)).toBe(true);
      const answer = await p.page.textContent('#answer-body');
      expect(answer).toContain('The relay is reachable from outside the TURN host on some servers only');
      expect(answer).toContain(`turn:${SANDBOX_IP}:3494`);
    }, 120_000);

    it('the bundled server’s paths: not proved, both run on one host', () => {
      const bundled = report.paths.filter((x) => x.server === 'bundled' && x.kind !== 'stun');
      expect(bundled.length).toBeGreaterThan(0);
      for (const x of bundled) {
        expect(x.outsideReach?.result, x.id).toBe('not-proved');
        expect(x.outsideReach?.detail).toMatch(/same host/);
      }
    });

    it('the other TURN server: reachable; the report server saw the relayed address', () => {
      const x = report.paths.find((p) => p.url.includes(':3490'))!;
      expect(x.proof?.ok).toBe(true);
      expect(x.outsideReach?.result).toBe('reachable');
      expect(x.outsideReach?.reportServer).toMatch(new RegExp(`^${REPORT_IP.replaceAll('.', '\\.')}:\\d+$`));
      expect(x.outsideReach?.relayedAddress).toMatch(/^100\.64\.90\.1:\d+$/);
      expect(x.outsideReach?.seenByReportServer).toContain(x.outsideReach?.relayedAddress);
    });

    it('a TURN server whose policy denies the report server: not reachable, nothing seen', () => {
      const x = report.paths.find((p) => p.url.includes(':3494'))!;
      expect(x.gathered).toBe(true);
      expect(x.outsideReach?.result).toBe('not-reachable');
      expect(x.outsideReach?.seenByReportServer).toEqual([]);
    });
  },
);
