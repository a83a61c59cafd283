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

/** Marks a request that had a body in the driver's `sent` list (firefox-driver.ts): BiDi cannot read bodies. */
export const BODY_UNREAD = '[a body puppeteer cannot read over BiDi]';
