import pc from 'picocolors';
import type { ProbeReport } from '../../report/schema.js';
import { formatAddress } from '../../wire/address.js';
import { renderPortMapping } from './port-mapping.js';
import { renderFamilyBlocks } from './probe-families.js';
import { keepAliveRow, pathMtuRow } from './probe-path.js';
import { proxyLines, viaProxyWords } from './proxy.js';

const show = (v: string | boolean | null): string => (v === null ? pc.dim('unknown') : String(v));

function reasonOf(r: ProbeReport, field: string): string {
  const reason = r.reasons[field];
  return reason ? pc.dim(` — ${reason}`) : '';
}

/** The UDP row's value: works, blocked, or why it is unknown (`udpStatus` in words). */
const UDP_WORDS: Record<ProbeReport['udpStatus'], string> = {
  works: 'works',
  blocked: pc.red('blocked'),
  'server-unreachable': pc.dim('unknown (server unreachable)'),
  'not-tested': pc.dim('not tested'),
  'dns-failed': pc.dim('unknown (DNS failed)'),
  deadline: pc.dim('unknown (deadline reached)'),
};

/**
 * Renders a probe report as human text: the plain-language line first, then the RFC 4787 verdicts with
 * their reasons, the RFC 5780 server used and the servers not trusted (with why), reachability with RTTs,
 * and one line per test. Colours come from picocolors: on for a TTY, or
 * when CI or FORCE_COLOR is set; NO_COLOR turns them off in every case.
 */
export function renderProbeText(r: ProbeReport): string {
  const lines: string[] = [];
  const ok = r.udp && r.legacyNatType !== 'symmetric';
  lines.push(`${ok ? pc.green('●') : pc.yellow('●')} ${pc.bold(r.summary)}`);
  lines.push('');
  const pub = r.publicAddress ? formatAddress(r.publicAddress) : null;
  const rows: [string, string, string][] = [
    ['UDP', UDP_WORDS[r.udpStatus], reasonOf(r, 'udp')],
    ['Public address', show(pub), reasonOf(r, 'publicAddress')],
    ['Local address', show(r.localAddress ? formatAddress(r.localAddress) : null), ''],
    ['NAT present', show(r.natPresent), reasonOf(r, 'natPresent')],
    ['Mapping', show(r.mapping), `${pc.dim(` [${r.mappingMethod}]`)}${reasonOf(r, 'mapping')}`],
    ['Filtering', show(r.filtering), reasonOf(r, 'filtering')],
    ['RFC 3489 type', show(r.legacyNatType), reasonOf(r, 'legacyNatType')],
    ['Port preserved', show(r.portPreservation), reasonOf(r, 'portPreservation')],
    ['Hairpinning', show(r.hairpinning), reasonOf(r, 'hairpinning')],
    [
      'Binding lifetime',
      r.bindingLifetime ? `${r.bindingLifetime.minS}–${r.bindingLifetime.maxS ?? '∞'} s` : pc.dim('unknown'),
      reasonOf(r, 'bindingLifetime'),
    ],
    ...keepAliveRow(r),
    ...pathMtuRow(r),
  ];
  for (const [k, v, why] of rows) lines.push(`  ${k.padEnd(17)} ${v}${why}`);
  if (r.rfc5780Server) lines.push(`  ${'RFC 5780 server'.padEnd(17)} ${r.rfc5780Server}`);
  for (const u of r.untrustedServers)
    lines.push(`  ${'Not trusted'.padEnd(17)} ${pc.yellow(u.url)}${pc.dim(` — ${u.reason}`)}`);
  lines.push('');
  lines.push(...renderFamilyBlocks(r));
  lines.push(...proxyLines(r.proxy));
  lines.push(pc.bold('Reachability'));
  for (const x of r.reachability) {
    const state = x.reachable ? pc.green('ok') : pc.red('fail');
    const rtt = x.rttMs === null ? '' : ` ${x.rttMs} ms`;
    lines.push(
      `  ${state} ${x.url}${viaProxyWords(x.viaProxy)}${rtt}${x.error ? pc.dim(` — ${x.error}`) : ''}`,
    );
  }
  lines.push(...renderPortMapping(r.portMapping));
  lines.push('');
  lines.push(pc.bold('Tests'));
  for (const t of r.tests) {
    const src = t.replySource ? ` from ${formatAddress(t.replySource)}` : '';
    const mapped = t.mappedAddress ? ` mapped ${formatAddress(t.mappedAddress)}` : '';
    const rtt = t.rttMs === null ? '' : ` ${t.rttMs} ms`;
    const colour = t.verdict === 'ok' || t.verdict === 'hairpin' ? pc.green : pc.yellow;
    lines.push(
      `  ${t.name.padEnd(16)} ${colour(t.verdict.padEnd(17))} ${t.transport} ${t.target} sent ${t.requestsSent}${src}${mapped}${rtt}${t.detail ? pc.dim(` (${t.detail})`) : ''}`,
    );
  }
  lines.push('');
  lines.push(pc.dim(`Finished in ${r.durationMs} ms.`));
  return lines.join('\n');
}
