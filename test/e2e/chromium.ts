import { accessSync, chmodSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { CHROMIUM_PATH, QUIET_CHROMIUM_FLAGS } from '../../lab/chromium-flags.js';

/** True when Debian's Chromium is installed and executable; browser suites skip (counted) otherwise. */
export function chromiumAvailable(): boolean {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** How {@link launchChromium} starts the browser. */
export interface ChromiumOptions {
  /** Run Chromium inside this network namespace (`ip netns exec`), e.g. a lab's `lan`. Needs root. */
  netns?: string;
  /** Keep Chromium's mDNS `.local` host candidates (default false: real host IPs, as the tests assert). */
  mdns?: boolean;
  /**
   * Accept any TLS certificate (default true), so TURN over TLS and wss:// work against the bundled
   * server's self-signed certificate. Chromium verifies `turns:` certificates: without this the TLS
   * allocation fails with a 701 `icecandidateerror`.
   */
  acceptAnyCertificate?: boolean;
  /** More command-line flags, e.g. `--proxy-server=http://100.64.0.1:3128` (the proxy-only office). */
  extraArgs?: readonly string[];
}

/** A running headless Chromium with a fresh profile; `close()` ends it and removes the profile. */
export interface RunningChromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches Debian's Chromium headless through playwright-core with a fresh `--user-data-dir` and the
 * flags that keep it off the network on its own (no background networking, component updates or sync).
 * With `netns`, a wrapper script `exec`s Chromium under `ip netns exec`, so Playwright's pipe still
 * reaches it and the browser's PID is Chromium's own.
 * @throws Error when Chromium is missing or does not start within 30 s.
 */
export async function launchChromium(options: ChromiumOptions = {}): Promise<RunningChromium> {
  const dir = mkdtempSync(join(tmpdir(), 'ice-doctor-chromium-'));
  let executablePath = CHROMIUM_PATH;
  if (options.netns !== undefined) {
    executablePath = join(dir, 'chromium-in-netns');
    writeFileSync(executablePath, `#!/bin/sh\nexec ip netns exec '${options.netns}' ${CHROMIUM_PATH} "$@"\n`);
    chmodSync(executablePath, 0o755);
  }
  const args = [
    ...QUIET_CHROMIUM_FLAGS,
    ...(options.mdns ? [] : ['--disable-features=WebRtcHideLocalIpsWithMdns']),
    ...(options.acceptAnyCertificate === false ? [] : ['--ignore-certificate-errors']),
    ...(options.extraArgs ?? []),
  ];
  try {
    const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath,
      headless: true,
      args,
      timeout: 30_000,
      viewport: { width: 1280, height: 1800 },
    });
    return {
      context,
      async close() {
        await context.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
