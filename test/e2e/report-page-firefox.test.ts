import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lab/paths.js';
import { labAvailable } from '../../src/lab/available.js';
import { nsRun } from '../../src/lab/exec.js';
import { decodeShareFragment } from '../../src/web/page/share-link.js';
import { firefoxAvailable } from './firefox.js';
import type { FirefoxRun } from './firefox-driver.js';
import { type ServedPage, servePage } from './report-page-harness.js';
import { createSandbox, type Sandbox } from './sandbox.js';
import { type SandboxedServe, serveInSandbox } from './sandbox-serve.js';

// The report page in a second browser engine: Debian's Firefox ESR, driven by puppeteer-core over WebDriver
// BiDi (no download), inside a sealed sandbox namespace with the bundled server. The report comes back
// through the page's own share link, decoded and validated here.

const available = (await labAvailable()) && firefoxAvailable();
const DRIVER = fileURLToPath(new URL('./firefox-driver.ts', import.meta.url));

/** Runs firefox-driver.ts in namespace `ns` on `url` with extra preferences; its one JSON line. */
async function drive(ns: string, url: string, prefs: Record<string, unknown> = {}): Promise<FirefoxRun> {
  const r = await nsRun(ns, process.execPath, ['--import', 'tsx', DRIVER, url, JSON.stringify(prefs)], {
    timeoutMs: 90_000,
    cwd: REPO_ROOT,
    check: false,
  });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as FirefoxRun;
}

describe.skipIf(!available)('report page in Firefox ESR (sandbox namespace)', () => {
  let served: SandboxedServe;

  beforeAll(async () => {
    served = await serveInSandbox();
  }, 30_000);

  afterAll(async () => served?.close());

  it('reaches a verdict; its share link carries a valid report with the selected pair and relay proofs', async () => {
    const r = await nsRun(served.sandbox.ns, process.execPath, ['--import', 'tsx', DRIVER, served.url], {
      timeoutMs: 90_000,
      cwd: REPO_ROOT,
      check: false,
    });
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as {
      verdictCode: string;
      verdictText: string;
      pageVerdictMs: number | null;
      shareUrl: string;
      userAgent: string;
    };
    expect(run.userAgent).toMatch(/Firefox\//);
    // No NAT in the sandbox: Firefox drops the srflx equal to its host candidate and fires no candidate error,
    // while TURN/UDP on the same server relays; so not "relay-only", and the mapping cannot be judged.
    expect(run.verdictCode).toBe('udp-works');
    const report = await decodeShareFragment(new URL(run.shareUrl).hash);
    expect(report.userAgent).toMatch(/Firefox\//);
    expect(report.verdict.code).toBe(run.verdictCode);
    // The page's own policy-all call, read from Firefox's stats.
    expect(report.selectedPair).not.toBeNull();
    expect(report.selectedPair?.localType).toBe('host');
    // Firefox often pairs with the remote end before its trickled candidate arrives: learned as prflx.
    expect(['host', 'prflx']).toContain(report.selectedPair?.remoteType);
    expect(report.selectedPair?.localAddress).toBe('100.64.90.1');
    // TURN over UDP and TCP relay in Firefox too, with the URL and relayProtocol under test.
    const byKind = new Map(report.paths.map((p) => [p.kind, p]));
    for (const kind of ['turn-udp', 'turn-tcp'] as const) {
      const path = byKind.get(kind);
      expect(path?.proof?.ok, `${kind}: ${JSON.stringify(path?.proof)}`).toBe(true);
    }
    // The bundled server runs on the report server's host: its paths are judged "not proved" at once, without
    // a proof connection (ui/outside-run.ts), so the report server saw nothing from them.
    const reach = byKind.get('turn-udp')?.outsideReach;
    expect(reach?.result, JSON.stringify(reach)).toBe('not-proved');
    expect(reach?.detail).toMatch(/same host/);
    expect(reach?.seenByReportServer ?? []).toEqual([]);
    process.stdout.write(
      `Firefox: verdict ${run.verdictCode} after ${run.pageVerdictMs} ms (page clock); TURNS proof ${
        byKind.get('turns')?.proof?.ok
          ? 'ok'
          : `failed: ${byKind.get('turns')?.error ?? byKind.get('turns')?.proof?.error ?? '?'}`
      }\n`,
    );
  }, 120_000);
});

// The README's Quick start as written (serve on 127.0.0.1, the page at http://127.0.0.1:…/): Firefox ignores
// ICE servers on loopback unless media.peerconnection.ice.loopback is true, so with its defaults every URL
// is a 701 and only host candidates appear; the page must name that rule, and with the preference set give
// the verdict any browser gets there (same-machine). Without RTCPeerConnection, the page says it cannot run.
describe.skipIf(!available)('report page in Firefox ESR on the README loopback setup', () => {
  let sandbox: Sandbox;
  let served: ServedPage;

  beforeAll(async () => {
    sandbox = await createSandbox();
    served = await servePage(sandbox.ns, ['--port', '0'], false, null);
  }, 30_000);

  afterAll(async () => {
    await served?.serve.stop();
    await sandbox?.close();
  });

  it('default preferences: browser-ignores-loopback, naming the preference, not "no path"', async () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const run = await drive(sandbox.ns, served.url);
    const report = await decodeShareFragment(new URL(run.shareUrl).hash);
    expect(run.verdictCode, run.verdictText).toBe('browser-ignores-loopback');
    expect(run.verdictText).toMatch(/media\.peerconnection\.ice\.loopback/);
    expect(run.verdictText).not.toMatch(/No path works|no STUN or TURN server answered/);
    expect(report.candidates.filter((c) => c.type === 'srflx' || c.type === 'relay')).toEqual([]);
    expect(report.candidates.some((c) => c.type === 'host')).toBe(true);
    expect(report.paths.every((p) => !p.gathered)).toBe(true);
  }, 120_000);

  it('media.peerconnection.ice.loopback set: the servers answer, same-machine', async () => {
    const run = await drive(sandbox.ns, served.url, { 'media.peerconnection.ice.loopback': true });
    const report = await decodeShareFragment(new URL(run.shareUrl).hash);
    expect(run.verdictCode, `${run.verdictText}\n${report.verdict.facts.join('\n')}`).toBe('same-machine');
    expect(run.verdictText).toMatch(/another device/);
    expect(report.natPresent).not.toBe(true);
    expect(report.candidates.some((c) => c.type === 'relay' && c.address.startsWith('127.'))).toBe(true);
    // A real profile also hides host addresses behind mDNS names: Firefox then shows a srflx of its own
    // interface (100.64.90.1, base hidden) from the loopback server, which is no NAT either.
    const mdns = await drive(sandbox.ns, served.url, {
      'media.peerconnection.ice.loopback': true,
      'media.peerconnection.ice.obfuscate_host_addresses': true,
    });
    const hidden = await decodeShareFragment(new URL(mdns.shareUrl).hash);
    expect(hidden.candidates.some((c) => c.type === 'host' && c.address.endsWith('.local'))).toBe(true);
    expect(mdns.verdictCode, `${mdns.verdictText}\n${hidden.verdict.facts.join('\n')}`).toBe('same-machine');
    expect(hidden.natPresent).not.toBe(true);
  }, 180_000);

  it('RTCPeerConnection turned off (media.peerconnection.enabled false): a clear page error, no verdict', async () => {
    const run = await drive(sandbox.ns, served.url, { 'media.peerconnection.enabled': false });
    expect(run.verdictCode).toBe('');
    expect(run.pageError).toMatch(/no WebRTC \(RTCPeerConnection is missing/);
  }, 120_000);
});
