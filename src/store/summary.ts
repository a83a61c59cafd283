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
 * The page's verdicts that say calls from this network must go through a relay (src/web/page/verdict.ts,
 * verdict-tls-443.ts): no STUN answer but a relay works, UDP blocked with TURN/TCP or TLS working, only TLS on
 * 443 through a proxy, and a two-peer call that went through TURN.
 */
const MUST_RELAY = new Set([
  'relayed',
  'relay-only',
  'udp-blocked-tls-works',
  'udp-blocked-tcp-works',
  'only-tls-443',
]);

/**
 * Whether calls from the visitor's network needed a relay, from evidence only: the two-peer call's selected
 * pair when there was one (null when the visitor forced relay-only: a relay pair then proves nothing);
 * otherwise the verdict — true for {@link MUST_RELAY}, false for `direct` (UDP works behind no NAT or an
 * endpoint-independent mapping), null for every other verdict. Never from the page's own call
 * (`selectedPair`): both its ends are in one browser, so it pairs host candidates whatever the network.
 */
function relayNeeded(report: BrowserReport): boolean | null {
  const peerPair = report.peer?.selectedPair ?? null;
  if (peerPair) return report.iceTransportPolicy === 'relay' ? null : isRelayPair(peerPair);
  if (MUST_RELAY.has(report.verdict.code)) return true;
  return report.verdict.code === 'direct' ? false : null;
}

/**
 * The store's columns of a browser report (pure; src/report/browser-schema.ts):
 * - `verdict`: `verdict.code`;
 * - `mapping`, `filtering`: the report's RFC 4787 NAT fields as they are (null = unknown; a browser report's
 *   `filtering` is always null);
 * - `transportsOk`: the path kinds with at least one path that worked ({@link pathWorked}), each once, in the
 *   order `stun`, `turn-udp`, `turn-tcp`, `turns`;
 * - `relayNeeded`: see {@link relayNeeded} (true / false / null = not known);
 * - `tlsOnly`: the page's verdict is `only-tls-443` — UDP got nothing back and only TURN over TLS on port 443
 *   worked (verdict-tls-443.ts); TLS on another port with UDP blocked is `udp-blocked-tls-works`, not this.
 */
export function summarizeReport(report: BrowserReport): ReportColumns {
  const worked = new Set(report.paths.filter(pathWorked).map((p) => p.kind));
  const transportsOk = KIND_ORDER.filter((k) => worked.has(k));
  return {
    verdict: report.verdict.code,
    mapping: report.mapping,
    filtering: report.filtering,
    transportsOk,
    relayNeeded: relayNeeded(report),
    tlsOnly: report.verdict.code === 'only-tls-443',
  };
}
