import { accessSync, chmodSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Debian's Firefox ESR (package `firefox-esr`); puppeteer-core drives it over WebDriver BiDi, no download. */
export const FIREFOX_PATH = '/usr/bin/firefox-esr';

/** True when Debian's Firefox ESR is installed and executable; Firefox suites skip (counted) otherwise. */
export function firefoxAvailable(): boolean {
  try {
    accessSync(FIREFOX_PATH, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A running headless Firefox; `close()` ends it and removes the wrapper directory. */
export interface RunningFirefox {
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Launches Debian's Firefox ESR headless through puppeteer-core (WebDriver BiDi) inside network namespace
 * `netns` (a wrapper script `exec`s it under `ip netns exec`), with real host IPs in ICE candidates
 * (`media.peerconnection.ice.obfuscate_host_addresses` off: no mDNS names) and no background traffic.
 * @throws Error when Firefox is missing or does not start within 30 s.
 */
export async function launchFirefox(netns: string): Promise<RunningFirefox> {
  const dir = mkdtempSync(join(tmpdir(), 'ice-doctor-firefox-'));
  const executablePath = join(dir, 'firefox-in-netns');
  writeFileSync(executablePath, `#!/bin/sh\nexec ip netns exec '${netns}' ${FIREFOX_PATH} "$@"\n`);
  chmodSync(executablePath, 0o755);
  try {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath,
      headless: true,
      timeout: 30_000,
      acceptInsecureCerts: true,
      extraPrefsFirefox: {
        'media.peerconnection.ice.obfuscate_host_addresses': false,
        'app.update.enabled': false,
        'network.captive-portal-service.enabled': false,
        'network.connectivity-service.enabled': false,
      },
    });
    return {
      browser,
      async close() {
        await browser.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
