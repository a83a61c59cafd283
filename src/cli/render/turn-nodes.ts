import pc from 'picocolors';
import type { TurnTargetReport } from '../../report/schema.js';

/**
 * A target's result in a few words: `passed`, the first failure's code (else the first warning's), or `not
 * checked from this host` (a node this host cannot reach, `node-local.ts`).
 */
function resultWords(t: TurnTargetReport): string {
  const failed = t.diagnoses.find((d) => d.severity === 'fail');
  if (!t.ok) return pc.red(`✘ ${failed?.code ?? 'failed'}`);
  const warned = t.diagnoses.find((d) => d.severity === 'warn');
  if (warned?.code === 'node-not-checked-here') return pc.yellow('– not checked from this host');
  return warned ? pc.green(`✔ passed`) + pc.yellow(` (${warned.code})`) : pc.green('✔ passed');
}

/**
 * The side-by-side table of a host name with several addresses (issue 15 §2): for each URL whose targets
 * carry `node`, one line naming the URL and how many addresses it has, then one row per address — the
 * address, its RTT (the shortest round trip of a request answered at its first send, without an authentication retry: `nodeRttMs`, ms) and the result. Empty when no target has `node`.
 */
export function nodeTableLines(targets: readonly TurnTargetReport[]): string[] {
  const byUrl = new Map<string, TurnTargetReport[]>();
  for (const t of targets) if (t.node) byUrl.set(t.url, [...(byUrl.get(t.url) ?? []), t]);
  const lines: string[] = [];
  for (const [url, nodes] of byUrl) {
    const width = Math.max(7, ...nodes.map((t) => t.node!.address.length));
    const all = nodes[0]!.node!.addresses.length;
    lines.push(`${pc.bold(url)} ${pc.dim(`resolves to ${all} addresses, each checked:`)}`);
    lines.push(pc.dim(`    ${'address'.padEnd(width)}  ${'RTT'.padStart(10)}  result`));
    for (const t of nodes) {
      const rtt = t.node!.rttMs === null ? '—' : `${t.node!.rttMs} ms`;
      lines.push(`    ${t.node!.address.padEnd(width)}  ${rtt.padStart(10)}  ${resultWords(t)}`);
    }
    lines.push('');
  }
  return lines;
}
