/**
 * NAT probe benchmark: in the namespace lab (test/natlab/), runs every router scenario N times and times,
 * side by side, a full mapping + filtering report by
 * - ice-doctor: `node dist/cli.js probe --json stun:203.0.113.10:3478` against coturn in pub,
 * - coturn's `turnutils_natdiscovery -m -f 203.0.113.10` against the same coturn,
 * - the classic RFC 3489 `stun 203.0.113.10:3480` client against `stund` in pub,
 * and whether each verdict was right. Writes bench/results/probe-<timestamp>.json and prints a table.
 *
 * Usage (root): `node bench/probe-bench.mjs [--runs N] [--scenarios a,b]`; N also from env `BENCH_RUNS`
 * (default 5, 1..100).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verdictMismatches } from '../lab/parsers.js';
import { startCoturn, startStund } from '../lab/servers.js';
import { durationStats, formatTable } from '../lab/stats.js';
import { runIceDoctorProbe, runNatDiscovery, runStunClient, type ToolRun } from '../lab/tools.js';
import {
  applyScenario,
  EXPECTED,
  PLAIN_SCENARIOS,
  PROBE_EXPECTED,
  type Scenario,
  type Verdict,
} from '../src/lab/scenarios.js';
import type { Lab } from '../src/lab/topology.js';
import { withLab } from './with-lab.js';

/** A benchmarked tool: how to run it from lan, and which verdict fields it claims to report. */
interface Tool {
  name: string;
  command: string;
  run: (lab: Lab) => Promise<ToolRun>;
  /** Fields compared with the expected verdict; the others the tool does not report. */
  compared: readonly (keyof Verdict)[];
  /** The verdict counted as correct per scenario (default: the truth, `EXPECTED`). */
  expected?: Readonly<Record<Scenario, Verdict>>;
}

const TOOLS: readonly Tool[] = [
  {
    name: 'ice-doctor',
    command: 'node dist/cli.js probe --json stun:203.0.113.10:3478 (coturn)',
    run: runIceDoctorProbe,
    compared: ['udp', 'natPresent', 'mapping', 'filtering', 'legacyNatType'],
    // The truth, or null where one RFC 5780 server cannot prove it (masquerade-random filtering).
    expected: PROBE_EXPECTED,
  },
  {
    name: 'natdiscovery',
    command: 'turnutils_natdiscovery -m -f -p 3478 203.0.113.10 (coturn)',
    run: runNatDiscovery,
    compared: ['udp', 'mapping', 'filtering'],
  },
  {
    name: 'stun',
    command: 'stun 203.0.113.10:3480 (stund)',
    run: runStunClient,
    compared: ['udp', 'legacyNatType'],
  },
];

/** One timed run of one tool in one scenario, as stored in the results file. */
interface RunRecord {
  scenario: Scenario;
  tool: string;
  run: number;
  durationMs: number;
  correct: boolean;
  mismatches: string[];
  verdict: Verdict | null;
  exitCode: number | null;
  error?: string;
}

const MAX_RUNS = 100;

/** Reads `--runs N` (or env BENCH_RUNS, default 5) and `--scenarios a,b` (default all). */
function parseArgs(argv: readonly string[]): { runs: number; scenarios: Scenario[] } {
  let runs = Number.parseInt(process.env.BENCH_RUNS ?? '5', 10);
  let scenarios: Scenario[] = [...PLAIN_SCENARIOS];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') runs = Number.parseInt(argv[++i] ?? '', 10);
    else if (argv[i] === '--scenarios') {
      const wanted = (argv[++i] ?? '').split(',');
      const unknown = wanted.filter((s) => !(PLAIN_SCENARIOS as readonly string[]).includes(s));
      if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}`);
      scenarios = wanted as Scenario[];
    } else throw new Error(`unknown argument ${String(argv[i])}; use --runs N, --scenarios a,b`);
  }
  if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS)
    throw new Error(`--runs must be 1..${MAX_RUNS}`);
  return { runs, scenarios };
}

/** Resets the scenario, runs one tool once and judges its verdict on the fields the tool reports. */
async function measure(lab: Lab, scenario: Scenario, tool: Tool, run: number): Promise<RunRecord> {
  await applyScenario(lab, scenario); // fresh conntrack and NAT sets for every tool run
  const result = await tool.run(lab);
  const mismatches =
    result.verdict === null
      ? ['no verdict']
      : verdictMismatches((tool.expected ?? EXPECTED)[scenario], result.verdict, tool.compared);
  return {
    scenario,
    tool: tool.name,
    run,
    durationMs: result.durationMs,
    correct: mismatches.length === 0,
    mismatches,
    verdict: result.verdict,
    exitCode: result.exitCode,
    ...(result.error === undefined ? {} : { error: result.error.slice(0, 500) }),
  };
}

/** Per scenario and tool: run count, correct count, min/median/max wall time. */
function summarize(records: readonly RunRecord[], scenarios: readonly Scenario[]) {
  return scenarios.flatMap((scenario) =>
    TOOLS.map((tool) => {
      const mine = records.filter((r) => r.scenario === scenario && r.tool === tool.name);
      return {
        scenario,
        tool: tool.name,
        runs: mine.length,
        correct: mine.filter((r) => r.correct).length,
        ...durationStats(mine.map((r) => r.durationMs)),
      };
    }),
  );
}

async function main(): Promise<void> {
  const { runs, scenarios } = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const records: RunRecord[] = [];
  const measured = await withLab('probe-bench', async (lab) => {
    await startCoturn(lab);
    await startStund(lab);
    for (const scenario of scenarios) {
      for (let run = 1; run <= runs; run++) {
        for (const tool of TOOLS) {
          const record = await measure(lab, scenario, tool, run);
          records.push(record);
          const status = record.correct ? 'ok' : `WRONG (${record.mismatches.join(', ')})`;
          process.stderr.write(`${scenario} #${run} ${tool.name}: ${record.durationMs} ms ${status}\n`);
        }
      }
    }
  });
  if (!measured) return;

  const summary = summarize(records, scenarios);
  const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
  const file = join(resultsDir, `probe-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(resultsDir, { recursive: true });
  const environment = { node: process.version, kernel: release() };
  const tools = TOOLS.map(({ name, command, compared }) => ({ name, command, compared }));
  writeFileSync(
    file,
    `${JSON.stringify({ startedAt: startedAt.toISOString(), runs, environment, tools, summary, records }, null, 2)}\n`,
  );
  const ms = (v: number | null): string => (v === null ? '-' : String(v));
  process.stdout.write(
    `${formatTable(
      ['scenario', 'tool', 'median ms', 'min ms', 'max ms', 'correct'],
      summary.map((s) => [
        s.scenario,
        s.tool,
        ms(s.medianMs),
        ms(s.minMs),
        ms(s.maxMs),
        `${s.correct}/${s.runs}`,
      ]),
    )}\n\nresults: ${file}\n`,
  );
}

await main();
