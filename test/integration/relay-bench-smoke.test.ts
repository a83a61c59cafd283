/**
 * Smoke test of the relay bench (`npm run bench`, bench/relay/): its `--quick` mode (tiny durations and
 * counts) runs against ice-doctor's built server, coturn, the plain forwarder and the generator's ceiling,
 * and its results file has every target and cell, with relayed traffic and no generator error. The figures
 * themselves are not judged here (a shared CI machine is too noisy for that). Skipped without coturn.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { coturnAvailable } from '../../lab/coturn.js';
import type { RelayBenchResults } from '../../lab/relay-bench-results.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The quick bench takes ~20 s; it is stopped (by PID) after this long, in ms. */
const BENCH_LIMIT_MS = 40_000;

/** Runs the bench entry with `args`; resolves with its exit code and output (killed after the limit). */
function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bench/relay-bench.mjs', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const timer = setTimeout(
      () => child.pid !== undefined && process.kill(child.pid, 'SIGTERM'),
      BENCH_LIMIT_MS,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('relay bench, --quick', () => {
  it.skipIf(!coturnAvailable)(
    'measures ice-doctor, coturn, the forwarder and the ceiling: every cell relays, no generator error',
    async () => {
      expect(existsSync(join(ROOT, 'dist/cli.js')), 'dist/cli.js missing: npm run build first').toBe(true);
      const dir = mkdtempSync(join(tmpdir(), 'relay-bench-'));
      const out = join(dir, 'relay.json');
      try {
        const run = await runBench(['--quick', '--out', out]);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toMatch(/^figure\s+ice-doctor\s+coturn\s+forwarder\s+gen ceiling/m);
        const results = JSON.parse(readFileSync(out, 'utf8')) as RelayBenchResults;
        expect(results.quick).toBe(true);
        expect(results.targets.map((t) => t.name)).toEqual(['ice-doctor', 'coturn', 'forwarder', 'ceiling']);
        for (const t of results.targets) {
          expect(t.error, t.name).toBeUndefined();
          expect(
            t.throughput.map((c) => c.payloadBytes),
            t.name,
          ).toEqual([100, 500, 1200]);
          for (const c of t.throughput) {
            expect(c.relayedPacketsPerS, `${t.name} ${c.payloadBytes} B`).toBeGreaterThan(0);
            expect(c.generatorErrors, `${t.name} ${c.payloadBytes} B`).toBe(0);
          }
          expect(t.latency?.samples, t.name).toBeGreaterThan(0);
          expect(t.latency?.generatorErrors, t.name).toBe(0);
        }
        for (const t of results.targets.filter((x) => x.name === 'ice-doctor' || x.name === 'coturn')) {
          expect(t.binding?.requestsPerS, t.name).toBeGreaterThan(0);
          expect(t.binding?.generatorErrors, t.name).toBe(0);
          expect(t.allocations?.failures, t.name).toBe(0);
          expect(t.allocations?.allocated, t.name).toBe(t.allocations?.count);
          expect(t.allocations?.perS, t.name).toBeGreaterThan(0);
          expect(t.allocations?.coldPerS, t.name).toBeGreaterThan(0);
        }
        expect(results.goals.length).toBeGreaterThan(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
