import type { BrowserReport } from '../../report/browser-schema.js';
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

/** The value that replaces a removed address or secret. */
export const REDACTED = 'redacted';

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every string of `value` (deep), passed through `f`; `key` is the member name the string sits under. */
function mapStrings(value: unknown, f: (s: string, key: string) => string, key = ''): unknown {
  if (typeof value === 'string') return f(value, key);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f, key));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f, k)]));
  return value;
}

function secretPattern(secrets: readonly string[]): RegExp | null {
  const parts = [...new Set(secrets.filter((s) => s.length > 0))]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp);
  return parts.length === 0 ? null : new RegExp(`(?<![A-Za-z0-9])(?:${parts.join('|')})(?![A-Za-z0-9])`, 'g');
}

/** The addresses of this browser the report holds: candidates, error sockets, pairs, public and visitor address. */
function ownAddresses(r: BrowserReportDraft): Set<string> {
  const pairs = [r.selectedPair, r.peer?.selectedPair, ...r.paths.map((p) => p.proof?.selectedPair)];
  return new Set(
    [
      ...r.candidates.flatMap((c) => [c.address, c.relatedAddress]),
      ...r.candidateErrors.map((e) => e.address),
      ...pairs.flatMap((p) => [p?.localAddress, p?.remoteAddress]),
      r.publicAddress?.address,
      r.visitor?.address,
    ].filter((a): a is string => typeof a === 'string' && a !== '' && a !== REDACTED),
  );
}

const ADDRESS_KEYS = new Set(['address', 'relatedAddress', 'localAddress', 'remoteAddress']);
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
  const own = options.redactIps ? [...ownAddresses(draft)].sort((a, b) => b.length - a.length) : [];
  const ownText =
    own.length > 0
      ? new RegExp(`(?<![\\w.])(?:${own.map(escapeRegExp).join('|')})(?!\\w|\\.\\d)`, 'g')
      : null;
  const clean = mapStrings(draft, (s, key) => {
    if (key === 'url') return sanitizeUrl(s);
    if (NOT_FREE_TEXT.has(key)) return s;
    const out = secrets ? s.replace(secrets, REDACTED) : s;
    if (!options.redactIps) return out;
    if (ADDRESS_KEYS.has(key)) return REDACTED;
    return ownText ? out.replace(ownText, REDACTED) : out;
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
