import pc from 'picocolors';
import type { FamilyProbe } from '../../report/probe-family-schema.js';
import type { ProbeReport } from '../../report/schema.js';
import { formatAddress } from '../../wire/address.js';

const show = (v: string | boolean | null): string => (v === null ? pc.dim('unknown') : String(v));

/**
 * One block per address family of a dual-stack probe report (`ipv4`, `ipv6`): its plain line, then
 * UDP, public and local address, NAT, mapping, filtering and the RFC 3489 label, or why it was not tested.
 * Empty for reports without family blocks (written before issue 16).
 */
export function renderFamilyBlocks(r: Pick<ProbeReport, 'ipv4' | 'ipv6'>): string[] {
  const lines: string[] = [];
  for (const f of [r.ipv4, r.ipv6]) if (f) lines.push(...familyBlock(f), '');
  return lines;
}

function familyBlock(f: FamilyProbe): string[] {
  const name = f.family === 'ipv4' ? 'IPv4' : 'IPv6';
  if (!f.tested) return [`${pc.bold(name)} ${pc.dim(`not tested — ${f.reasons.tested ?? f.summary}`)}`];
  const why = (field: string): string => (f.reasons[field] ? pc.dim(` — ${f.reasons[field]}`) : '');
  const rows: [string, string, string][] = [
    ['UDP', f.udpStatus, why('udp')],
    ['Public address', show(f.publicAddress ? formatAddress(f.publicAddress) : null), ''],
    ['Local address', show(f.localAddress ? formatAddress(f.localAddress) : null), ''],
    ['NAT present', show(f.natPresent), why('natPresent')],
    ['Mapping', show(f.mapping), `${pc.dim(` [${f.mappingMethod}]`)}${why('mapping')}`],
    ['Filtering', show(f.filtering), why('filtering')],
    ['RFC 3489 type', show(f.legacyNatType), why('legacyNatType')],
  ];
  return [
    `${pc.bold(name)} ${f.summary}`,
    ...rows.map(([k, v, w]) => `  ${k.padEnd(17)} ${v}${w}`),
    ...(f.rfc5780Server ? [`  ${'RFC 5780 server'.padEnd(17)} ${f.rfc5780Server}`] : []),
  ];
}
