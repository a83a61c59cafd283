import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coturnAvailable } from '../../lab/coturn.js';
import { REPO_ROOT } from '../../lab/paths.js';
import { labAvailable } from '../../src/lab/available.js';
import { nsRun } from '../../src/lab/exec.js';
import { decodeShareFragment } from '../../src/web/page/share-link.js';
import { encodeServersFragment } from '../../src/web/page/visitor-servers/codec.js';
import { BODY_UNREAD, firefoxAvailable } from './firefox.js';
import type { FirefoxRun } from './firefox-driver.js';
import { mintedOf, neverSent, provedVisitorPaths } from './visitor-checks.js';
import { startVisitorLab, type VisitorLab, visitorSettings } from './visitor-coturn.js';

// The visitor's own servers in Firefox ESR (puppeteer-core over WebDriver BiDi, firefox-driver.ts): the same
// two coturn servers as the Chromium test (visitor-coturn.ts, on the sandbox address, since Firefox ignores
// loopback ICE servers by default), given by a `#servers=` link with the relay-only policy, over HTTPS (minting
// the REST credential needs WebCrypto, i.e. a secure page). The report comes back through the share link.

const available = (await labAvailable()) && firefoxAvailable() && coturnAvailable;
const DRIVER = fileURLToPath(new URL('./firefox-driver.ts', import.meta.url));

describe.skipIf(!available)('report page: the visitor’s own TURN servers in Firefox ESR', () => {
  let lab: VisitorLab;

  beforeAll(async () => {
    lab = await startVisitorLab();
  }, 60_000);

  afterAll(async () => lab?.close());

  it('both visitor servers are proved, the relay-only call selects relay ↔ relay, no request carries a secret', async () => {
    const fragment = encodeServersFragment(visitorSettings('relay'));
    const url = `${lab.served.httpsUrl}${fragment}`;
    const r = await nsRun(lab.served.sandbox.ns, process.execPath, ['--import', 'tsx', DRIVER, url], {
      timeoutMs: 90_000,
      cwd: REPO_ROOT,
      check: false,
    });
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as FirefoxRun;
    expect(run.userAgent).toMatch(/Firefox\//);
    const report = await decodeShareFragment(new URL(run.shareUrl).hash);
    provedVisitorPaths(report);
    expect(report.iceTransportPolicy).toBe('relay');
    expect(report.selectedPair?.localType, JSON.stringify(report.selectedPair)).toBe('relay');
    // Firefox names the remote candidate peer-reflexive when the other end's connectivity check arrives
    // before its relay candidate does (trickle ICE; seen in a loaded CI run): both ends are relay-only, so
    // its address is still a TURN server's relayed address — one of the relay candidates' addresses.
    const pair = report.selectedPair;
    const relayAddresses = new Set(report.candidates.filter((c) => c.type === 'relay').map((c) => c.address));
    const remoteIsRelay =
      pair?.remoteType === 'relay' ||
      (pair?.remoteType === 'prflx' && relayAddresses.has(pair.remoteAddress ?? ''));
    expect(remoteIsRelay, JSON.stringify({ pair, relayAddresses: [...relayAddresses] })).toBe(true);
    // The REST credential was minted in Firefox (WebCrypto) as node:crypto computes it, and coturn took it.
    const minted = mintedOf(run.iceServers);
    expect(run.sent.some((s) => s.includes('/api/ice-servers'))).toBe(true);
    expect(run.sent.filter((s) => s.includes(BODY_UNREAD))).toEqual([]);
    const needles = neverSent(minted, fragment).flatMap((n) => [n, encodeURIComponent(n)]);
    expect(run.sent.filter((s) => needles.some((n) => s.includes(n)))).toEqual([]);
    process.stdout.write(
      `Firefox with the visitor's servers: verdict ${run.verdictCode}; call ${report.selectedPair?.localType} ↔ ${report.selectedPair?.remoteType}\n`,
    );
  }, 120_000);
});
