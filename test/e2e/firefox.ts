import { accessSync, constants } from 'node:fs';

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

/**
 * puppeteer-core's launch options for Debian's Firefox ESR, headless over WebDriver BiDi: real host IPs in
 * candidates instead of mDNS names (as Chromium's tests run with mDNS off), self-signed certificates accepted,
 * no update, captive-portal or connectivity traffic.
 */
export const FIREFOX_LAUNCH = {
  browser: 'firefox',
  executablePath: FIREFOX_PATH,
  headless: true,
  timeout: 30_000,
  acceptInsecureCerts: true,
  extraPrefsFirefox: {
    'media.peerconnection.ice.obfuscate_host_addresses': false,
    'app.update.enabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
  },
} as const;

/** Marks a request that had a body in the driver's `sent` list (firefox-driver.ts): BiDi cannot read bodies. */
export const BODY_UNREAD = '[a body puppeteer cannot read over BiDi]';
