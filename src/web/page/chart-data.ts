import type { BrowserCandidate, PathKind, PathResult } from '../../report/browser-schema.js';
import type { PathTarget } from '../api-schema.js';
import { hostPort } from './address.js';
import { parseIceUrl } from './ice-url.js';
import type { ThroughputSample } from './throughput-meter.js';

/** What the page's charts (ui/charts.ts) draw, computed from the report's rows without the DOM. */

/** The candidate types of the gathering waterfall, in gathering order (RFC 8445 §5.1.1). */
export const WATERFALL_TYPES = ['host', 'srflx', 'relay'] as const;

const KIND_WORDS: Readonly<Record<PathKind, string>> = {
  stun: 'STUN',
  'turn-udp': 'TURN/UDP',
  'turn-tcp': 'TURN/TCP',
  turns: 'TURN/TLS',
};

/** Labels of the page's connections that are not paths of the matrix (plan.ts `CALL_PATH_ID`, the mapping probe). */
const OTHER_PATHS: Readonly<Record<string, string>> = {
  call: "The page's own call (every server)",
  mapping: 'Mapping probe (STUN servers at once)',
};

/**
 * A path in words: `STUN on 127.0.0.1:3478`, `TURN/TLS on turn.example.org:443` (`your …` for a visitor's
 * server, `server` = `visitor`), from the URL's host and port; the URL itself when it does not parse.
 */
export function pathLabel(kind: PathKind, url: string, server?: string): string {
  const u = parseIceUrl(url);
  const text = `${KIND_WORDS[kind]} on ${u ? hostPort(u.host, u.port) : url}`;
  return server === 'visitor' ? `your ${text}` : text;
}

/** How a finished path went, as the charts mark it. */
export type PathOutcome = 'works' | 'failed' | 'unclear';

/**
 * A STUN path's gathering that ended cleanly without srflx (ui/gathering.ts's text): the server may well have
 * answered, since browsers drop a srflx candidate equal to a host candidate (no NAT), and Firefox reports no
 * candidate error for a silent server either.
 */
const CLEAN_END_WITHOUT_SRFLX = /^gathering ended without a srflx candidate$/;

/**
 * How a path went: a TURN path `works` only with a relay proof that held, else `failed`; a STUN path `works`
 * with a srflx candidate, `failed` when its gathering hit an error or the deadline, and `unclear` when the
 * gathering simply ended without srflx (see {@link CLEAN_END_WITHOUT_SRFLX}).
 */
export function pathOutcome(path: PathResult): PathOutcome {
  if (path.kind !== 'stun') return path.proof?.ok === true ? 'works' : 'failed';
  if (path.gathered) return 'works';
  return path.error === undefined || CLEAN_END_WITHOUT_SRFLX.test(path.error) ? 'unclear' : 'failed';
}

const OUTCOME_MARK: Readonly<Record<PathOutcome, string>> = {
  works: '',
  failed: ' ✗ failed',
  unclear: ' (no srflx)',
};

/** {@link pathLabel} of a path result, with ` ✗ failed` or ` (no srflx)` after it ({@link pathOutcome}). */
export function resultLabel(path: PathResult, server?: string): string {
  return `${pathLabel(path.kind, path.url, server)}${OUTCOME_MARK[pathOutcome(path)]}`;
}

/** One path's row of the waterfall: when its first candidate of each type arrived (ms since the run started). */
export interface GatheringRow {
  pathId: string;
  /** The path in words ({@link resultLabel}), or the connection's name for the call and the mapping probe. */
  label: string;
  firstMs: Record<(typeof WATERFALL_TYPES)[number], number | null>;
}

/** The throughput samples of one path (see ui/throughput.ts). */
export interface ThroughputSeries {
  pathId: string;
  samples: ThroughputSample[];
}

/**
 * One row per target, in the targets' order (labelled in words, marked failed when its result in `paths`
 * failed), then one per other connection that gathered candidates (the policy-`all` call, the mapping probe,
 * named; an unknown id as itself). Each type's time is the earliest `tMs` of that type on that path, null
 * when none arrived; `prflx` (learnt from checks, not gathered) is left out.
 */
export function gatheringRows(
  candidates: readonly BrowserCandidate[],
  targets: readonly PathTarget[],
  paths: readonly PathResult[],
): GatheringRow[] {
  const rows = new Map<string, GatheringRow>();
  const row = (pathId: string, label: string): GatheringRow => ({
    pathId,
    label,
    firstMs: { host: null, srflx: null, relay: null },
  });
  for (const t of targets) {
    const result = paths.find((p) => p.id === t.id);
    const label = result ? resultLabel(result, t.server) : pathLabel(t.kind, t.iceServer.urls, t.server);
    rows.set(t.id, row(t.id, label));
  }
  for (const c of candidates) {
    if (c.type === 'prflx') continue;
    let r = rows.get(c.pathId);
    if (r === undefined) {
      r = row(c.pathId, OTHER_PATHS[c.pathId] ?? c.pathId);
      rows.set(c.pathId, r);
    }
    const first = r.firstMs[c.type];
    if (first === null || c.tMs < first) r.firstMs[c.type] = c.tMs;
  }
  return [...rows.values()];
}

/** A path's RTT in ms: its relay proof's data channel echo, else the proof's selected pair's STUN RTT, else null. */
export function pathRtt(path: PathResult): number | null {
  return path.proof?.rttMs ?? path.proof?.selectedPair?.rttMs ?? null;
}

/** Samples averaged for the smoothed throughput line. */
export const SMOOTHING_SAMPLES = 5;

/**
 * The throughput series smoothed by a trailing moving average over up to `window` samples (the first ones
 * over fewer): same times, kbit/s rounded to 0.1. `window` below 1 is taken as 1.
 */
export function movingAverage(
  samples: readonly ThroughputSample[],
  window = SMOOTHING_SAMPLES,
): ThroughputSample[] {
  const n = Math.max(1, Math.floor(window));
  return samples.map((s, i) => {
    const part = samples.slice(Math.max(0, i - n + 1), i + 1);
    const mean = part.reduce((sum, p) => sum + p.kbps, 0) / part.length;
    return { tMs: s.tMs, kbps: Math.round(mean * 10) / 10 };
  });
}

/** kbit/s in words: `850 kbit/s`, `12.3 Mbit/s` (1 Mbit = 1000 kbit). */
export function rateText(kbps: number): string {
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${Math.round(kbps)} kbit/s`;
}

/**
 * `label` broken at spaces into lines of at most `max` characters (a longer word stays whole), for chart axes
 * that give a row label a third of a phone's width.
 */
export function chartLines(label: string, max = 22): string[] {
  const lines: string[] = [];
  for (const word of label.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= max)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}
