import { ProbeRequestError } from './request-error.js';

/** The header Prometheus sends with every scrape: its scrape timeout, in seconds (e.g. `"10"` or `"9.5"`). */
export const SCRAPE_TIMEOUT_HEADER = 'x-prometheus-scrape-timeout-seconds';

/**
 * The deadline of one probe, in ms: the module's timeout, shortened to Prometheus' scrape timeout minus
 * `offsetMs` so the answer arrives before Prometheus gives up on the scrape (when the scrape timeout is not
 * more than twice the offset, half of it instead), whole ms. Without the header: the module's timeout.
 * @param header the header's value as received (undefined when absent).
 * @param moduleTimeoutMs the module's `timeout`, ms.
 * @param offsetMs the margin, ms.
 * @throws ProbeRequestError 400 when the header is not a positive number of seconds.
 */
export function probeDeadlineMs(
  header: string | undefined,
  moduleTimeoutMs: number,
  offsetMs: number,
): number {
  if (header === undefined) return Math.floor(moduleTimeoutMs);
  const text = header.trim();
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds > 0))
    throw new ProbeRequestError(
      400,
      `X-Prometheus-Scrape-Timeout-Seconds: must be a positive number of seconds, got '${header}'`,
    );
  const scrapeMs = seconds * 1000;
  const left = scrapeMs > 2 * offsetMs ? scrapeMs - offsetMs : scrapeMs / 2;
  return Math.max(1, Math.floor(Math.min(moduleTimeoutMs, left)));
}
