import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labAvailable } from '../../lab/available.js';
import { nsRun } from '../../lab/exec.js';
import { REPO_ROOT } from '../../lab/paths.js';
import { decodeShareFragment } from '../../src/web/page/share-link.js';
import { firefoxAvailable } from './firefox.js';
import { type SandboxedServe, serveInSandbox } from './sandbox-serve.js';

// The report page in a second browser engine: Debian's Firefox ESR, driven by puppeteer-core over WebDriver
// BiDi (no download), inside a sealed sandbox namespace with the bundled server. The report comes back
// through the page's own share link, decoded and validated here.

const available = (await labAvailable()) && firefoxAvailable();
const DRIVER = fileURLToPath(new URL('./firefox-driver.ts', import.meta.url));

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
    process.stdout.write(
      `Firefox: verdict ${run.verdictCode} after ${run.pageVerdictMs} ms (page clock); TURNS proof ${
        byKind.get('turns')?.proof?.ok
          ? 'ok'
          : `failed: ${byKind.get('turns')?.error ?? byKind.get('turns')?.proof?.error ?? '?'}`
      }\n`,
    );
  }, 120_000);
});
