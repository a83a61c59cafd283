import type { BrowserReport } from './browser-schema.js';

/**
 * Removing a visitor's IP addresses from a browser report (`kind: 'browser'`, src/report/browser-schema.ts).
 * Browser-safe (no `node:`): the page's export (src/web/page/report-export.ts) and the report server's
 * support-link ingest (src/support-links/scrub-ips.ts) use the same rule.
 */

/** The value that replaces a removed address (or, in the page's export, a secret). */
export const REDACTED = 'redacted';

/** The parts of a browser report that hold the visitor's addresses (a draft or a finished report). */
export type AddressBearing = Pick<
  BrowserReport,
  'candidates' | 'candidateErrors' | 'selectedPair' | 'peer' | 'paths' | 'publicAddress' | 'visitor'
>;

/** Member names whose string value is an address of the browser or of its candidate pairs. */
export const ADDRESS_KEYS: ReadonlySet<string> = new Set([
  'address',
  'relatedAddress',
  'localAddress',
  'remoteAddress',
]);

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The addresses of this browser a report holds: candidates, error sockets, pairs, public and visitor address. */
export function ownAddresses(r: AddressBearing): Set<string> {
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

/**
 * A function that removes the addresses of `report` from one string member: a member named in
 * {@link ADDRESS_KEYS} becomes {@link REDACTED} whole; any other string has each of the report's own
 * addresses ({@link ownAddresses}) replaced where it stands as a whole address (not inside a longer
 * number or name: `10.0.0.1` is not replaced inside `10.0.0.12`). The caller decides which members are
 * free text (the page keeps URLs and its own origin).
 * @param report the report (or draft) whose addresses are looked for.
 * @param extra more addresses to remove wherever they stand (the server adds the one it saw the upload from).
 * @returns `(text, key) → text`, where `key` is the member name the string sits under.
 */
export function addressRedactor(
  report: AddressBearing,
  extra: readonly string[] = [],
): (text: string, key: string) => string {
  const own = [...new Set([...ownAddresses(report), ...extra.filter((a) => a !== '')])].sort(
    (a, b) => b.length - a.length,
  );
  const pattern =
    own.length > 0
      ? new RegExp(`(?<![\\w.])(?:${own.map(escapeRegExp).join('|')})(?!\\w|\\.\\d)`, 'g')
      : null;
  return (text, key) => {
    if (ADDRESS_KEYS.has(key)) return REDACTED;
    return pattern ? text.replace(pattern, REDACTED) : text;
  };
}

/** Every string of `value` (deep), passed through `f`; `key` is the member name the string sits under. */
export function mapStrings(value: unknown, f: (s: string, key: string) => string, key = ''): unknown {
  if (typeof value === 'string') return f(value, key);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f, key));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f, k)]));
  return value;
}
