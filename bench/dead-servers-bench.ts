/**
 * Dead and lying servers bench (issue 11 §1), on loopback: times `runProbe` with the server lists [good],
 * [dead, good] and [dead, liar, good] (good: the bundled RFC 5780 server on 127.0.0.1 + 127.0.0.2; dead:
 * UDP read and never answered, TCP accepted and silent; liar: OTHER-ADDRESS with its own IP, from
 * lab/misbehaving-stun.ts) and checks each report used the good server. Target: a dead server
 * never holds the report, so the lists with a dead one take about as long as [good] plus the calibrated
 * silence budget, far below the probe's 5000 ms deadline. Writes bench/results/dead-servers-<timestamp>.json
 * and prints a table.
 *
 * Usage: `node bench/dead-servers-bench.mjs [--runs N]` (default 5, 1..50).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServerMix } from '../lab/server-mix.js';
import { durationStats, formatTable } from '../lab/stats.js';
import { runProbe } from '../src/client/nat-probe/run-probe.js';

const TIMEOUT_MS = 5000;
const MAX_RUNS = 50;

function parseRuns(argv: readonly string[]): number {
  const i = argv.indexOf('--runs');
  const runs = i < 0 ? 5 : Number.parseInt(argv[i + 1] ?? '', 10);
  if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS)
    throw new Error(`--runs must be 1..${MAX_RUNS}`);
  return runs;
}

async function main(): Promise<void> {
  const runs = parseRuns(process.argv.slice(2));
  const startedAt = new Date();
  const mix = await startServerMix({
    good: ['127.0.0.1', '127.0.0.2'],
    dead: '127.0.0.1',
    liar: '127.0.0.1',
  });
  const { dead, liar, goodUrl } = mix;
  const lists: [string, string[]][] = [
    ['good', [goodUrl]],
    ['dead,good', [dead.url, goodUrl]],
    ['dead,liar,good', [dead.url, liar.url, goodUrl]],
  ];
  const records: { list: string; run: number; wallMs: number; usedGood: boolean }[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      for (const [list, urls] of lists) {
        const t = performance.now();
        const r = await runProbe({ urls, timeoutMs: TIMEOUT_MS });
        records.push({
          list,
          run,
          wallMs: Math.round(performance.now() - t),
          usedGood: r.rfc5780Server === goodUrl,
        });
      }
    }
  } finally {
    await mix.close();
  }
  const summary = lists.map(([list]) => {
    const mine = records.filter((r) => r.list === list);
    return {
      list,
      runs: mine.length,
      usedGood: mine.filter((r) => r.usedGood).length,
      ...durationStats(mine.map((r) => r.wallMs)),
    };
  });
  const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
  const file = join(resultsDir, `dead-servers-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(resultsDir, { recursive: true });
  const environment = {
    node: process.version,
    kernel: release(),
    cpus: cpus().length,
    loadavg1: loadavg()[0],
  };
  writeFileSync(
    file,
    `${JSON.stringify({ startedAt: startedAt.toISOString(), runs, timeoutMs: TIMEOUT_MS, environment, summary, records }, null, 2)}\n`,
  );
  const ms = (v: number | null): string => (v === null ? '-' : String(v));
  process.stdout.write(
    `${formatTable(
      ['servers', 'median ms', 'min ms', 'max ms', 'good server used'],
      summary.map((s) => [s.list, ms(s.medianMs), ms(s.minMs), ms(s.maxMs), `${s.usedGood}/${s.runs}`]),
    )}\n\nresults: ${file}\n`,
  );
}

await main();
