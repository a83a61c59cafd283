import { describe, expect, it } from 'vitest';
import { CLI_PATH } from '../../lab/paths.js';
import { startCoturn, startIceDoctorServer } from '../../lab/servers.js';
import { PROBE_URL } from '../../lab/tools.js';
import { labAvailable } from '../../src/lab/available.js';
import { nsRun } from '../../src/lab/exec.js';
import { LAB_NATS } from '../../src/lab/lab-nats.js';
import { SHORT_UDP_TIMEOUT_S } from '../../src/lab/scenario-udp-timeout.js';
import { applyScenario, PROBE_EXPECTED } from '../../src/lab/scenarios.js';
import { createLab, destroyLab, type Lab } from '../../src/lab/topology.js';
import { probeReportSchema } from '../../src/report/schema.js';

// Issue 16 §6, short UDP timeouts (`--nat udp-timeout-20s`): a router that forgets a UDP mapping after 20 s
// of silence. `ice-doctor probe --lifetime` from lan brackets the binding lifetime (RFC 5780 §4.6) and gives
// the keep-alive interval, against the bundled server and coturn 4.6.1, each in its own lab, both at once.
// The search waits for real: round 1 tries 5–30 s at once (30 s), round 2 the gap it found (≤ 25 s).
const available = await labAvailable();
const SCENARIO = LAB_NATS['udp-timeout-20s'].scenario;
const MAX_LIFETIME_S = 30;
/** Two rounds of the search and the probe around them, with room for a busy machine. */
const TEST_MS = 3 * MAX_LIFETIME_S * 1000 + 30_000;

const SERVERS = [
  {
    name: 'the bundled server',
    start: async (lab: Lab) => (await startIceDoctorServer(lab, ['--no-report'])).proc,
  },
  { name: 'coturn 4.6.1', start: startCoturn },
] as const;

describe.skipIf(!available).concurrent('natlab: 20-s UDP timeout (--nat udp-timeout-20s)', () => {
  for (const server of SERVERS) {
    it(
      `binding lifetime bracketed around ${SHORT_UDP_TIMEOUT_S} s, keep-alive every half of it (${server.name})`,
      async () => {
        const lab = await createLab();
        try {
          await applyScenario(lab, SCENARIO);
          await server.start(lab);
          const args = [
            CLI_PATH,
            'probe',
            '--json',
            '--lifetime',
            '--max-lifetime',
            String(MAX_LIFETIME_S),
            PROBE_URL,
          ];
          const started = performance.now();
          const r = await nsRun(lab.ns.lan, process.execPath, args, {
            check: false,
            timeoutMs: TEST_MS - 10_000,
          });
          const wallS = Math.round((performance.now() - started) / 1000);
          const report = probeReportSchema.parse(JSON.parse(r.stdout));
          const context = `${wallS} s: ${JSON.stringify({ lifetime: report.bindingLifetime, keepAliveS: report.keepAliveS, reasons: report.reasons })}`;
          const { udp, natPresent, mapping, filtering, legacyNatType } = report;
          expect({ udp, natPresent, mapping, filtering, legacyNatType }, context).toEqual(
            PROBE_EXPECTED[SCENARIO],
          );
          expect(report.bindingLifetime, context).not.toBeNull();
          const { minS, maxS } = report.bindingLifetime!;
          // Alive at minS, gone at maxS: the 20-s timeout lies between, and the search narrowed it below 1 s.
          expect(minS, context).toBeGreaterThanOrEqual(SHORT_UDP_TIMEOUT_S - 1);
          expect(minS, context).toBeLessThanOrEqual(SHORT_UDP_TIMEOUT_S);
          expect(maxS, context).not.toBeNull();
          expect(maxS!, context).toBeGreaterThanOrEqual(SHORT_UDP_TIMEOUT_S);
          expect(maxS! - minS, context).toBeLessThan(1);
          expect(report.keepAliveS, context).toBe(Math.floor(minS / 2));
          console.log(`udp-timeout-20s (${server.name}): ${context}`);
        } finally {
          await destroyLab(lab);
        }
      },
      TEST_MS,
    );
  }
});
