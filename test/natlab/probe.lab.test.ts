import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labAvailable, labRuns } from './available.js';
import { applyScenario, EXPECTED, SCENARIOS } from './scenarios.js';
import { startCoturn, startIceDoctorServer } from './servers.js';
import { runIceDoctorProbe, TOOL_TIMEOUT_MS } from './tools.js';
import { createLab, destroyLab, type Lab } from './topology.js';

// `ice-doctor probe --json` from lan, through each router scenario, against an RFC 5780 server in pub
// (ice-doctor's own `serve`, then coturn). Needs `npm run build` first (runs dist/cli.js).
const available = await labAvailable();
const runs = labRuns();

const SERVERS = [
  { name: 'ice-doctor serve', start: async (lab: Lab) => (await startIceDoctorServer(lab)).proc },
  { name: 'coturn', start: startCoturn },
] as const;

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

      it.each(SCENARIOS)(
        '%s',
        async (scenario) => {
          for (let i = 0; i < runs; i++) {
            await applyScenario(lab, scenario);
            const run = await runIceDoctorProbe(lab);
            const context = `run ${i + 1}/${runs}, exit ${String(run.exitCode)}, ${run.durationMs} ms: ${
              run.error ?? ''
            }\nstdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr.slice(0, 2000)}`;
            expect(run.timedOut, context).toBe(false);
            expect(run.verdict, context).toEqual(EXPECTED[scenario]);
            expect([0, 1], context).toContain(run.exitCode);
          }
        },
        runs * (TOOL_TIMEOUT_MS + 5_000),
      );
    });
  }
});
