import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../../lab/paths.js';
import { startIceDoctorServer } from '../../lab/servers.js';
import { PROBE_URL } from '../../lab/tools.js';
import { labAvailable } from '../../src/lab/available.js';
import { nsRun } from '../../src/lab/exec.js';
import { applyScenario } from '../../src/lab/scenarios.js';
import { createLab, destroyLab, type Lab } from '../../src/lab/topology.js';
import { probeReportSchema } from '../../src/report/schema.js';

// Binding lifetime discovery (RFC 5780 §4.6) through a real Linux NAT whose UDP mapping timeout the test
// sets: the router's conntrack keeps a replied UDP entry for nf_conntrack_udp_timeout seconds.
const available = await labAvailable();
const UDP_TIMEOUT_S = 3;
const MAX_LIFETIME_S = 8;

describe.skipIf(!available)('natlab: binding lifetime (--lifetime)', () => {
  let lab: Lab;
  let stopServer: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    lab = await createLab();
    const server = await startIceDoctorServer(lab);
    stopServer = () => server.proc.stop();
    await applyScenario(lab, 'masquerade');
    await nsRun(lab.ns.nat, 'sysctl', [
      '-q',
      '-w',
      `net.netfilter.nf_conntrack_udp_timeout=${UDP_TIMEOUT_S}`,
    ]);
  });

  afterAll(async () => {
    await stopServer?.();
    if (lab) await destroyLab(lab);
  });

  it(
    `brackets the NAT's ${UDP_TIMEOUT_S} s UDP timeout within --max-lifetime ${MAX_LIFETIME_S}`,
    async () => {
      const args = [
        CLI_PATH,
        'probe',
        '--json',
        '--lifetime',
        '--max-lifetime',
        String(MAX_LIFETIME_S),
        PROBE_URL,
      ];
      const r = await nsRun(lab.ns.lan, process.execPath, args, { timeoutMs: 4 * MAX_LIFETIME_S * 1000 });
      const report = probeReportSchema.parse(JSON.parse(r.stdout));
      expect(report.bindingLifetime, r.stdout).not.toBeNull();
      const { minS, maxS } = report.bindingLifetime!;
      expect(minS).toBeLessThanOrEqual(UDP_TIMEOUT_S + 1);
      expect(maxS).not.toBeNull();
      expect(maxS!).toBeGreaterThanOrEqual(UDP_TIMEOUT_S);
      expect(maxS! - minS).toBeLessThanOrEqual(1.5);
      expect(report.mapping).toBe('endpoint-independent');
    },
    4 * MAX_LIFETIME_S * 1000 + 10_000,
  );
});
