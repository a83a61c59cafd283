/**
 * The support-link store's benchmark (issue 17): fills SQLite (a temp data dir) and PostgreSQL 15 (a
 * private server, lab/private-postgres.ts, default durability settings) with BENCH_REPORTS (default 100,000)
 * realistic reports through `Store.collectReport` — verdicts, mappings, labels and receive times spread over
 * 90 days — and measures the ingest rate, then the dashboard's queries: the list's first page, a filtered
 * page (verdict; label substring), a deep cursor page (~90% down), and the aggregates over 30 and 90 days,
 * each BENCH_RUNS times (default 30, after 3 warm-ups): median and p95 against the goals (list ≤ 50 ms,
 * aggregates ≤ 200 ms). Writes bench/results/store-<timestamp>.json and prints a table SQLite vs PostgreSQL.
 * PostgreSQL is left out (and said so) when it cannot run here (lab/private-postgres.ts `postgresUnavailable`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleBrowserReport } from '../lab/browser-report-sample.js';
import { postgresUnavailable, startPostgres } from '../lab/private-postgres.js';
import { seededRandom } from '../lab/seeded-random.js';
import { formatTable } from '../lab/stats.js';
import type { PathKind } from '../src/report/browser-schema.js';
import { percentile } from '../src/shared/percentile.js';
import { openStore } from '../src/store/open-store.js';
import { summarizeReport } from '../src/store/summary.js';
import type { InviteRecord, ReportColumns, Store } from '../src/store/types.js';
import { newInviteId } from '../src/support-links/invite-token.js';

const REPORTS = Number(process.env.BENCH_REPORTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP = 3;
const INVITES = 2000;
const DAY_MS = 86_400_000;
const NOW_MS = Date.UTC(2026, 11, 6, 0, 0, 0);
const LIST_GOAL_MS = 50;
const AGGREGATE_GOAL_MS = 200;

function pick<T>(rand: () => number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let r = rand() * total;
  for (const [v, w] of weighted) {
    r -= w;
    if (r < 0) return v;
  }
  return weighted[weighted.length - 1]![0];
}

interface Outcome {
  verdict: string;
  worked: PathKind[];
  selected: ['host' | 'srflx' | 'relay', 'host' | 'srflx' | 'relay'] | null;
}

const OUTCOMES: readonly (readonly [Outcome, number])[] = [
  [{ verdict: 'direct', worked: ['stun', 'turn-udp', 'turn-tcp', 'turns'], selected: ['srflx', 'host'] }, 55],
  [{ verdict: 'relay-only', worked: ['turn-udp', 'turn-tcp', 'turns'], selected: ['relay', 'host'] }, 15],
  [{ verdict: 'udp-blocked-tls-works', worked: ['turns'], selected: ['relay', 'srflx'] }, 8],
  [{ verdict: 'udp-blocked-tcp-works', worked: ['turn-tcp', 'turns'], selected: ['relay', 'srflx'] }, 6],
  [
    {
      verdict: 'symmetric-nat',
      worked: ['stun', 'turn-udp', 'turn-tcp', 'turns'],
      selected: ['relay', 'srflx'],
    },
    10,
  ],
  [{ verdict: 'no-path', worked: [], selected: null }, 6],
];
const MAPPINGS = [
  ['endpoint-independent', 60],
  ['address-dependent', 8],
  ['address-and-port-dependent', 17],
  [null, 15],
] as const;
const CUSTOMERS = [
  'ACME',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Stark',
  'Wayne',
  'Tyrell',
  'Soylent',
  'Cyberdyne',
];

/** One precomputed report per outcome × mapping (the JSON differs by outcome; columns from summarizeReport). */
function reportShapes(): Map<string, { json: string; columns: ReportColumns }> {
  const shapes = new Map<string, { json: string; columns: ReportColumns }>();
  for (const [o] of OUTCOMES)
    for (const [m] of MAPPINGS) {
      const report = sampleBrowserReport({
        verdict: o.verdict,
        worked: o.worked,
        selected: o.selected,
        mapping: m,
      });
      shapes.set(`${o.verdict}/${m}`, { json: JSON.stringify(report), columns: summarizeReport(report) });
    }
  return shapes;
}

async function createInvites(store: Store): Promise<InviteRecord[]> {
  const rand = seededRandom(7);
  const invites: InviteRecord[] = [];
  for (let i = 0; i < INVITES; i++)
    invites.push(
      await store.createInvite({
        id: newInviteId(),
        label: `Ticket ${10_000 + i} — ${CUSTOMERS[Math.floor(rand() * CUSTOMERS.length)]} office ${i % 37}`,
        createdAtMs: NOW_MS - 91 * DAY_MS + i,
        expiresAtMs: NOW_MS + 365 * DAY_MS,
        maxRuns: 1000,
        collectIps: rand() < 0.8,
        webhookUrl: null,
        createdBy: 'bench',
      }),
    );
  return invites;
}

/** Fills `store` with {@link REPORTS} reports through collectReport, `concurrency` at a time; returns reports/s. */
async function fill(store: Store, invites: readonly InviteRecord[], concurrency: number): Promise<number> {
  const rand = seededRandom(42);
  const shapes = reportShapes();
  const jobs = Array.from({ length: REPORTS }, (_, k) => {
    const o = pick(rand, OUTCOMES);
    const m = pick(rand, MAPPINGS);
    const shape = shapes.get(`${o.verdict}/${m}`)!;
    const nowMs = NOW_MS - Math.floor(rand() * 90 * DAY_MS);
    return { k, inviteId: invites[Math.floor(rand() * invites.length)]!.id, nowMs, shape };
  });
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let j = next++; j < jobs.length; j = next++) {
      const job = jobs[j]!;
      const r = await store.collectReport({
        inviteId: job.inviteId,
        nowMs: job.nowMs,
        reportId: newInviteId(),
        reportJson: job.shape.json,
        startedAtMs: job.nowMs - 5000,
        columns: job.shape.columns,
        webhookUrls: [],
      });
      if (!r.ok) throw new Error(`report ${job.k} refused: ${r.refusal}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return REPORTS / ((performance.now() - started) / 1000);
}

interface Timing {
  medianMs: number;
  p95Ms: number;
  goalMs: number;
  meetsGoal: boolean;
  rows: number;
}

async function time(run: () => Promise<number>, goalMs: number): Promise<Timing> {
  let rows = 0;
  for (let i = 0; i < WARMUP; i++) rows = await run();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    rows = await run();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const round = (v: number | null) => Math.round((v ?? Number.NaN) * 100) / 100;
  const p95Ms = round(percentile(ms, 0.95));
  return { medianMs: round(percentile(ms, 0.5)), p95Ms, goalMs, meetsGoal: p95Ms <= goalMs, rows };
}

/** A cursor ~90% down the unfiltered list (walked once with 500-row pages). */
async function deepCursor(store: Store): Promise<string> {
  let cursor: string | null = null;
  for (let seen = 0; seen < REPORTS * 0.9; seen += 500) {
    const page = await store.listReports({}, 500, cursor);
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  if (cursor === null) throw new Error('no deep cursor');
  return cursor;
}

async function measure(store: Store, concurrency: number) {
  const invites = await createInvites(store);
  const ingestPerS = Math.round(await fill(store, invites, concurrency));
  const deep = await deepCursor(store);
  const rows = (p: Promise<{ rows: readonly unknown[] }>) => p.then((x) => x.rows.length);
  const totals = (p: Promise<{ total: number }>) => p.then((x) => x.total);
  const queries = {
    listFirstPage: await time(() => rows(store.listReports({}, 50, null)), LIST_GOAL_MS),
    listByVerdict: await time(
      () => rows(store.listReports({ verdict: 'udp-blocked-tls-works' }, 50, null)),
      LIST_GOAL_MS,
    ),
    listByLabel: await time(
      () => rows(store.listReports({ labelContains: 'globex' }, 50, null)),
      LIST_GOAL_MS,
    ),
    listDeepCursor: await time(() => rows(store.listReports({}, 50, deep)), LIST_GOAL_MS),
    aggregate30d: await time(
      () => totals(store.aggregate({ fromMs: NOW_MS - 30 * DAY_MS, toMs: NOW_MS + 1 })),
      AGGREGATE_GOAL_MS,
    ),
    aggregate90d: await time(
      () => totals(store.aggregate({ fromMs: NOW_MS - 90 * DAY_MS, toMs: NOW_MS + 1 })),
      AGGREGATE_GOAL_MS,
    ),
  };
  return { description: store.description, ingestConcurrency: concurrency, ingestPerS, queries };
}

const startedAt = new Date();
/** The host's 1/5/15-minute load averages: other work on the host slows every number here. */
const loadAtStart = loadavg();
const results: Record<string, unknown> = {};
const dir = mkdtempSync(join(tmpdir(), 'ice-doctor-store-bench-'));
try {
  const sqlite = await openStore({ dataDir: join(dir, 'data') });
  try {
    results.sqlite = await measure(sqlite, 1);
  } finally {
    await sqlite.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const noPostgres = postgresUnavailable();
if (noPostgres === null) {
  const server = await startPostgres();
  try {
    const pgStore = await openStore({ databaseUrl: await server.createDatabase('bench') });
    try {
      results.postgres = await measure(pgStore, 10);
    } finally {
      await pgStore.close();
    }
  } finally {
    await server.stop();
  }
} else results.postgres = { skipped: noPostgres };

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const file = join(resultsDir, `store-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(resultsDir, { recursive: true });
const environment = {
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? null,
  loadAverageAtStart: loadAtStart,
  loadAverageAtEnd: loadavg(),
};
const goals = { listMs: LIST_GOAL_MS, aggregateMs: AGGREGATE_GOAL_MS, measuredAt: 'p95' };
writeFileSync(
  file,
  `${JSON.stringify({ startedAt: startedAt.toISOString(), reports: REPORTS, runs: RUNS, goals, environment, results }, null, 2)}\n`,
);

type Measured = Awaited<ReturnType<typeof measure>>;
const s = results.sqlite as Measured;
const p = 'queries' in (results.postgres as object) ? (results.postgres as Measured) : null;
const cell = (t: Timing | undefined) =>
  t === undefined ? 'skipped' : `${t.medianMs} / ${t.p95Ms}${t.meetsGoal ? '' : ' (over)'}`;
const rowsOut = (Object.keys(s.queries) as (keyof Measured['queries'])[]).map((k) => [
  k,
  `≤ ${s.queries[k].goalMs}`,
  cell(s.queries[k]),
  cell(p?.queries[k]),
]);
rowsOut.push([
  'ingest (reports/s)',
  '',
  `${s.ingestPerS} (1 at a time)`,
  p ? `${p.ingestPerS} (10 at a time)` : 'skipped',
]);
process.stdout.write(
  `${REPORTS} reports, ${RUNS} runs each; median / p95 ms\n${formatTable(['query', 'goal ms', 'SQLite', 'PostgreSQL'], rowsOut)}\n\nresults: ${file}\n`,
);
