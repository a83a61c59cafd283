/**
 * What the port-mapping step (UPnP IGD, NAT-PMP, PCP; issue 16 §3) costs the probe, in NAT lab scenario
 * `masquerade` against the bundled server: `probe --json` from lan, the report's `durationMs` and the wall
 * time (spawn to exit), for three cases interleaved, N runs each, the scenario reset before every run:
 * `--no-port-mapping`; a silent router (no miniupnpd: 250 ms in parallel, the bound); miniupnpd
 * answering all three (a test mapping created and removed per protocol). Writes
 * bench/results/port-mapping-<timestamp>.json.
 *
 * Usage (root, after `npm run build`): `node bench/port-mapping-bench.mjs [--runs N]` (default 10, 1..100).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_PATH } from '../lab/paths.js';
import { STUN_PORT, startIceDoctorServer } from '../lab/servers.js';
import { durationStats, formatTable } from '../lab/stats.js';
import { PROBE_URL } from '../lab/tools.js';
import { nsRun } from '../src/lab/exec.js';
import { startMiniupnpd } from '../src/lab/miniupnpd.js';
import type { LabProcess } from '../src/lab/processes.js';
import { applyScenario } from '../src/lab/scenarios.js';
import { ADDR } from '../src/lab/topology.js';
import { withLab } from './with-lab.js';

type Case = 'no-port-mapping' | 'silent-router' | 'miniupnpd';

interface RunRecord {
  case: Case;
  run: number;
  wallMs: number;
  reportMs: number | null;
  upstreamNat: string | null | undefined;
}

function parseRuns(argv: readonly string[]): number {
  const i = argv.indexOf('--runs');
  const runs = Number.parseInt(i >= 0 ? (argv[i + 1] ?? '') : (process.env.BENCH_RUNS ?? '10'), 10);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw new Error('--runs must be 1..100');
  return runs;
}

const runs = parseRuns(process.argv.slice(2));
const records: RunRecord[] = [];
await withLab('port-mapping-bench', async (lab) => {
  await applyScenario(lab, 'masquerade');
  await startIceDoctorServer(lab);
  let miniupnpd: LabProcess | null = null;
  for (let run = 1; run <= runs; run++) {
    for (const c of ['no-port-mapping', 'silent-router', 'miniupnpd'] as const) {
      if (c === 'miniupnpd' && miniupnpd === null)
        miniupnpd = await startMiniupnpd(lab, { stun: { host: ADDR.pubPrimary, port: STUN_PORT } });
      if (c !== 'miniupnpd' && miniupnpd !== null) {
        await miniupnpd.stop();
        miniupnpd = null;
      }
      await applyScenario(lab, 'masquerade');
      const args = [
        CLI_PATH,
        'probe',
        '--json',
        PROBE_URL,
        ...(c === 'no-port-mapping' ? ['--no-port-mapping'] : []),
      ];
      const r = await nsRun(lab.ns.lan, process.execPath, args, { check: false, timeoutMs: 20_000 });
      const report = JSON.parse(r.stdout || '{}') as {
        durationMs?: number;
        portMapping?: { upstreamNat: string | null };
      };
      records.push({
        case: c,
        run,
        wallMs: Math.round(r.durationMs),
        reportMs: report.durationMs ?? null,
        upstreamNat: report.portMapping?.upstreamNat,
      });
    }
  }
});
const cases = ['no-port-mapping', 'silent-router', 'miniupnpd'] as const;
const summary = cases.map((c) => {
  const mine = records.filter((r) => r.case === c);
  return {
    case: c,
    wall: durationStats(mine.map((r) => r.wallMs)),
    report: durationStats(mine.flatMap((r) => (r.reportMs === null ? [] : [r.reportMs]))),
    upstreamNat: [...new Set(mine.map((r) => String(r.upstreamNat)))],
  };
});
const startedAt = new Date();
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const file = join(dir, `port-mapping-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ bench: 'port-mapping', runs, loadavg: loadavg(), summary, records }, null, 2)}\n`,
);
process.stdout.write(
  `${formatTable(
    ['case', 'report median ms', 'wall median ms', 'wall max ms', 'upstreamNat'],
    summary.map((s) => [
      s.case,
      String(s.report.medianMs),
      String(s.wall.medianMs),
      String(s.wall.maxMs),
      s.upstreamNat.join(','),
    ]),
  )}\nresults: ${file}\n`,
);
