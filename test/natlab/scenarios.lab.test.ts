import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeNat, startReflector, summarizeObservation } from '../../lab/nat-behaviour.js';
import { labAvailable, labRuns } from '../../src/lab/available.js';
import { applyScenario, EXPECTED, PLAIN_SCENARIOS, type Scenario } from '../../src/lab/scenarios.js';
import { ADDR, createLab, destroyLab, type Lab } from '../../src/lab/topology.js';

// The lab itself, proved with raw node sockets only (no ice-doctor code): each router scenario gives the
// RFC 4787 mapping/filtering it is meant to give.
const available = await labAvailable();
const runs = labRuns();

/** Extra facts per scenario beyond the RFC 4787 verdict. */
const EXTRA: Readonly<
  Record<Scenario, { portPreserved: boolean; distinctMappings: number; tcpFrom?: string }>
> = {
  masquerade: { portPreserved: true, distinctMappings: 1, tcpFrom: ADDR.routerPub },
  'masquerade-random': { portPreserved: false, distinctMappings: 3, tcpFrom: ADDR.routerPub },
  'full-cone': { portPreserved: true, distinctMappings: 1, tcpFrom: ADDR.routerPub },
  'restricted-cone': { portPreserved: true, distinctMappings: 1, tcpFrom: ADDR.routerPub },
  'udp-dropped': { portPreserved: false, distinctMappings: 0, tcpFrom: ADDR.routerPub },
  routed: { portPreserved: true, distinctMappings: 1, tcpFrom: ADDR.lanHost },
  'mtu-1280': { portPreserved: true, distinctMappings: 1, tcpFrom: ADDR.routerPub },
  'udp-timeout-20s': { portPreserved: true, distinctMappings: 1, tcpFrom: ADDR.routerPub },
  'ipv6-firewall': { portPreserved: true, distinctMappings: 1, tcpFrom: ADDR.routerPub },
  nat66: { portPreserved: true, distinctMappings: 1, tcpFrom: ADDR.routerPub },
  'proxy-only': { portPreserved: false, distinctMappings: 0 },
  cgnat: { portPreserved: true, distinctMappings: 1, tcpFrom: ADDR.routerPub },
};

describe.skipIf(!available)('natlab scenarios (raw sockets)', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await createLab();
    await startReflector(lab);
  });

  afterAll(async () => {
    if (lab) await destroyLab(lab);
  });

  it.each(PLAIN_SCENARIOS)(
    '%s behaves as designed',
    async (scenario) => {
      for (let i = 0; i < runs; i++) {
        await applyScenario(lab, scenario);
        const observation = await observeNat(lab);
        const summary = summarizeObservation(observation);
        const { legacyNatType: _, ...expected } = EXPECTED[scenario];
        const extra = EXTRA[scenario];
        const context = `run ${i + 1}/${runs}: ${JSON.stringify(observation)}`;
        expect({ ...summary, tcpFrom: observation.tcpSeen?.split(':')[0] }, context).toEqual({
          ...expected,
          ...extra,
        });
        expect(observation.guardBlocked, 'lan egress guard drops 198.51.100.53').toBe(true);
      }
    },
    runs * 10_000,
  );
});
