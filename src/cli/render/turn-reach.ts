import pc from 'picocolors';
import type { TurnTargetReport } from '../../report/schema.js';
import type { ReachedPort } from '../../report/turn-reach-schema.js';

const VERDICT_WORDS = {
  reachable: 'reachable',
  'partly-reachable': 'partly reachable',
  closed: 'closed',
  'one-way': 'one way only',
  'relay-address-private': 'relayed address private',
  'not-public-address': 'relayed address not public',
} as const;

/** One port: `49161 ✔` both ways, `49170 ✘in` not from outside, `49185 ✘out` not back, `49190 –` not tried. */
function portMark(p: ReachedPort): string {
  const port = String(p.relayed.port);
  if (p.inbound === null) return `${port} ${pc.dim('–')}`;
  if (!p.inbound) return `${port} ${pc.red('✘in')}`;
  return p.outbound ? `${port} ${pc.green('✔')}` : `${port} ${pc.red('✘out')}`;
}

/**
 * The reach check of one target as text (`--no-outside-reach`: nothing): the verdict, how many of the relay
 * ports tried were reachable both ways from which address (ports never tried counted apart), each port's
 * mark, and the reason or limit.
 */
export function reachLines(t: TurnTargetReport): string[] {
  const r = t.outsideReach;
  if (!r) return [];
  const from = r.peerAddress ? ` from ${r.peerAddress.address}` : '';
  const marks = r.ports.length > 0 ? `  ${r.ports.map(portMark).join('  ')}` : '';
  const tried = r.ports.filter((p) => p.inbound !== null).length;
  const untried = r.ports.length - tried;
  const notTried = untried > 0 ? `, ${untried} not tried` : '';
  const counted =
    r.ports.length > 0 ? ` — ${r.reachable} of ${tried} relay ports tried both ways${from}${notTried}` : '';
  const verdict = r.verdict
    ? (r.verdict === 'reachable' ? pc.green : pc.red)(VERDICT_WORDS[r.verdict])
    : pc.yellow('not judged');
  const lines = [`    outside reach: ${verdict}${counted}${marks}`];
  if (r.reason) lines.push(`      ${pc.dim(r.reason)}`);
  return lines;
}
