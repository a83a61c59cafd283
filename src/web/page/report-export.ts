import type { BrowserReport } from '../../report/browser-schema.js';
import { addressRedactor, mapStrings, REDACTED } from '../../report/redact-ips.js';
import { reportSchema } from '../../report/report-schema.js';
import { sanitizeUrl } from './ice-url.js';

/**
 * The page's export: a {@link BrowserReport} assembled from the run, credentials always removed, the
 * visitor's addresses removed on request, then validated by the one `reportSchema` (src/report/report-schema.ts).
 */

/** Everything of a report but the constant fields and `redacted`, which {@link exportReport} sets. */
export type BrowserReportDraft = Omit<BrowserReport, 'schemaVersion' | 'tool' | 'kind' | 'redacted'>;

/** How to export. */
export interface ExportOptions {
  /** Replace every address of this browser and of its candidates with `redacted` (types, ports, families stay). */
  redactIps: boolean;
  /**
   * The TURN usernames and credentials the page used (`RTCIceServer.username`/`credential`). Each is replaced by
   * `redacted` wherever it appears in a string (URLs aside, which lose user-info and query anyway), as a whole
   * token: not next to a letter or digit, so a user named `u` or `test` does not garble `turn` or `tests`.
   */
  secrets: readonly string[];
}

/** The value that replaces a removed address or secret (src/report/redact-ips.ts). */
export { REDACTED };

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function secretPattern(secrets: readonly string[]): RegExp | null {
  const parts = [...new Set(secrets.filter((s) => s.length > 0))]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp);
  return parts.length === 0 ? null : new RegExp(`(?<![A-Za-z0-9])(?:${parts.join('|')})(?![A-Za-z0-9])`, 'g');
}

/** Strings that hold no visitor address or secret: the URLs (sanitised instead) and the page's own origin. */
const NOT_FREE_TEXT = new Set(['url', 'page']);

/**
 * Assembles and exports the report:
 * - URLs (`url` members) lose any user-info and every query parameter but `transport`; host and port stay.
 * - every secret of `options.secrets` becomes `redacted` in every string (see {@link ExportOptions}).
 * - with `redactIps`, every non-null address member (`address`, `relatedAddress`, `localAddress`,
 *   `remoteAddress`, and those of `publicAddress`/`visitor`) becomes `redacted`, and those addresses are
 *   replaced in free text too (`reasons`, `facts`, explanations …). URLs and `page` keep their host (the
 *   server's, not the visitor's).
 * Sets `schemaVersion: 1`, `tool`, `kind: 'browser'` and `redacted: { credentials: true, ips }`.
 * @throws ZodError when the result does not validate against `reportSchema` (a bug in the draft).
 */
export function exportReport(draft: BrowserReportDraft, options: ExportOptions): BrowserReport {
  const secrets = secretPattern(options.secrets);
  const redact = options.redactIps ? addressRedactor(draft) : null;
  const clean = mapStrings(draft, (s, key) => {
    if (key === 'url') return sanitizeUrl(s);
    if (NOT_FREE_TEXT.has(key)) return s;
    const out = secrets ? s.replace(secrets, REDACTED) : s;
    return redact ? redact(out, key) : out;
  });
  const report = reportSchema.parse({
    ...(clean as BrowserReportDraft),
    schemaVersion: 1,
    tool: 'ice-doctor',
    kind: 'browser',
    redacted: { credentials: true, ips: options.redactIps },
  });
  if (report.kind !== 'browser') throw new TypeError('exportReport built a report of another kind');
  return report;
}
