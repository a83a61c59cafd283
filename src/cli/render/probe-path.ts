import pc from 'picocolors';
import { COMMON_KEEP_ALIVE_S } from '../../client/nat-probe/keep-alive.js';
import type { ProbeReport } from '../../report/schema.js';

/** One row of the probe's text: label, value, dimmed detail. */
type Row = [string, string, string];

/**
 * The `Keep-alive` row (issue 16 §6): the interval from `keepAliveS` in words, or the reason there is none;
 * no row when the binding lifetime was not measured.
 */
export function keepAliveRow(r: ProbeReport): Row[] {
  if (r.keepAliveS !== undefined) {
    const common = `many apps use ${COMMON_KEEP_ALIVE_S.min}–${COMMON_KEEP_ALIVE_S.max} s`;
    const slow =
      r.keepAliveS < COMMON_KEEP_ALIVE_S.min ? `; ${common}, too seldom for this network` : `; ${common}`;
    return [
      [
        'Keep-alive',
        `send a keep-alive (STUN Binding indication or ICE consent check) at least every ${r.keepAliveS} s`,
        pc.dim(` — half the shortest binding lifetime seen${slow}`),
      ],
    ];
  }
  const reason = r.reasons.keepAliveS;
  return reason ? [['Keep-alive', pc.dim('unknown'), pc.dim(` — ${reason}`)]] : [];
}

/**
 * The `Path MTU` row (issue 16 §5): the largest datagram that came back, which way, the smallest lost, and
 * the meaning; or the reason it is unknown. No row when the measure was not run (`--no-path-mtu`).
 */
export function pathMtuRow(r: ProbeReport): Row[] {
  const m = r.pathMtu;
  if (!m) return [];
  if (m.largestDatagramBytes === null)
    return [['Path MTU', pc.dim('unknown'), pc.dim(` — ${m.reason ?? m.meaning}`)]];
  const way = m.direction === 'both-ways' ? 'both ways' : 'to the server';
  const lost = m.smallestLostBytes === null ? '' : `, ${m.smallestLostBytes} lost`;
  const value = `${m.largestDatagramBytes} bytes ${way}${lost}`;
  return [['Path MTU', m.smallestLostBytes === null ? value : pc.yellow(value), pc.dim(` — ${m.meaning}`)]];
}
