/**
 * The report page end to end on loopback: `ice-doctor serve` and Debian's Chromium inside one sealed sandbox
 * namespace (sandbox.ts; nothing leaves it). One server is the plain bundled one, as a user starts it; a
 * second one also hands the page a TURN URL with a wrong password and one on a closed port
 * (`--page-ice-server`), and relays to no sandbox address (no `--allow-peer`). Checked: the verdict
 * before any deadline ran out (its time logged), host ↔ host in the policy-all call, relay proofs over UDP,
 * TCP and TLS, error rows in plain words, a failed proof explained, the export (schema, no credential,
 * addresses hidden on request), share links, the clipboard's insecure-context message, a configuration that
 * cannot load (429), no CSP violation, a screenshot.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lab/paths.js';
import type { BrowserReport } from '../../src/report/browser-schema.js';
import { type IceConfig, iceConfigSchema } from '../../src/web/api-schema.js';
import { DEADLINES } from '../../src/web/page/ui/plan.js';
import { chromiumAvailable, launchChromium, type RunningChromium } from './chromium.js';
import { downloadReport } from './report-page.js';
import {
  type InstrumentedPage,
  instrument,
  openTimed,
  type PageRecord,
  type ServedPage,
  servePage,
  type TimedVerdict,
  untilDone,
} from './report-page-harness.js';
import { createSandbox, type Sandbox } from './sandbox.js';

const canRun = chromiumAvailable() && process.getuid?.() === 0;
const SCREENSHOT = join(REPO_ROOT, 'test-results', 'report-page-loopback.png');
const WRONG_PASSWORD = 'Wrong-Password-7';
const CLOSED_PORT_PASSWORD = 'Closed-Port-Password-9';
const IPV4 = /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/;

/** Every string of `value` (deep) with the member name it sits under. */
function strings(value: unknown, key = ''): [string, string][] {
  if (typeof value === 'string') return [[key, value]];
  if (Array.isArray(value)) return value.flatMap((v) => strings(v, key));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => strings(v, k));
  return [];
}

/** The TURN usernames and credentials of an `/api/ice-servers` answer. */
function secretsOf(ice: IceConfig): string[] {
  return ice.iceServers.flatMap((s) => [s.username, s.credential]).filter((s): s is string => !!s);
}

describe.skipIf(!canRun)('report page on loopback (Chromium and serve in a sandbox namespace)', () => {
  let sandbox: Sandbox;
  let plain: ServedPage;
  let wrong: ServedPage;
  let browser: RunningChromium;
  let main: InstrumentedPage;
  let first: TimedVerdict;
  let report: BrowserReport;
  const records: { url: string; record: PageRecord; console: string[] }[] = [];

  async function keepRecord(p: InstrumentedPage): Promise<void> {
    records.push({ url: p.page.url(), record: await p.record(), console: p.cspConsole });
  }

  beforeAll(async () => {
    sandbox = await createSandbox();
    plain = await servePage(sandbox.ns, ['--port', '0']);
    wrong = await servePage(
      sandbox.ns,
      [
        '--port',
        '3478',
        '--report-port',
        '8080',
        '--report-https-port',
        '8443',
        '--page-ice-server',
        `turn:100.64.90.1:3478?transport=udp;user=nobody:${WRONG_PASSWORD}`,
        '--page-ice-server',
        `turn:100.64.90.1:3999?transport=tcp;user=closed:${CLOSED_PORT_PASSWORD}`,
      ],
      false,
    );
    browser = await launchChromium({ netns: sandbox.ns });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await plain?.serve.stop();
    await wrong?.serve.stop();
    await sandbox?.close();
  });

  // The 2000 ms target of a quiet machine is logged, not asserted (a busy machine doubles it); what is
  // asserted is behaviour: no step waited out a deadline (the verdict precedes the 4 s gathering deadline).
  it('serve prints a URL; the page reaches its verdict without waiting out any deadline (3 runs, the first cold)', async () => {
    const runs: TimedVerdict[] = [];
    for (let i = 0; i < 3; i++) {
      const p = await instrument(await browser.context.newPage());
      const timed = await openTimed(p.page, plain.url);
      runs.push(timed);
      await untilDone(p.page);
      if (i === 0) {
        main = p;
        first = timed;
      } else {
        await keepRecord(p);
        await p.page.close();
      }
    }
    console.log(
      `report page verdict after ${runs.map((r) => `${r.seenMs} ms (in page ${r.inPageMs} ms)`).join(', ')}`,
    );
    for (const r of runs) {
      expect(r.code).toBe('direct');
      expect(
        r.inPageMs,
        `verdict ${r.inPageMs} ms into the page (seen ${r.seenMs} ms after navigation): a step waited out the ${DEADLINES.gatherMs} ms gathering deadline`,
      ).toBeLessThan(DEADLINES.gatherMs);
    }
    expect((await main.record()).phases.slice(-3)).toEqual(['running', 'verdict', 'done']);
  }, 60_000);

  it('the export validates as a browser report (reportSchema) and holds no credential', async () => {
    report = await downloadReport(main.page);
    expect(report.kind).toBe('browser');
    expect(report.verdict.code).toBe(first.code);
    const secrets = secretsOf(iceConfigSchema.parse(first.iceServers));
    expect(secrets.length).toBeGreaterThan(0);
    const json = JSON.stringify(report);
    for (const s of secrets) expect(json).not.toContain(s);
    expect(report.redacted).toEqual({ credentials: true, ips: false });
    expect(report.visitor?.address).toBe('100.64.90.1');
  });

  it('the policy-all call selects host ↔ host (mDNS off), shown and exported', async () => {
    expect(report.selectedPair?.localType).toBe('host');
    expect(report.selectedPair?.remoteType).toBe('host');
    expect(report.selectedPair?.dtlsState).toBe('connected');
    expect(await main.page.getAttribute('#pair-body', 'data-local-type')).toBe('host');
    expect(await main.page.getAttribute('#pair-body', 'data-remote-type')).toBe('host');
  });

  it('relay-only proofs through the bundled TURN server over UDP, TCP and TLS: relayProtocol and url per path', async () => {
    const ice = iceConfigSchema.parse(first.iceServers);
    const expected = { 'turn-udp': 'udp', 'turn-tcp': 'tcp', turns: 'tls' } as const;
    const turn = ice.targets.filter((t) => t.kind !== 'stun');
    expect(turn.map((t) => t.kind).sort()).toEqual(['turn-tcp', 'turn-udp', 'turns']);
    for (const t of turn) {
      if (t.kind === 'stun') continue;
      const path = report.paths.find((p) => p.id === t.id);
      expect(path?.gathered, t.id).toBe(true);
      expect(path?.proof?.ok, `${t.id}: ${JSON.stringify(path?.proof)}`).toBe(true);
      expect(path?.proof?.selectedPair?.localType).toBe('relay');
      expect(path?.proof?.selectedPair?.relayProtocol, t.id).toBe(expected[t.kind]);
      expect(path?.proof?.selectedPair?.url, t.id).toBe(t.iceServer.urls);
      expect(path?.proof?.rttMs).toBeGreaterThan(0);
      expect(path?.throughputKbps, `${t.id} throughput`).toBeGreaterThan(0);
      expect(await main.page.getAttribute(`#paths tr[data-path="${t.id}"]`, 'data-proof')).toBe('ok');
      const relay = report.candidates.filter((c) => c.pathId === t.id && c.type === 'relay');
      expect(relay.map((c) => [c.url, c.relayProtocol])).toContainEqual([t.iceServer.urls, expected[t.kind]]);
    }
  });

  it('with #redact-ips no address of this browser appears; URLs keep the server', async () => {
    const own = [...new Set(report.candidates.map((c) => c.address))];
    expect(own).toContain('100.64.90.1');
    await main.page.check('#redact-ips');
    try {
      const redacted = await downloadReport(main.page);
      expect(redacted.redacted.ips).toBe(true);
      const free = strings(redacted).filter(([key]) => !['url', 'page', 'userAgent'].includes(key));
      expect(free.filter(([, s]) => IPV4.test(s) || own.some((a) => s.includes(a)))).toEqual([]);
      expect(redacted.candidates.every((c) => c.address === 'redacted')).toBe(true);
      expect(redacted.visitor?.address).toBe('redacted');
      expect(redacted.paths.every((p) => p.url.includes('100.64.90.1'))).toBe(true);
    } finally {
      await main.page.uncheck('#redact-ips');
    }
  });

  it('a share link round-trips into the read-only view without asking the server for anything', async () => {
    await main.page.click('#share-link');
    await main.page.waitForFunction(
      () => (document.querySelector('#share-url') as HTMLInputElement).value !== '',
    );
    const link = await main.page.inputValue('#share-url');
    expect(link.startsWith(`${plain.url}#report=`), link.slice(0, 80)).toBe(true);
    const shared = await instrument(await browser.context.newPage());
    const requests: string[] = [];
    shared.page.on('request', (r) => requests.push(r.url()));
    await shared.page.goto(link);
    await shared.page.waitForFunction(() => document.body.dataset.phase === 'shared', undefined, {
      polling: 20,
    });
    expect(await shared.page.getAttribute('#verdict', 'data-verdict')).toBe(report.verdict.code);
    expect(await shared.page.locator('#candidates tr.candidate').count()).toBe(report.candidates.length);
    expect(await shared.page.locator('#paths tr[data-proof="ok"]').count()).toBe(3);
    // The pair is shown without a "no pair" note beside it, and the throughput chart is drawn from the
    // samples the report keeps, as on the live page.
    expect(report.selectedPair).not.toBeNull();
    expect(await shared.page.getAttribute('#pair-body', 'data-local-type')).toBe('host');
    expect(await shared.page.textContent('#pair-body')).not.toMatch(/no pair|No selected pair/);
    expect(report.paths.some((p) => (p.throughputSamples?.length ?? 0) > 0)).toBe(true);
    expect(await main.page.getAttribute('canvas[data-chart="throughput"]', 'data-drawn')).toBe('true');
    expect(await shared.page.getAttribute('canvas[data-chart="throughput"]', 'data-drawn')).toBe('true');
    expect(requests.filter((u) => u.includes('/api/') || u.includes('report='))).toEqual([]);
    const reshared = await downloadReport(shared.page);
    expect(reshared.verdict).toEqual(report.verdict);
    for (const s of secretsOf(iceConfigSchema.parse(first.iceServers))) expect(link).not.toContain(s);
    await keepRecord(shared);
    await shared.page.close();

    const damaged = await instrument(await browser.context.newPage());
    await damaged.page.goto(`${plain.url}#report=not-a-report`);
    await damaged.page.waitForFunction(() => document.body.dataset.phase === 'shared-error', undefined, {
      polling: 20,
    });
    expect(await damaged.page.isVisible('#page-error')).toBe(true);
    expect(await damaged.page.textContent('#page-error')).toMatch(
      /cannot be shown: the share link is damaged/,
    );
    expect(await damaged.page.getAttribute('#verdict', 'data-verdict')).toBeNull();
    await keepRecord(damaged);
    await damaged.page.close();
  });

  it('Copy JSON on http:// explains that the clipboard needs a secure page', async () => {
    await main.page.click('#copy-json');
    await main.page.waitForFunction(() => document.querySelector('#export-status')?.textContent !== '');
    expect(await main.page.textContent('#export-status')).toMatch(
      /secure page \(HTTPS or localhost\).*https:\/\//,
    );
  });

  it('error rows: a wrong TURN password (401) and a closed port (701), each explained; a relay that refuses its peers fails its proof', async () => {
    const p = await instrument(await browser.context.newPage());
    const timed = await openTimed(p.page, wrong.url);
    await untilDone(p.page);
    const row401 = p.page.locator('#candidates tr.candidate-error[data-code="401"]').first();
    expect(await row401.textContent()).toMatch(
      /turn:100\.64\.90\.1:3478\?transport=udp.*rejected the username or password/s,
    );
    const row701 = p.page.locator('#candidates tr.candidate-error[data-code="701"]').first();
    expect(await row701.textContent()).toMatch(
      /No answer from the TURN server turn:100\.64\.90\.1:3999\?transport=tcp/,
    );
    const ice = iceConfigSchema.parse(timed.iceServers);
    const wrongPath = ice.targets.find((t) => t.iceServer.credential === WRONG_PASSWORD);
    const closedPath = ice.targets.find((t) => t.iceServer.credential === CLOSED_PORT_PASSWORD);
    for (const t of [wrongPath, closedPath]) {
      expect(t).toBeDefined();
      expect(await p.page.getAttribute(`#paths tr[data-path="${t?.id}"]`, 'data-gathered')).toBe('false');
    }
    const bundled = ice.targets.find((t) => t.kind === 'turn-udp' && t.server === 'bundled');
    const refused = p.page.locator(`#paths tr[data-path="${bundled?.id}"]`);
    expect(await refused.getAttribute('data-gathered')).toBe('true');
    expect(await refused.getAttribute('data-proof')).toBe('failed');
    expect(await refused.textContent()).toMatch(/ICE failed.*the TURN server did not relay between them/);
    const exported = await downloadReport(p.page);
    expect(exported.candidateErrors.some((e) => e.errorCode === 401 && !e.harmless)).toBe(true);
    expect(exported.verdict.facts.join('\n')).toMatch(/Error 401 from turn:100\.64\.90\.1:3478/);
    const json = JSON.stringify(exported);
    for (const s of [...secretsOf(ice), WRONG_PASSWORD, CLOSED_PORT_PASSWORD]) expect(json).not.toContain(s);
    console.log(
      `report page with a wrong and a closed server: verdict ${timed.code} after ${timed.seenMs} ms`,
    );
    await keepRecord(p);
    await p.page.close();
  }, 60_000);

  it('when the server refuses credentials (429 after 30 a minute), the page says why and runs nothing', async () => {
    const p = await instrument(await browser.context.newPage());
    await p.page.goto(`${wrong.url}api/config`);
    const statuses = await p.page.evaluate(async () => {
      const seen: number[] = [];
      for (let i = 0; i < 40 && !seen.includes(429); i++) seen.push((await fetch('/api/ice-servers')).status);
      return seen;
    });
    expect(statuses).toContain(429);
    await p.page.goto(wrong.url);
    await p.page.waitForFunction(() => document.body.dataset.phase === 'failed', undefined, { polling: 20 });
    expect(await p.page.textContent('#page-error')).toMatch(
      /cannot run: .*429 Too Many Requests.*wait a minute/,
    );
    expect(await p.page.getAttribute('#verdict', 'data-verdict')).toBeNull();
    expect(await p.page.isDisabled('#export-json')).toBe(true);
    await keepRecord(p);
    await p.page.close();
  });

  it('a screenshot of the finished page is saved and is not trivial', async () => {
    mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true });
    // Everything technical is under the closed "Details" fold: open it, so the screenshot shows the whole run.
    await main.page.evaluate(() => {
      for (const d of document.querySelectorAll('details')) d.open = true;
    });
    const png = await main.page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(png.length, SCREENSHOT).toBeGreaterThan(100_000);
    expect(statSync(SCREENSHOT).size).toBe(png.length);
    const height = await main.page.evaluate(() => document.documentElement.scrollHeight);
    expect(height).toBeGreaterThan(2000);
    console.log(`screenshot: ${SCREENSHOT} (${png.length} bytes)`);
  });

  it('no page raised a CSP violation (console or securitypolicyviolation)', async () => {
    await keepRecord(main);
    expect(records.length).toBeGreaterThanOrEqual(6);
    for (const r of records) {
      expect(r.record.csp.join('\n'), `securitypolicyviolation on ${r.url}`).toBe('');
      expect(r.console.join('\n'), `console on ${r.url}`).toBe('');
    }
  });
});

// The README's Quick start as written: `ice-doctor serve` with its defaults (127.0.0.1, 8080) and the page
// opened at http://127.0.0.1:…/. Chromium gathers no loopback host candidate, so its srflx of 127.0.0.1 has a
// related address of another interface: no NAT may be invented from that. Then the same with no usable
// interface at all (a namespace with `lo` alone): the browser gathers nothing, which the page must say.
describe.skipIf(!canRun)('report page on the README loopback setup (Chromium, serve on 127.0.0.1)', () => {
  const started: { sandbox: Sandbox; serve: ServedPage; browser: RunningChromium }[] = [];

  async function start(loopbackOnly: boolean) {
    const sandbox = await createSandbox({ loopbackOnly });
    const serve = await servePage(sandbox.ns, ['--port', '0'], false, null);
    const browser = await launchChromium({ netns: sandbox.ns });
    started.push({ sandbox, serve, browser });
    return { serve, browser };
  }

  afterAll(async () => {
    for (const s of started) {
      await s.browser.close();
      await s.serve.serve.stop();
      await s.sandbox.close();
    }
  });

  it('same-machine: the servers are proved, no NAT is claimed, the way to test the network is named', async () => {
    const { serve, browser } = await start(false);
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const p = await instrument(await browser.context.newPage());
    const timed = await openTimed(p.page, serve.url);
    await untilDone(p.page);
    const exported = await downloadReport(p.page);
    const srflx = exported.candidates.filter((c) => c.type === 'srflx');
    expect(srflx.length, JSON.stringify(exported.candidates)).toBeGreaterThan(0);
    expect(srflx.every((c) => c.address.startsWith('127.'))).toBe(true);
    expect(timed.code, exported.verdict.text).toBe('same-machine');
    expect(exported.natPresent).toBe(false);
    expect(exported.mapping).toBeNull();
    const text = await p.page.textContent('#verdict');
    expect(text).toMatch(/on this machine/);
    expect(text).toMatch(/another device/);
    expect(text).not.toMatch(/NAT: present|keeps one public port|No path works/);
    expect(exported.paths.filter((x) => x.kind !== 'stun').every((x) => x.proof?.ok)).toBe(true);
    console.log(`README loopback setup in Chromium: ${timed.code} after ${timed.seenMs} ms`);
    expect((await p.record()).csp).toEqual([]);
    await p.page.close();
  }, 60_000);

  it('no usable interface (lo alone): no-candidates, not blamed on the servers', async () => {
    const { serve, browser } = await start(true);
    const p = await instrument(await browser.context.newPage());
    const timed = await openTimed(p.page, serve.url);
    await untilDone(p.page);
    const exported = await downloadReport(p.page);
    expect(exported.candidates).toEqual([]);
    expect(timed.code, exported.verdict.text).toBe('no-candidates');
    const text = await p.page.textContent('#verdict');
    expect(text).toMatch(/gathered no ICE candidate at all/);
    expect(text).not.toMatch(/no STUN or TURN server answered/);
    await p.page.close();
  }, 60_000);
});
