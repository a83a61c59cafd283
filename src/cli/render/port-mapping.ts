import pc from 'picocolors';
import type { PortMapping, PortMappingProtocol, UpstreamNat } from '../../report/port-mapping-schema.js';

const NAMES: Record<PortMappingProtocol['protocol'], string> = {
  'upnp-igd': 'UPnP IGD',
  'nat-pmp': 'NAT-PMP',
  pcp: 'PCP',
};

/** The upstream-NAT verdict in words: what it means for port forwarding (issue 16 §1, §3). */
const VERDICT_WORDS: Record<UpstreamNat, string> = {
  none: 'no NAT above your router: its public side is the address the internet sees',
  'double-nat':
    'double NAT: your router sits behind another NAT — port forwarding on your router alone will not make you reachable',
  'carrier-grade-nat':
    "double NAT / carrier-grade NAT: your router's own public side is 100.64.x.x (shared address space); another NAT at your carrier translates again — port forwarding on your router will not make you reachable",
};

const yesNo = (v: boolean | null, yes: string, no: string): string =>
  v === null ? '' : v ? pc.green(yes) : pc.yellow(no);

function protocolLine(p: PortMappingProtocol): string {
  if (!p.answered)
    return `  ${NAMES[p.protocol].padEnd(17)} ${pc.dim(`no answer${p.error ? ` — ${p.error}` : ''}`)}`;
  const parts = [
    pc.green('answers'),
    p.rttMs === null ? '' : `${p.rttMs} ms`,
    p.externalAddress ? `external ${p.externalAddress}` : '',
    yesNo(p.mappingCreated, 'mapping created', 'no mapping'),
    yesNo(p.mappingRemoved, 'and removed', 'NOT removed (it expires by itself)'),
  ].filter(Boolean);
  return `  ${NAMES[p.protocol].padEnd(17)} ${parts.join(', ')}${p.error ? pc.dim(` — ${p.error}`) : ''}`;
}

/**
 * The `Port mapping` block of the probe's text: the upstream-NAT verdict in words (or unknown with the
 * reason), then one line per protocol. The block is empty when the report has no `portMapping`.
 */
export function renderPortMapping(m: PortMapping | undefined): string[] {
  if (!m) return [];
  const reason = m.reasons.upstreamNat;
  const verdict =
    m.upstreamNat === null
      ? `${pc.dim('upstream NAT unknown')}${reason ? pc.dim(` — ${reason}`) : ''}`
      : `${m.upstreamNat === 'none' ? VERDICT_WORDS.none : pc.yellow(VERDICT_WORDS[m.upstreamNat])}${reason ? pc.dim(` (${reason})`) : ''}`;
  return ['', pc.bold('Port mapping'), `  ${verdict}`, ...m.protocols.map(protocolLine)];
}
