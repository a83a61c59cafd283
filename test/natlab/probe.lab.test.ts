import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_SERVERS } from '../../lab/servers.js';
import { runIceDoctorProbe, TOOL_TIMEOUT_MS } from '../../lab/tools.js';
import { labAvailable, labRuns } from '../../src/lab/available.js';
import { applyScenario, PLAIN_SCENARIOS, PROBE_EXPECTED } from '../../src/lab/scenarios.js';
import { createLab, destroyLab, type Lab } from '../../src/lab/topology.js';

// `ice-doctor probe --json` from lan, through each router scenario, against an RFC 5780 server in pub
// (ice-doctor's own `serve`, then coturn). Needs `npm run build` first (runs dist/cli.js).
const available = await labAvailable();
const runs = labRuns();

/** The verdict fields of `probe --json` stdout that are null without a reason in `reasons` (none, if correct). */
function nullsWithoutReason(stdout: string): string[] {
  const report = JSON.parse(stdout) as Record<string, unknown> & { reasons: Record<string, string> };
  return (['udp', 'natPresent', 'mapping', 'filtering', 'legacyNatType'] as const).filter(
    (field) => report[field] === null && !report.reasons[field],
  );
}

const SERVERS = PROBE_SERVERS;

describe.skipIf(!available)('natlab: ice-doctor probe', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await createLab();
  });

  afterAll(async () => {
    if (lab) await destroyLab(lab);
  });

  for (const server of SERVERS) {
    describe(`against ${server.name} in pub`, () => {
      let stop: (() => Promise<void>) | undefined;

      beforeAll(async () => {
        const proc = await server.start(lab);
        stop = () => proc.stop();
      });

      afterAll(async () => {
        await stop?.();
      });

      it.each(PLAIN_SCENARIOS)(
        '%s',
        async (scenario) => {
          for (let i = 0; i < runs; i++) {
            await applyScenario(lab, scenario);
            const run = await runIceDoctorProbe(lab);
            const context = `run ${i + 1}/${runs}, exit ${String(run.exitCode)}, ${run.durationMs} ms: ${
              run.error ?? ''
            }\nstdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr.slice(0, 2000)}`;
            expect(run.timedOut, context).toBe(false);
            expect(run.verdict, context).toEqual(PROBE_EXPECTED[scenario]);
            expect(nullsWithoutReason(run.stdout), context).toEqual([]);
            expect([0, 1], context).toContain(run.exitCode);
          }
        },
        runs * (TOOL_TIMEOUT_MS + 5_000),
      );
    });
  }
});
