// Start-up benchmark (issue 11 §3): wall time of `ice-doctor --version`, `--help` and a full loopback probe
// report, JSON and text (mapping + filtering against the bundled server on 127.0.0.1/127.0.0.2), each the median of N
// runs, beside `node -e 0` measured in the same run, interleaved (the ratio is the target: `--version` ≤ 1.5×).
// Writes bench/results/startup-<label>-<timestamp>.json and prints a table.
//
// Usage: `node bench/startup-bench.mjs [--cli PATH] [--label NAME] [--runs N]`
//   --cli    the CLI entry to time (default dist/cli.js of this checkout; point it at another build to compare)
//   --label  a word in the result file name and JSON (default "current")
//   --runs   runs per command (default 15; env BENCH_RUNS)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    cli: { type: 'string', default: new URL('../dist/cli.js', import.meta.url).pathname },
    label: { type: 'string', default: 'current' },
    runs: { type: 'string', default: process.env.BENCH_RUNS ?? '15' },
  },
});
const runs = Math.min(Math.max(Number.parseInt(values.runs, 10) || 15, 1), 200);

/** Runs `node args…` once to completion; returns its wall time in ms (throws when it fails). */
function timeOnce(args) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** Median, min and max of a list of timings, in ms. */
function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const round = (x) => Math.round(x * 10) / 10;
  return {
    medianMs: round(median),
    minMs: round(sorted[0]),
    maxMs: round(sorted.at(-1)),
    samplesMs: samples.map(round),
  };
}

/**
 * Times every command `runs` times, interleaved (round i runs each command once), after one warm-up round,
 * so a load that comes and goes on the machine weighs on each command alike.
 */
function measureAll(commands) {
  for (const args of Object.values(commands)) timeOnce(args);
  const samples = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < runs; i++)
    for (const [name, args] of Object.entries(commands)) samples[name].push(timeOnce(args));
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, stats(v)]));
}

/** Starts the bundled server on loopback (two IPs, free ports, no TLS, no page) and reads its JSON line. */
async function startServer() {
  const child = spawn(
    process.execPath,
    [
      values.cli,
      'serve',
      '--listen',
      '127.0.0.1,127.0.0.2',
      '--port',
      '0',
      '--no-tls',
      '--no-report',
      '--json',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('serve did not print its endpoints within 15 s')),
      15_000,
    );
    createInterface({ input: child.stdout }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
  const { udp } = JSON.parse(line);
  return { child, port: udp[0].port };
}

const server = await startServer();
let results;
try {
  const probeArgs = [values.cli, 'probe', '--json', `stun:127.0.0.1:${server.port}`];
  results = measureAll({
    nodeBaseline: ['-e', '0'],
    version: [values.cli, '--version'],
    help: [values.cli, '--help'],
    probeLoopback: probeArgs,
    probeLoopbackText: probeArgs.filter((a) => a !== '--json'),
  });
} finally {
  server.child.kill('SIGTERM');
}
const ratio = Math.round((results.version.medianMs / results.nodeBaseline.medianMs) * 100) / 100;
const out = {
  label: values.label,
  cli: values.cli,
  node: process.version,
  runs,
  date: new Date().toISOString(),
  results,
  versionRatioToNode: ratio,
  target: { versionRatioToNode: 1.5, met: ratio <= 1.5 },
};
const dir = new URL('results/', import.meta.url);
mkdirSync(dir, { recursive: true });
const file = new URL(`startup-${values.label}-${out.date.replace(/[:.]/g, '-')}.json`, dir);
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
for (const [name, r] of Object.entries(results))
  process.stdout.write(
    `${name.padEnd(14)} median ${String(r.medianMs).padStart(7)} ms  (min ${r.minMs}, max ${r.maxMs})\n`,
  );
process.stdout.write(`--version / node -e 0 = ${ratio} (target ≤ 1.5)\nwrote ${file.pathname}\n`);
