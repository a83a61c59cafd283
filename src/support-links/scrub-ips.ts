import type { BrowserReport } from '../report/browser-schema.js';
import { addressRedactor, mapStrings } from '../report/redact-ips.js';

/** Members that hold no address of the visitor: server URLs and the page's own origin. */
const NOT_FREE_TEXT: ReadonlySet<string> = new Set(['url', 'page']);

/**
 * The report with every IP address of the visitor removed, as the report server stores it for an invite
 * that does not collect IPs (or with `serve --scrub-ips`): the same rule as the page's export
 * (src/report/redact-ips.ts) — `visitor.address`, `publicAddress.address`, the candidates' `address` and
 * `relatedAddress`, the error sockets' `address`, every selected pair's `localAddress`/`remoteAddress`
 * become `redacted`, and those addresses are replaced in free text (`reasons`, `verdict.text`/`facts`,
 * explanations, errors). URLs and `page` stay (they name servers, not the visitor). Ports, families and
 * candidate types stay. `seenFrom`: addresses the server saw the upload come from — removed too, wherever
 * they stand, so a report that does not list its own addresses cannot carry them past the scrub. Sets
 * `redacted.ips: true`. Pure: `report` is not changed.
 */
export function scrubReportIps(report: BrowserReport, seenFrom: readonly string[] = []): BrowserReport {
  const redact = addressRedactor(report, seenFrom);
  const clean = mapStrings(report, (s, key) =>
    NOT_FREE_TEXT.has(key) ? s : redact(s, key),
  ) as BrowserReport;
  return { ...clean, redacted: { credentials: true, ips: true } };
}
