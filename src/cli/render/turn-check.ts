import pc from 'picocolors';
import type { TurnCheckReport, TurnStep, TurnTargetReport } from '../../report/schema.js';
import { formatAddress } from '../../wire/address.js';
import { proxyLines, viaProxyWords } from './proxy.js';
import { alternateWords } from './turn-alternate.js';
import { certificateLine } from './turn-certificate.js';
import { nodeTableLines } from './turn-nodes.js';
import { qualityLine } from './turn-quality.js';
import { reachLines } from './turn-reach.js';

const STATUS = {
  ok: pc.green('ok  '),
  warn: pc.yellow('warn'),
  fail: pc.red('FAIL'),
  skipped: pc.dim('skip'),
} as const;

function stepLine(s: TurnStep): string {
  const ms = s.durationMs === null ? '' : `${s.durationMs} ms`;
  const sent = s.sent > 1 ? pc.dim(` (${s.sent} sent)`) : '';
  const detail = s.status === 'skipped' ? pc.dim(s.detail) : s.detail;
  return `    ${STATUS[s.status]} ${s.name.padEnd(27)} ${ms.padStart(10)}  ${detail}${sent}`;
}

/** `relays IPv6 (not IPv4)`, `relays IPv4 and IPv6`, or null when nothing is known. */
function familiesWords(f: TurnTargetReport['relayFamilies']): string | null {
  const yes = (['IPv4', 'IPv6'] as const).filter((x) => f[x] === true);
  const no = (['IPv4', 'IPv6'] as const).filter((x) => f[x] === false);
  if (yes.length === 0 && no.length === 0) return null;
  if (yes.length === 0) return `does not relay ${no.join(' or ')}`;
  const relays = `relays ${yes.join(' and ')}`;
  return no.length > 0 ? `${relays} (not ${no.join(', ')})` : relays;
}

function targetLines(t: TurnTargetReport): string[] {
  const mark = t.ok ? pc.green('✔') : pc.red('✘');
  const server = t.server ? ` ${formatAddress(t.server)}` : '';
  const who = `${t.credentials === 'rest' ? 'REST user' : 'user'} ${t.username}${t.realm ? `, realm ${t.realm}` : ''}`;
  const lines = [
    `${mark} ${pc.bold(t.url)}${server}${viaProxyWords(t.viaProxy)}  ${pc.dim(`${who}, ${t.durationMs} ms`)}`,
  ];
  const facts = [
    t.relayedAddress ? `relayed ${formatAddress(t.relayedAddress)}` : null,
    t.mappedAddress ? `mapped ${formatAddress(t.mappedAddress)}` : null,
    t.lifetimeS !== null ? `lifetime ${t.lifetimeS} s` : null,
    familiesWords(t.relayFamilies),
    t.tlsVerified === false ? pc.yellow('certificate NOT verified') : null,
  ].filter((x): x is string => x !== null);
  if (facts.length > 0) lines.push(`    ${facts.join('   ')}`);
  if (t.alternate) lines.push(`    redirected: ${alternateWords(t.alternate)}`);
  const certificate = certificateLine(t);
  if (certificate) lines.push(certificate);
  const skipped = t.steps.filter((s) => s.status === 'skipped');
  for (const s of t.steps) if (s.status !== 'skipped') lines.push(stepLine(s));
  if (skipped.length > 0) {
    const names =
      skipped.length > 3
        ? `${skipped[0]!.name} … ${skipped.at(-1)!.name}`
        : skipped.map((s) => s.name).join(', ');
    lines.push(
      `    ${STATUS.skipped} ${pc.dim(`${skipped.length} step${skipped.length === 1 ? '' : 's'} not run (${names}): ${skipped[0]!.detail.replace(/^not run: /, '')}`)}`,
    );
  }
  if (t.quality) lines.push(qualityLine(t.quality));
  lines.push(...reachLines(t));
  for (const d of t.diagnoses) {
    const sign = d.severity === 'fail' ? pc.red('✘') : pc.yellow('!');
    lines.push(`  ${sign} ${pc.bold(d.code)}: ${d.message}`);
  }
  return lines;
}

/**
 * Renders a `turn-check` report as human text: the one-line verdict first, then per target the addresses,
 * one line per step that ran (status, ms, detail), one line for the steps that did not, and each finding in
 * plain words. Colours come from picocolors: on for a TTY, or
 * when CI or FORCE_COLOR is set; NO_COLOR turns them off in every case.
 */
export function renderTurnCheckText(r: TurnCheckReport): string {
  const lines = [`${r.ok ? pc.green('●') : pc.red('●')} ${pc.bold(r.summary)}`, ''];
  lines.push(...proxyLines(r.proxy));
  lines.push(...nodeTableLines(r.targets));
  for (const t of r.targets) lines.push(...targetLines(t), '');
  lines.push(pc.dim(`Finished in ${r.durationMs} ms.`));
  return lines.join('\n');
}
