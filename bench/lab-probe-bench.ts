/**
 * Wall time of ice-doctor's NAT report in NAT lab scenario 1 (`masquerade`), as a user sees it (spawn to
 * exit, from lan), against the issue 11 targets:
 * - `probe --json stun:203.0.113.10:3478` against coturn (a good RFC 5780 server): median ≤ 350 ms, also
 *   given as a ratio to `node -e 0` run the same way in the same run;
 * - the main job `--json --server DEAD LIAR GOOD` (a black-holed address, a server advertising its own IP as
 *   OTHER-ADDRESS, coturn; see lab/liar-lab.ts): the good server's verdicts within 1.5 s.
 * The three commands are interleaved, N runs each, the scenario (conntrack) reset before every run; each
 * verdict is judged against the scenario's truth. Writes bench/results/lab-probe-<timestamp>.json.
 *
 * Usage (root, after `npm run build`): `node bench/lab-probe-bench.mjs [--runs N] [--label TEXT]`; N also from
 * env `BENCH_RUNS` (default 15, 1..100); the label (e.g. `before`, `after`) is stored in the results.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB_SERVERS, type LabServer, runFromLan, startLabServers } from '../lab/liar-lab.js';
import { CLI_PATH } from '../lab/paths.js';
import { durationStats, formatTable } from '../lab/stats.js';
import {
  formatVerdict,
  mainJobVerdicts,
  probeVerdicts,
  untrustedNamed,
  verdictProblems,
} from '../lab/verdict-judge.js';
import { nsRun } from '../src/lab/exec.js';
import { applyScenario, PROBE_EXPECTED } from '../src/lab/scenarios.js';
import type { Lab } from '../src/lab/topology.js';
import { withLab } from './with-lab.js';

const SCENARIO = 'masquerade';
const MAX_RUNS = 100;
/** Issue 11 targets, in ms of wall time (median). */
const TARGETS = { probeMedianMs: 350, mainDeadLiarGoodMedianMs: 1500 } as const;
const MAIN_SERVERS: readonly LabServer[] = ['dead', 'liar', 'good'];

/** A measured command. */
type Subject = 'node -e 0' | 'probe' | 'main';

/** One timed run of one subject. */
interface RunRecord {
  subject: Subject;
  run: number;
  durationMs: number;
  exitCode: number | null;
  /** Verdicts in one line; null for `node -e 0`. */
  verdict: string | null;
  /** What was wrong with the verdicts (empty: the truth); `node -e 0` has none. */
  problems: string[];
}

/** Reads `--runs N` (or env BENCH_RUNS, default 15) and `--label TEXT`. */
function parseArgs(argv: readonly string[]): { runs: number; label: string | null } {
  let runs = Number.parseInt(process.env.BENCH_RUNS ?? '15', 10);
  let label: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') runs = Number.parseInt(argv[++i] ?? '', 10);
    else if (argv[i] === '--label') label = argv[++i] ?? null;
    else throw new Error(`unknown argument ${String(argv[i])}; use --runs N, --label TEXT`);
  }
  if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS)
    throw new Error(`--runs must be 1..${MAX_RUNS}`);
  return { runs, label };
}

async function nodeBaseline(lab: Lab, run: number): Promise<RunRecord> {
  const r = await nsRun(lab.ns.lan, process.execPath, ['-e', '0'], { check: false });
  const durationMs = Math.round(r.durationMs);
  return { subject: 'node -e 0', run, durationMs, exitCode: r.code, verdict: null, problems: [] };
}

async function report(lab: Lab, subject: 'probe' | 'main', run: number): Promise<RunRecord> {
  const servers: readonly LabServer[] = subject === 'probe' ? ['good'] : MAIN_SERVERS;
  const r = await runFromLan(lab, subject, servers, null);
  const base = { subject, run, durationMs: r.durationMs, exitCode: r.exitCode };
  if (!r.report) return { ...base, verdict: null, problems: [r.error ?? 'no report'] };
  const got = subject === 'probe' ? probeVerdicts(r.report) : mainJobVerdicts(r.report);
  const problems = verdictProblems(PROBE_EXPECTED[SCENARIO], got, 'exact');
  if (servers.includes('liar') && !untrustedNamed(r.report, LAB_SERVERS.liar))
    problems.push('liar not named untrusted');
  return { ...base, verdict: formatVerdict(got.verdict), problems };
}

async function main(): Promise<void> {
  const { runs, label } = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const records: RunRecord[] = [];
  const measured = await withLab('lab-probe-bench', async (lab) => {
    await startLabServers(lab);
    for (let run = 1; run <= runs; run++) {
      for (const measure of [
        () => nodeBaseline(lab, run),
        () => report(lab, 'probe', run),
        () => report(lab, 'main', run),
      ]) {
        await applyScenario(lab, SCENARIO);
        const record = await measure();
        records.push(record);
        const status = record.problems.length === 0 ? 'ok' : `WRONG (${record.problems.join('; ')})`;
        process.stderr.write(`#${run} ${record.subject}: ${record.durationMs} ms ${status}\n`);
      }
    }
  });
  if (!measured) return;

  const subjects: Subject[] = ['node -e 0', 'probe', 'main'];
  const summary = subjects.map((subject) => {
    const mine = records.filter((r) => r.subject === subject);
    return {
      subject,
      runs: mine.length,
      correct: mine.filter((r) => r.problems.length === 0).length,
      ...durationStats(mine.map((r) => r.durationMs)),
    };
  });
  const median = (s: Subject): number | null => summary.find((x) => x.subject === s)?.medianMs ?? null;
  const node = median('node -e 0');
  const probe = median('probe');
  const mainJob = median('main');
  const ratio = (v: number | null): number | null =>
    v === null || node === null || node === 0 ? null : Math.round((v / node) * 100) / 100;
  const targets = {
    probeMedianMs: { target: TARGETS.probeMedianMs, measured: probe, ratioToNode: ratio(probe) },
    mainDeadLiarGoodMedianMs: {
      target: TARGETS.mainDeadLiarGoodMedianMs,
      measured: mainJob,
      ratioToNode: ratio(mainJob),
    },
  };
  const met = {
    probe: probe !== null && probe <= TARGETS.probeMedianMs,
    mainDeadLiarGood: mainJob !== null && mainJob <= TARGETS.mainDeadLiarGoodMedianMs,
  };
  const commands = {
    'node -e 0': `ip netns exec LAN ${process.execPath} -e 0`,
    probe: `node ${CLI_PATH} probe --json ${LAB_SERVERS.good}`,
    main: `node ${CLI_PATH} --json --server ${MAIN_SERVERS.map((s) => LAB_SERVERS[s]).join(' ')}`,
  };
  const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
  const file = join(resultsDir, `lab-probe-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(resultsDir, { recursive: true });
  const environment = { node: process.version, kernel: release(), loadAverage: loadAverage() };
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        label,
        scenario: SCENARIO,
        runs,
        environment,
        commands,
        targets,
        met,
        summary,
        records,
      },
      null,
      2,
    )}\n`,
  );
  const ms = (v: number | null): string => (v === null ? '-' : String(v));
  process.stdout.write(
    `${formatTable(
      ['subject', 'median ms', 'min ms', 'max ms', 'ratio to node -e 0', 'correct'],
      summary.map((s) => [
        s.subject,
        ms(s.medianMs),
        ms(s.minMs),
        ms(s.maxMs),
        String(ratio(s.medianMs) ?? '-'),
        s.subject === 'node -e 0' ? '-' : `${s.correct}/${s.runs}`,
      ]),
    )}\n\ntargets met: probe ≤ ${TARGETS.probeMedianMs} ms ${met.probe}, main [dead, liar, good] ≤ ${TARGETS.mainDeadLiarGoodMedianMs} ms ${met.mainDeadLiarGood}\nresults: ${file}\n`,
  );
}

/** The 1/5/15-minute load averages at the end, so a result from a busy machine says so. */
function loadAverage(): number[] {
  return loadavg().map((v) => Math.round(v * 100) / 100);
}

await main();
