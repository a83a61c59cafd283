import type { Verdict } from '../src/lab/scenarios.js';

/** The verdict fields judged, in report order. */
export const VERDICT_FIELDS = ['udp', 'natPresent', 'mapping', 'filtering', 'legacyNatType'] as const;

/** A verdict field. */
export type VerdictField = (typeof VERDICT_FIELDS)[number];

/** A {@link Verdict} where any field may be null (`udp` too: "not known", issue 11 §2). */
export type OpenVerdict = { [K in VerdictField]: Verdict[K] | null };

/** The verdicts of one report and the reasons it gives, keyed by field (`reasons` of the JSON contract). */
export interface ReportVerdicts {
  verdict: OpenVerdict;
  reasons: Readonly<Record<string, string>>;
}

/** How strictly a report is judged against the truth of its scenario. */
export type JudgeMode = 'exact' | 'exact-or-null';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The verdict fields and reasons of a probe-shaped JSON object (`probe --json`, or the main job's `public`).
 * Read as they are, without the schema, so a report whose contract changed is still judged field by field.
 * @throws Error when a field is missing.
 */
export function probeVerdicts(report: Json): ReportVerdicts {
  const verdict = {} as Record<VerdictField, unknown>;
  for (const field of VERDICT_FIELDS) {
    if (!(field in report)) throw new Error(`report has no "${field}"`);
    verdict[field] = report[field];
  }
  const reasons = isObject(report.reasons) ? (report.reasons as Record<string, string>) : {};
  return { verdict: verdict as OpenVerdict, reasons };
}

/**
 * The public verdicts of the main job's `--json` report: those of its `public` probe, or, when `public` is
 * null, every field null with `publicUnreachable` as the reason of each.
 * @throws Error when the report has neither.
 */
export function mainJobVerdicts(report: Json): ReportVerdicts {
  if (isObject(report.public)) return probeVerdicts(report.public);
  const why = typeof report.publicUnreachable === 'string' ? report.publicUnreachable : '';
  if (report.public !== null) throw new Error('main job report has no "public"');
  const verdict = Object.fromEntries(VERDICT_FIELDS.map((f) => [f, null])) as OpenVerdict;
  return { verdict, reasons: Object.fromEntries(VERDICT_FIELDS.map((f) => [f, why])) };
}

/**
 * What is wrong with `got` against `truth` (empty when nothing): a field differing from the truth is wrong
 * unless it is null with a non-empty reason and `mode` is `exact-or-null`; any null needs a reason.
 */
export function verdictProblems(truth: OpenVerdict, got: ReportVerdicts, mode: JudgeMode): string[] {
  const problems: string[] = [];
  for (const field of VERDICT_FIELDS) {
    const value = got.verdict[field];
    const reason = got.reasons[field];
    const reasoned = typeof reason === 'string' && reason.trim() !== '';
    if (value === null && !reasoned) problems.push(`${field}: null without a reason`);
    else if (value === truth[field]) continue;
    else if (value === null && mode === 'exact-or-null') continue;
    else problems.push(`${field}: ${JSON.stringify(value)}, truth ${JSON.stringify(truth[field])}`);
  }
  return problems;
}

/**
 * True when a report names the server of `url` as one it did not trust: listed in `untrustedServers` (an
 * array of `{url, reason}`), or its `host:port` mentioned by any `reasons` value; the main job's `public`
 * report is searched too. The one place to adapt if the probe names untrusted servers differently.
 */
export function untrustedNamed(report: Json, url: string): boolean {
  const listed = report.untrustedServers;
  if (Array.isArray(listed) && listed.some((u) => isObject(u) && u.url === url)) return true;
  const hostPort = url.replace(/^stuns?:/, '').split('?')[0] ?? url;
  if (isObject(report.reasons) && Object.values(report.reasons).some((r) => String(r).includes(hostPort)))
    return true;
  return isObject(report.public) && untrustedNamed(report.public, url);
}

const SHORT: Readonly<Record<string, string>> = {
  'endpoint-independent': 'EI',
  'address-dependent': 'AD',
  'address-and-port-dependent': 'APD',
};

/** One-line form of a verdict for tables: `udp nat map filt legacy`, behaviours abbreviated (EI/AD/APD). */
export function formatVerdict(v: OpenVerdict): string {
  const b = (x: string | null): string => (x === null ? 'null' : (SHORT[x] ?? x));
  return `udp=${String(v.udp)} nat=${String(v.natPresent)} map=${b(v.mapping)} filt=${b(v.filtering)} ${String(v.legacyNatType)}`;
}
