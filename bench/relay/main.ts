/**
 * Relay benchmark (`npm run bench`): on loopback, with the servers under test pinned to CPU 0 and the load
 * generator and echo peer (worker threads of this process) pinned to CPU 1, measures side by side
 * - ice-doctor's bundled TURN server (`node dist/cli.js serve`),
 * - coturn (`/usr/bin/turnserver`, one relay thread),
 * - a plain Node UDP forwarder (no STUN, no lookups: the practical limit of a JavaScript relay),
 * - the generator's own ceiling (generator straight to the echo peer),
 * then prints the table and writes bench/results/relay-<timestamp>.json.
 *
 * Usage: `node bench/relay-bench.mjs [--quick] [--out FILE] [--targets ice-doctor,coturn,forwarder,ceiling]
 * [--cpu-prof DIR] [--cli PATH]`. `--quick` is the CI smoke test's mode (tiny durations and counts, well under
 * 40 s); `--cpu-prof DIR` runs the Node servers (ice-doctor, forwarder) with `node --cpu-prof`, profiles in
 * DIR; `--cli PATH` benches another build of ice-doctor's CLI than dist/cli.js (before/after comparisons).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';
import { resolve } from 'node:path';
import { TURNSERVER } from '../../lab/coturn.js';
import {
  DEFINITIONS,
  type RelayBenchResults,
  TARGET_NAMES,
  type TargetName,
} from '../../lab/relay-bench-results.js';
import { BenchRun } from './bench-run.js';
import { checkGoals } from './goals.js';
import { CLI } from './ice-doctor-target.js';
import { pinProcess } from './pinned-child.js';
import { writeResults } from './results.js';
import { FULL, QUICK } from './settings.js';
import { renderTable } from './table.js';

interface Args {
  quick: boolean;
  out: string | undefined;
  targets: TargetName[];
  /** Node flags of the Node servers under test. */
  nodeFlags: string[];
  /** ice-doctor's CLI under test. */
  cli: string;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, out: undefined, targets: [...TARGET_NAMES], nodeFlags: [], cli: CLI };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') args.quick = true;
    else if (argv[i] === '--out') args.out = argv[++i];
    else if (argv[i] === '--cli') args.cli = resolve(argv[++i] ?? CLI);
    else if (argv[i] === '--cpu-prof') args.nodeFlags = ['--cpu-prof', '--cpu-prof-dir', argv[++i] ?? '.'];
    else if (argv[i] === '--targets') {
      const names = (argv[++i] ?? '').split(',');
      const bad = names.filter((n) => !(TARGET_NAMES as readonly string[]).includes(n));
      if (bad.length > 0)
        throw new Error(`unknown target(s) ${bad.join(', ')}; known: ${TARGET_NAMES.join(', ')}`);
      args.targets = names as TargetName[];
    } else throw new Error(`unknown argument ${argv[i]}`);
  }
  return args;
}

function coturnVersion(): string | null {
  if (!existsSync(TURNSERVER)) return null;
  try {
    return execFileSync(TURNSERVER, ['--version'], { encoding: 'utf8' }).trim().split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

/** Runs the bench, prints the table and the results path. */
export async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  const s = args.quick ? QUICK : FULL;
  const started = new Date();
  const cpus = availableParallelism();
  const pinned = cpus >= 2;
  if (pinned) pinProcess(process.pid, s.generatorCpu);
  else process.stderr.write('fewer than 2 CPUs: nothing is pinned, figures mix generator and server\n');
  const run = new BenchRun(s, args.nodeFlags, args.cli);
  const cleanup = (): void => {
    for (const pid of run.pids) process.kill(pid, 'SIGTERM');
  };
  process.once('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanup();
      process.exit(130);
    });
  }
  let targets: RelayBenchResults['targets'];
  try {
    targets = await run.run(args.targets, (line) => process.stderr.write(`relay bench: ${line}\n`));
  } finally {
    await run.close();
  }
  const goals = checkGoals(targets);
  const results: RelayBenchResults = {
    schemaVersion: 1,
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
    quick: args.quick,
    environment: { node: process.version, kernel: release(), cpus, coturn: coturnVersion() },
    settings: { ...s, pinned, iceDoctorCli: args.cli },
    definitions: DEFINITIONS,
    targets,
    goals,
  };
  process.stdout.write(`${renderTable(targets, goals, s.latency.ratePerS)}\n`);
  process.stdout.write(`results: ${writeResults(results, args.out)}\n`);
}
