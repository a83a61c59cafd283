import type { BrowserReport, PathKind, PathResult, SelectedPair } from '../report/browser-schema.js';
import type { ReportColumns } from './types.js';

/** The order path kinds are listed in `transportsOk`. */
const KIND_ORDER: readonly PathKind[] = ['stun', 'turn-udp', 'turn-tcp', 'turns'];

/**
 * Whether a path of the matrix worked, exactly as the page's answer judges it (src/web/page/answer.ts
 * `worked`, chart-data.ts): a `stun` path worked when it gathered a server-reflexive candidate
 * (`gathered`); a TURN path (`turn-udp`, `turn-tcp`, `turns`) worked only when its relay proof — a loopback
 * call through that relay, both ends relay-only — succeeded (`proof.ok === true`); a relay candidate without
 * a proof, or a failed proof, is not "worked".
 */
export function pathWorked(path: Pick<PathResult, 'kind' | 'gathered' | 'proof'>): boolean {
  return path.kind === 'stun' ? path.gathered : path.proof?.ok === true;
}

/** True when either end of the pair is a relay candidate (RFC 8445 §5.1.1 type `relay`). */
function isRelayPair(pair: SelectedPair): boolean {
  return pair.localType === 'relay' || pair.remoteType === 'relay';
}

/**
 * The store's columns of a browser report (pure; src/report/browser-schema.ts):
 * - `verdict`: `verdict.code`;
 * - `mapping`, `filtering`: the report's RFC 4787 NAT fields as they are (null = unknown; a browser report's
 *   `filtering` is always null);
 * - `transportsOk`: the path kinds with at least one path that worked ({@link pathWorked}), each once, in the
 *   order `stun`, `turn-udp`, `turn-tcp`, `turns`;
 * - `relayNeeded`: from the page's own call's `selectedPair`: true when a relay candidate is on either end,
 *   false for a pair without one, null when no pair was selected;
 * - `tlsOnly`: `transportsOk` is exactly `['turns']`.
 */
export function summarizeReport(report: BrowserReport): ReportColumns {
  const worked = new Set(report.paths.filter(pathWorked).map((p) => p.kind));
  const transportsOk = KIND_ORDER.filter((k) => worked.has(k));
  return {
    verdict: report.verdict.code,
    mapping: report.mapping,
    filtering: report.filtering,
    transportsOk,
    relayNeeded: report.selectedPair === null ? null : isRelayPair(report.selectedPair),
    tlsOnly: transportsOk.length === 1 && transportsOk[0] === 'turns',
  };
}
